"""Targets typed by an administrator: rows from a table -> validated Targets, or Vietnamese problems."""

from __future__ import annotations

import math

from .model import YEARS, Target

SCOPES = ("ministry", "national", "province")


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def parse_rows(rows: list[dict], total_units: int = 124) -> tuple[list[Target], list[str]]:
    """Each row: year, scope, share_pct or count, note. Problems name the row (1-based) and column;
    with any problem the caller stores nothing."""
    targets, problems, seen = [], [], set()
    for i, row in enumerate(rows, start=1):
        y, scope, share, count = row.get("year"), row.get("scope"), row.get("share_pct"), row.get("count")
        try:
            year = None if _blank(y) else int(y)
        except (TypeError, ValueError):
            year = None
        if year not in YEARS:
            problems.append(f"Dòng {i}, cột Năm: «{y}» không hợp lệ, cần một năm từ {YEARS[0]} đến {YEARS[-1]}.")
            continue
        if scope not in SCOPES:
            problems.append(f"Dòng {i}, cột Cấp giao: «{scope}» không hợp lệ, chọn ministry, national hoặc province.")
            continue
        if _blank(share) == _blank(count):
            problems.append(f"Dòng {i}: nhập tỷ lệ (%) hoặc số xã, chỉ một trong hai.")
            continue
        if not _blank(share) and not 0 <= float(share) <= 100:
            problems.append(f"Dòng {i}, cột Tỷ lệ (%): {share} nằm ngoài 0–100.")
            continue
        if not _blank(count) and not 0 <= int(count) <= total_units:
            problems.append(f"Dòng {i}, cột Số xã: {count} nằm ngoài 0–{total_units}.")
            continue
        if (year, scope) in seen:
            problems.append(f"Dòng {i}: năm {year}, cấp {scope} đã có ở một dòng trên.")
            continue
        seen.add((year, scope))
        targets.append(Target(year, scope, share_pct=None if _blank(share) else float(share),
                              count=None if _blank(count) else int(count), note=str(row.get("note") or "")[:200]))
    return targets, problems
