"""Audit trail: who did what, when. Append-only (triggers refuse UPDATE and DELETE) and
hash-chained (:func:`verify`). The rows live in the store: these are thin wrappers.

    record(store, "lan", "import", "Nhập trạng thái năm 2025", {"file": "tq.xlsx", "rows": 124})
    entries(store, since=None, user=None, action=None, limit=500) -> list[AuditEntry]   # newest first
    export_csv(store, "audit.csv") -> int                                             # rows written
    verify(store) -> ChainReport   # .ok, .summary (Vietnamese), .first (table, id, problem)

``store`` is a :class:`geo.store.Store`. For round-1 callers a path (or ``sqlite:///…``/
``postgresql://…`` URL, or None for ``$TQMAP_DB``) is still accepted: the store is opened for the
call and closed. A data change and its audit entry belong in one ``store.batch()``: use
:mod:`geo.service`. Nothing about a person beyond the account name is kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from .store import ChainReport, Store
from .store.records import (ACTION_LABELS, ACTIONS, DEFAULT_LIMIT, MAX_DETAIL, MAX_TEXT, AuditEntry, AuditError,
                            check_action, iso, utc)

AUDIT_SCHEMA_VERSION = 2  # the migration that created audit_log (kept for round-1 imports)


@contextmanager
def use_store(store_or_path: Store | str | Path | None) -> Iterator[Store]:
    """The store itself, or (path / URL / None = $TQMAP_DB) a store opened for the block."""
    if store_or_path is not None and not isinstance(store_or_path, (str, Path)) and hasattr(store_or_path, "audit"):
        yield store_or_path
        return
    from .store import open_store

    s = open_store(store_or_path)
    try:
        yield s
    finally:
        s.close()


def record(store: Store | str | Path, user: str, action: str, what: str, detail: Any = None, *,
           now: dt.datetime | None = None) -> int:
    """Append one audit entry; returns its id. ``action`` one of :data:`ACTIONS`."""
    check_action(action)  # refuse before touching the file
    with use_store(store) as s:
        return s.audit(user, action, what, detail, now=now)


def entries(store: Store | str | Path, since: dt.datetime | str | None = None, user: str | None = None,
            action: str | None = None, limit: int | None = DEFAULT_LIMIT) -> list[AuditEntry]:
    """Entries newest first, filtered by time (``since`` inclusive), account name and action."""
    if action:
        check_action(action)
    with use_store(store) as s:
        return s.audit_entries(since=since, user=user, action=action, limit=limit)


def verify(store: Store | str | Path) -> ChainReport:
    """Recompute the hash chains of revisions and audit entries and compare the current data with
    its history. ``report.ok``; ``report.summary`` is a Vietnamese sentence for the admin page;
    ``report.first`` names the first broken link (table, id, what differs)."""
    with use_store(store) as s:
        return s.verify_chain()


def _csv_safe(value: Any) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a cell starting with = + - @ is prefixed by '."""
    s = "" if value is None else str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


CSV_HEADER = ["id", "thời điểm (UTC)", "người dùng", "hành động", "mã hành động", "nội dung", "chi tiết"]


def csv_text(store: Store | str | Path, **filters) -> tuple[str, int]:
    """The audit log (oldest first) as CSV text and its row count; ``filters`` as for :func:`entries`."""
    rows = list(reversed(entries(store, limit=None, **filters)))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_HEADER)
    for e in rows:
        det = "" if e.detail is None else json.dumps(e.detail, ensure_ascii=False, sort_keys=True)
        w.writerow([e.id, e.at, _csv_safe(e.user), e.action_label, e.action, _csv_safe(e.what), _csv_safe(det)])
    return buf.getvalue(), len(rows)


def csv_bytes(store: Store | str | Path, **filters) -> bytes:
    """UTF-8 with BOM (Excel opens it correctly): for ``st.download_button``."""
    return csv_text(store, **filters)[0].encode("utf-8-sig")


def export_csv(store: Store | str | Path, path: str | Path, **filters) -> int:
    """Write the audit log (oldest first) as UTF-8 CSV with BOM (opens in Excel); returns the row count."""
    text, n = csv_text(store, **filters)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(text.encode("utf-8-sig"))
    tmp.replace(path)
    return n


__all__ = ["ACTIONS", "ACTION_LABELS", "AuditEntry", "AuditError", "ChainReport", "record", "entries", "verify",
           "export_csv", "csv_bytes", "csv_text", "use_store", "utc", "iso", "MAX_TEXT", "MAX_DETAIL"]
