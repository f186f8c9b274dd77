"""Audit trail: who did what, when. Append-only (SQLite triggers refuse UPDATE and DELETE).

    record(store, "lan", "import", "Nhập trạng thái năm 2025", {"file": "tq.xlsx", "rows": 124})
    entries(store, since=None, user=None, action=None, limit=500) -> list[AuditEntry]   # newest first
    export_csv(store, "audit.csv") -> int                                             # rows written

``store`` is a :class:`geo.store.sqlite.SQLiteStore` (anything with ``.path``) or a path to the
SQLite file. Each call uses its own short connection, so it works beside the store's own.
Every value is bound as an SQL parameter; nothing about a person beyond the account name is kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .store import migrations

ACTIONS = ("login", "login_failed", "logout", "import", "edit", "restore", "export", "user_add", "user_change")
ACTION_LABELS = {
    "login": "Đăng nhập", "login_failed": "Đăng nhập thất bại", "logout": "Đăng xuất",
    "import": "Nhập dữ liệu", "edit": "Sửa dữ liệu", "restore": "Khôi phục phiên bản",
    "export": "Xuất dữ liệu", "user_add": "Thêm người dùng", "user_change": "Thay đổi người dùng",
}
MAX_TEXT = 500
MAX_DETAIL = 4000
DEFAULT_LIMIT = 500

AUDIT_SCHEMA_VERSION = 2
migrations.register(AUDIT_SCHEMA_VERSION, """
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,                 -- UTC ISO 8601, seconds
    user    TEXT NOT NULL,
    action  TEXT NOT NULL CHECK (action IN ('login','login_failed','logout','import','edit','restore',
                                            'export','user_add','user_change')),
    what    TEXT NOT NULL,                 -- short Vietnamese text
    detail  TEXT                           -- JSON or NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'Nhật ký kiểm tra chỉ được ghi thêm: không được sửa.'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'Nhật ký kiểm tra chỉ được ghi thêm: không được xoá.'); END;
-- INSERT OR REPLACE deletes the old row without firing DELETE triggers: refuse reusing an id.
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'Nhật ký kiểm tra chỉ được ghi thêm: không được ghi đè.'); END;
""")


class AuditError(ValueError):
    """A malformed audit call (message in Vietnamese); nothing has been written."""


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str  # UTC ISO 8601
    user: str
    action: str
    what: str
    detail: Any  # decoded JSON (dict/list/str/number) or None

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def db_path(store_or_path) -> Path:
    p = getattr(store_or_path, "path", store_or_path)
    if p is None:
        from .store import default_path

        p = default_path()
    return Path(p)


@contextmanager
def connect(store_or_path) -> Iterator[sqlite3.Connection]:
    """A short autocommit connection to the store's file, schema migrated (users, audit…)."""
    path = db_path(store_or_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrations.migrate(conn)
        yield conn
    finally:
        conn.close()


@contextmanager
def transaction(conn: sqlite3.Connection):
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def utc(now: dt.datetime | None = None) -> dt.datetime:
    now = now or dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return now.astimezone(dt.timezone.utc)


def iso(now: dt.datetime | None = None) -> str:
    return utc(now).isoformat(timespec="seconds")


def _clean(text: Any, limit: int) -> str:
    s = "" if text is None else str(text)
    s = "".join(ch if ch.isprintable() or ch in "\t" else " " for ch in s).strip()
    return s[:limit]


def insert(conn: sqlite3.Connection, user: str, action: str, what: str, detail: Any = None,
           now: dt.datetime | None = None) -> int:
    """Write one entry on an open connection (inside the caller's transaction, if any)."""
    if action not in ACTIONS:
        raise AuditError(f"Hành động “{action}” không có trong danh sách nhật ký: {', '.join(ACTIONS)}.")
    user = _clean(user, 200)
    if not user:
        raise AuditError("Thiếu tên người thực hiện cho nhật ký.")
    what = _clean(what, MAX_TEXT)
    if not what:
        raise AuditError("Thiếu nội dung (“what”) cho nhật ký.")
    det = None
    if detail is not None:
        det = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
        if len(det) > MAX_DETAIL:
            det = json.dumps({"cắt_bớt": det[:MAX_DETAIL]}, ensure_ascii=False)
    cur = conn.execute("INSERT INTO audit_log(at, user, action, what, detail) VALUES (?, ?, ?, ?, ?)",
                       (iso(now), user, action, what, det))
    return int(cur.lastrowid)


def record(store, user: str, action: str, what: str, detail: Any = None, *,
           now: dt.datetime | None = None) -> int:
    """Append one audit entry; returns its id. ``action`` one of :data:`ACTIONS`."""
    if action not in ACTIONS:  # refuse before touching the file
        raise AuditError(f"Hành động “{action}” không có trong danh sách nhật ký: {', '.join(ACTIONS)}.")
    with connect(store) as conn:
        return insert(conn, user, action, what, detail, now)


def _decode(detail: str | None):
    if detail is None:
        return None
    try:
        return json.loads(detail)
    except ValueError:
        return detail


def entries(store, since: dt.datetime | str | None = None, user: str | None = None, action: str | None = None,
            limit: int | None = DEFAULT_LIMIT) -> list[AuditEntry]:
    """Entries newest first, filtered by time (``since`` inclusive), account name and action."""
    sql = "SELECT id, at, user, action, what, detail FROM audit_log WHERE 1=1"
    params: list[Any] = []
    if since is not None:
        sql += " AND at >= ?"
        params.append(since if isinstance(since, str) else iso(since))
    if user:
        sql += " AND user = ?"
        params.append(user)
    if action:
        if action not in ACTIONS:
            raise AuditError(f"Hành động “{action}” không có trong danh sách nhật ký: {', '.join(ACTIONS)}.")
        sql += " AND action = ?"
        params.append(action)
    sql += " ORDER BY id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    with connect(store) as conn:
        rows = conn.execute(sql, params).fetchall()
    return [AuditEntry(int(i), at, u, a, w, _decode(d)) for i, at, u, a, w, d in rows]


def _csv_safe(value: Any) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a cell starting with = + - @ is prefixed by '."""
    s = "" if value is None else str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


CSV_HEADER = ["id", "thời điểm (UTC)", "người dùng", "hành động", "mã hành động", "nội dung", "chi tiết"]


def csv_text(store, **filters) -> tuple[str, int]:
    """The audit log (oldest first) as CSV text and its row count; ``filters`` as for :func:`entries`."""
    rows = list(reversed(entries(store, limit=None, **filters)))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_HEADER)
    for e in rows:
        det = "" if e.detail is None else json.dumps(e.detail, ensure_ascii=False, sort_keys=True)
        w.writerow([e.id, e.at, _csv_safe(e.user), e.action_label, e.action, _csv_safe(e.what), _csv_safe(det)])
    return buf.getvalue(), len(rows)


def csv_bytes(store, **filters) -> bytes:
    """UTF-8 with BOM (Excel opens it correctly): for ``st.download_button``."""
    return csv_text(store, **filters)[0].encode("utf-8-sig")


def export_csv(store, path: str | Path, **filters) -> int:
    """Write the audit log (oldest first) as UTF-8 CSV with BOM (opens in Excel); returns the row count."""
    text, n = csv_text(store, **filters)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(text.encode("utf-8-sig"))
    tmp.replace(path)
    return n

__all__ = ["ACTIONS", "ACTION_LABELS", "AuditEntry", "AuditError", "record", "entries", "export_csv", "csv_bytes"]
