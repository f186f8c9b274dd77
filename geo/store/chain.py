"""Tamper evidence: every revision and every audit entry carries a SHA-256 hash chained to the
previous one, so an edit, a deletion or an insertion made outside the app (sqlite3 shell, triggers
dropped) shows up as the first broken link. Backend-neutral: the store passes plain rows.

    revision hash = sha256(canonical JSON {prev, header, rows})   rows = sha256 of its row versions
    audit hash    = sha256(canonical JSON {prev, entry})

Canonical JSON: keys sorted, no spaces, UTF-8; stored JSON values (row data, audit detail) are
decoded first, so a backend that stores JSON differently (PostgreSQL ``jsonb``) hashes the same.

What it proves and what it cannot: anyone who can write the file and knows this scheme can
recompute every hash after the edit point. The chain's head hashes (printed by
``python -m geo audit verify``) are what an administrator keeps outside the server (a note, an
e-mail) to detect even that; a rewrite then no longer matches the kept head.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

GENESIS = ""  # the "previous hash" of the first row


def _canon(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def _sha(obj: Any) -> str:
    return hashlib.sha256(_canon(obj)).hexdigest()


def _json(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def revision_header(id_, at, user, reason, kind, summary, source, demo) -> dict:
    return {"id": int(id_), "at": str(at), "user": user, "reason": reason, "kind": kind,
            "summary": summary, "source": source, "demo": bool(demo)}


def rows_hash(rows: Iterable[tuple]) -> str:
    """Hash of the row versions one revision wrote: (entity, key parts, data JSON text, demo)."""
    items = sorted(([e, [str(k) for k in key], _json(data), bool(demo)] for e, key, data, demo in rows),
                   key=lambda r: (r[0], r[1]))
    return _sha(items)


def revision_hash(prev: str, header: dict, rows_h: str) -> str:
    return _sha({"prev": prev, "header": header, "rows": rows_h})


def audit_content(id_, at, user, action, what, detail) -> dict:
    return {"id": int(id_), "at": str(at), "user": user, "action": action, "what": what, "detail": _json(detail)}


def audit_hash(prev: str, content: dict) -> str:
    return _sha({"prev": prev, "entry": content})


@dataclass(frozen=True)
class Break:
    table: str  # 'revisions' | 'audit_log' | a current-state table
    id: Any  # row id (or key for current-state tables)
    problem: str  # Vietnamese: what differs

    def __str__(self) -> str:
        return f"{self.table} #{self.id}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    """Result of a chain verification; ``summary`` is a Vietnamese sentence for the admin page."""
    revisions: int
    audit_entries: int
    breaks: tuple[Break, ...] = ()
    heads: dict = field(default_factory=dict)  # table -> hash of the last row

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first(self) -> Break | None:
        return self.breaks[0] if self.breaks else None

    @property
    def summary(self) -> str:
        if self.ok:
            return (f"Chuỗi kiểm chứng nguyên vẹn: {self.revisions} phiên bản dữ liệu và "
                    f"{self.audit_entries} mục nhật ký khớp mã băm.")
        return f"Phát hiện can thiệp: {self.breaks[0]}" + (
            f" (và {len(self.breaks) - 1} chỗ hỏng khác)" if len(self.breaks) > 1 else "")


def verify_revisions(rows: Iterable[tuple], rows_hash_of) -> tuple[int, Break | None, str]:
    """``rows``: (id, at, user, reason, kind, summary, source, demo, rows_hash, prev_hash, hash) by id.
    ``rows_hash_of(id)`` recomputes the hash of that revision's row versions.
    Returns (count, first break or None, head hash)."""
    prev, prev_id, n = GENESIS, None, 0
    for r in rows:
        n += 1
        rid, stored_rows, stored_prev, stored = r[0], r[8], r[9], r[10]
        if stored is None:
            return n, Break("revisions", rid, "thiếu mã băm: phiên bản được thêm ngoài ứng dụng "
                                              "hoặc chưa hoàn tất"), prev
        if stored_prev != prev:
            gap = "" if prev_id is None or rid == prev_id + 1 else f" (giữa #{prev_id} và #{rid} thiếu phiên bản)"
            what = ("phiên bản trước đó đã bị xoá hoặc sửa" if prev_id is not None
                    else "phiên bản đầu tiên của chuỗi đã bị xoá")
            return n, Break("revisions", rid, f"liên kết với phiên bản trước bị đứt: {what}{gap}"), prev
        actual_rows = rows_hash_of(rid)
        if actual_rows != stored_rows:
            return n, Break("revisions", rid, "dữ liệu ghi trong phiên bản (các dòng *_versions) đã bị sửa, "
                                              "thêm hoặc xoá"), prev
        if revision_hash(prev, revision_header(*r[:8]), stored_rows) != stored:
            return n, Break("revisions", rid, "thông tin phiên bản (người, thời điểm, lý do, loại, tóm tắt, "
                                              "nguồn, minh họa) đã bị sửa"), prev
        prev, prev_id = stored, rid
    return n, None, prev


def verify_audit(rows: Iterable[tuple]) -> tuple[int, Break | None, str]:
    """``rows``: (id, at, user, action, what, detail, prev_hash, hash) by id."""
    prev, prev_id, n = GENESIS, None, 0
    for r in rows:
        n += 1
        rid, stored_prev, stored = r[0], r[6], r[7]
        if stored is None:
            return n, Break("audit_log", rid, "thiếu mã băm: mục nhật ký được thêm ngoài ứng dụng"), prev
        if stored_prev != prev:
            gap = "" if prev_id is None or rid == prev_id + 1 else f" (giữa #{prev_id} và #{rid} thiếu mục)"
            what = "mục trước đó đã bị xoá hoặc sửa" if prev_id is not None else "mục đầu tiên đã bị xoá"
            return n, Break("audit_log", rid, f"liên kết với mục trước bị đứt: {what}{gap}"), prev
        if audit_hash(prev, audit_content(*r[:6])) != stored:
            return n, Break("audit_log", rid, "nội dung mục nhật ký (người, thời điểm, hành động, nội dung, "
                                              "chi tiết) đã bị sửa"), prev
        prev, prev_id = stored, rid
    return n, None, prev


__all__ = ["GENESIS", "Break", "ChainReport", "rows_hash", "revision_hash", "revision_header", "audit_hash",
           "audit_content", "verify_revisions", "verify_audit"]
