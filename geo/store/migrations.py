"""Schema migrations: ONE ordered list for every backend.

Each :class:`Migration` carries the SQL for each backend side by side (``sqlite``, ``postgresql``)
and optionally a Python step per backend (``after_sqlite``, ``after_postgresql``) run in the same
transaction after the SQL (used to back-fill hashes on files written by older versions). A
backend's runner applies, in version order, every version not yet recorded in its
``schema_version`` table; each version runs in one transaction together with its
``schema_version`` row, so a failure leaves the schema as it was. Never edit a migration that has
shipped: add a new one.

The version numbers of round 1 keep their meaning, so old SQLite files open and upgrade:

====  =======================================================================================
 1    revisions, ``*_versions`` and current tables (assessments, routes, targets)
 2    audit_log (append-only triggers) — registered by geo.audit in round 1
 3    users, login_state — registered by geo.auth in round 1
20    settings (legacy key/value table of the slide list) — registered by geo.present in round 1
21    settings as a revisioned entity (``setting_values`` + ``setting_versions``), old rows copied
22    login_throttle (per name / client address / pair), replaces login_state
23    tamper evidence: hash columns on revisions and audit_log, back-filled in id order
24    append-only triggers on revisions and every ``*_versions`` table; indexes by revision
25    app_sessions (shared idle timeout; PostgreSQL has it from its version 1001)
====  =======================================================================================

A PostgreSQL store (geo/store/postgres.py) fills ``postgresql`` beside each entry (None = not
written yet) and runs :func:`pending` with its own connection; the SQLite runner is
:func:`migrate`. :func:`register` remains for modules of round 1 (geo.present) and for tests:
registering a version that already exists with the same SQL is harmless.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any, Callable, Iterator


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sqlite: str
    postgresql: str | None = None
    after_sqlite: Callable[[Any], None] | None = None  # run on the connection inside the transaction
    after_postgresql: Callable[[Any], None] | None = None

    def sql(self, backend: str) -> str | None:
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"unknown backend {backend!r}")
        return getattr(self, backend)

    def after(self, backend: str) -> Callable[[Any], None] | None:
        return getattr(self, "after_" + backend)

    # Round-1 callers iterate ``for v, sql in MIGRATIONS``: keep that working.
    def __iter__(self) -> Iterator:
        return iter((self.version, self.sqlite))


AUDIT_ACTIONS = ("login", "login_failed", "logout", "import", "edit", "restore", "export", "user_add",
                 "user_change")

_V1 = """
CREATE TABLE revisions (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,                -- UTC ISO 8601
    user     TEXT NOT NULL,
    reason   TEXT NOT NULL,
    kind     TEXT NOT NULL,                -- seed | assessments | replace_year | routes | delete_route | targets | restore
    summary  TEXT NOT NULL DEFAULT '',
    source   TEXT NOT NULL DEFAULT '',
    demo     INTEGER NOT NULL DEFAULT 0
);

-- Row versions: every change writes one row; data NULL means "absent from this revision on".
-- The state as of revision R is, per key, the version with the largest rev_id <= R.
CREATE TABLE assessment_versions (
    rev_id  INTEGER NOT NULL REFERENCES revisions(id),
    year    INTEGER NOT NULL,
    code    TEXT NOT NULL,
    data    TEXT,                          -- JSON of geo.model.Assessment.to_dict()
    demo    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (year, code, rev_id)
);
CREATE TABLE route_versions (
    rev_id   INTEGER NOT NULL REFERENCES revisions(id),
    route_id TEXT NOT NULL,
    data     TEXT,                         -- JSON of geo.model.Route fields
    demo     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (route_id, rev_id)
);
CREATE TABLE target_versions (
    rev_id  INTEGER NOT NULL REFERENCES revisions(id),
    year    INTEGER NOT NULL,
    scope   TEXT NOT NULL,
    data    TEXT,                          -- JSON of geo.model.Target fields
    demo    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (year, scope, rev_id)
);

-- Current state (kept in step with the versions inside the same transaction) for fast reads.
CREATE TABLE assessments (
    year    INTEGER NOT NULL,
    code    TEXT NOT NULL,
    data    TEXT NOT NULL,
    demo    INTEGER NOT NULL DEFAULT 0,
    rev_id  INTEGER NOT NULL REFERENCES revisions(id),
    PRIMARY KEY (year, code)
);
CREATE TABLE routes (
    route_id TEXT PRIMARY KEY,
    data     TEXT NOT NULL,
    demo     INTEGER NOT NULL DEFAULT 0,
    rev_id   INTEGER NOT NULL REFERENCES revisions(id)
);
CREATE TABLE targets (
    year    INTEGER NOT NULL,
    scope   TEXT NOT NULL,
    data    TEXT NOT NULL,
    demo    INTEGER NOT NULL DEFAULT 0,
    rev_id  INTEGER NOT NULL REFERENCES revisions(id),
    PRIMARY KEY (year, scope)
);
"""

# Identical to what geo/audit.py registered in round 1 (version 2).
_V2 = """
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
"""

# Identical to what geo/auth.py registered in round 1 (version 3).
_V3 = """
CREATE TABLE users (
    name          TEXT PRIMARY KEY,        -- lower-case login name
    role          TEXT NOT NULL CHECK (role IN ('viewer','editor','admin')),
    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2%'),
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    last_login    TEXT
);
-- Lock-out state per attempted name (also names that do not exist: no account enumeration).
CREATE TABLE login_state (
    name          TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL DEFAULT 0,
    window_start  TEXT,
    locked_until  TEXT
);
"""

# Identical to geo/present.py's SETTINGS_SQL of round 1 (version 20).
LEGACY_SETTINGS_SQL = """
CREATE TABLE IF NOT EXISTS settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL,                   -- JSON
    user  TEXT NOT NULL,
    at    TEXT NOT NULL                    -- UTC ISO 8601
);
"""

_V21 = """
CREATE TABLE setting_versions (
    rev_id  INTEGER NOT NULL REFERENCES revisions(id),
    key     TEXT NOT NULL,
    data    TEXT,                          -- JSON value; NULL: removed from this revision on
    demo    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key, rev_id)
);
CREATE TABLE setting_values (
    key     TEXT PRIMARY KEY,
    data    TEXT NOT NULL,
    demo    INTEGER NOT NULL DEFAULT 0,
    rev_id  INTEGER NOT NULL REFERENCES revisions(id)
);
-- Rows saved by round 1 in the legacy table become one revision each (kind 'settings').
INSERT INTO revisions(at, user, reason, kind, summary, source, demo)
    SELECT at, user, 'Chuyển thiết lập từ phiên bản cũ', 'settings', key, 'legacy', 0 FROM settings ORDER BY key;
INSERT INTO setting_versions(rev_id, key, data, demo)
    SELECT r.id, s.key, s.value, 0 FROM settings s
    JOIN revisions r ON r.kind = 'settings' AND r.source = 'legacy' AND r.summary = s.key;
INSERT INTO setting_values(key, data, demo, rev_id)
    SELECT key, data, 0, rev_id FROM setting_versions;
UPDATE revisions SET summary = 'Thiết lập ' || summary WHERE kind = 'settings' AND source = 'legacy';
"""

_V22 = """
-- Login throttling. scope 'pair' = name + client address (hard lock after a few failures),
-- 'client' = an address across all names (hard lock), 'name' = a name across all addresses
-- (progressive delay only: never a lock an attacker could hold on someone else's account).
CREATE TABLE login_throttle (
    scope         TEXT NOT NULL CHECK (scope IN ('pair','client','name')),
    key           TEXT NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0,
    window_start  TEXT,                    -- UTC ISO 8601
    blocked_until TEXT,                    -- UTC ISO 8601: lock end (pair, client) or next allowed try (name)
    PRIMARY KEY (scope, key)
);
DROP TABLE login_state;
"""

_V23 = """
ALTER TABLE revisions ADD COLUMN rows_hash TEXT;
ALTER TABLE revisions ADD COLUMN prev_hash TEXT;
ALTER TABLE revisions ADD COLUMN hash TEXT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
"""

VERSION_TABLES = ("assessment_versions", "route_versions", "target_versions", "setting_versions")


def _append_only(table: str, what: str, update_when: str = "") -> str:
    when = f" WHEN {update_when}" if update_when else ""
    return (f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}{when}\n"
            f"BEGIN SELECT RAISE(ABORT, '{what} chỉ được ghi thêm: không được sửa.'); END;\n"
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}\n"
            f"BEGIN SELECT RAISE(ABORT, '{what} chỉ được ghi thêm: không được xoá.'); END;\n")


# A revision row is written first and sealed (summary + hashes) at the end of its transaction:
# after that (hash set) it can no longer change.
_V24 = _append_only("revisions", "Lịch sử phiên bản", "OLD.hash IS NOT NULL") + "".join(
    _append_only(t, "Lịch sử dữ liệu") for t in VERSION_TABLES) + "".join(
    # sealing a revision and verifying the chain read the row versions of one revision
    f"CREATE INDEX {t}_rev ON {t}(rev_id);\n" for t in VERSION_TABLES)


def _backfill_hashes(conn) -> None:
    """Version 23 on SQLite: chain every existing revision and audit entry, in id order."""
    from . import chain

    prev = chain.GENESIS
    revs = conn.execute("SELECT id, at, user, reason, kind, summary, source, demo FROM revisions ORDER BY id").fetchall()
    for row in revs:
        header = chain.revision_header(*row)
        rows_h = chain.rows_hash(sqlite_revision_rows(conn, row[0]))
        h = chain.revision_hash(prev, header, rows_h)
        conn.execute("UPDATE revisions SET rows_hash = ?, prev_hash = ?, hash = ? WHERE id = ?", (rows_h, prev, h, row[0]))
        prev = h
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    prev = chain.GENESIS
    for row in conn.execute("SELECT id, at, user, action, what, detail FROM audit_log ORDER BY id").fetchall():
        h = chain.audit_hash(prev, chain.audit_content(*row))
        conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, row[0]))
        prev = h
    conn.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                 "BEGIN SELECT RAISE(ABORT, 'Nhật ký kiểm tra chỉ được ghi thêm: không được sửa.'); END")


# entity -> (versions table, key columns): the row versions a revision wrote, for its hash.
ENTITY_VERSIONS = {
    "assessment": ("assessment_versions", ("year", "code")),
    "route": ("route_versions", ("route_id",)),
    "target": ("target_versions", ("year", "scope")),
    "setting": ("setting_versions", ("key",)),
}


def sqlite_revision_rows(conn, rev_id: int) -> list[tuple]:
    """(entity, key parts, data, demo) of every row version written by ``rev_id`` (placeholder ``?``)."""
    out = []
    for entity, (vtable, cols) in ENTITY_VERSIONS.items():
        kc = ", ".join(cols)
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (vtable,)).fetchone()
        if not exists:
            continue
        for r in conn.execute(f"SELECT {kc}, data, demo FROM {vtable} WHERE rev_id = ?", (rev_id,)).fetchall():
            n = len(cols)
            out.append((entity, tuple(r[:n]), r[n], r[n + 1]))
    return out


# Logged-in sessions, for an idle timeout every app server on the store agrees on: last_seen by the
# database's clock (SQLite: seconds since 1970 from julianday('now'), the machine holding the file).
_V25 = """
CREATE TABLE app_sessions (
    id         TEXT PRIMARY KEY,
    user       TEXT NOT NULL,
    started_at REAL NOT NULL,
    last_seen  REAL NOT NULL
);
CREATE INDEX app_sessions_user ON app_sessions(user);
"""
# PostgreSQL has had the table (TIMESTAMPTZ columns) since its own version 1001 (geo/store/pg_schema.py).
_V25_POSTGRESQL = "SELECT 1; -- app_sessions: PostgreSQL-only version 1001"

MIGRATIONS: list[Migration] = [
    Migration(1, "core: revisions, versions, current tables", _V1),
    Migration(2, "audit_log", _V2),
    Migration(3, "users, login_state", _V3),
    Migration(20, "settings (legacy slide list)", LEGACY_SETTINGS_SQL),
    Migration(21, "settings as a revisioned entity", _V21),
    Migration(22, "login throttle per name, client, pair", _V22),
    Migration(23, "tamper evidence: hash chain columns", _V23, after_sqlite=_backfill_hashes),
    Migration(24, "append-only revisions and row versions", _V24),
    Migration(25, "app sessions (idle timeout shared by every server on the store)", _V25,
              postgresql=_V25_POSTGRESQL),
]


def _norm(sql: str) -> str:
    return " ".join(sql.split())


def register(version: int, sql: str, *, postgresql: str | None = None, name: str = "registered") -> None:
    """Add a migration (tests; round-1 modules). Registering an existing version with the same SQL
    is harmless (geo.present of round 1 registers version 20); different SQL is refused."""
    for m in MIGRATIONS:
        if m.version == version:
            if _norm(m.sqlite) == _norm(sql):
                return
            raise ValueError(f"migration {version} already registered")
    MIGRATIONS.append(Migration(version, name, sql, postgresql))


def ordered() -> list[Migration]:
    """Every migration as a :class:`Migration` (tests may have appended plain tuples), by version."""
    out = []
    for m in MIGRATIONS:
        out.append(m if isinstance(m, Migration) else Migration(int(m[0]), "registered", m[1]))
    return sorted(out, key=lambda m: m.version)


def pending(applied: set[int]) -> list[Migration]:
    """The migrations a backend still has to apply, in version order."""
    return [m for m in ordered() if m.version not in applied]


def _statements(sql: str):
    buf = ""
    for part in sql.split(";"):
        buf += part + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n\t;"):
                yield buf
            buf = ""
    if buf.strip(" \n\t;"):
        raise ValueError(f"incomplete SQL statement in migration: {buf[:80]!r}")


def current_version(conn: sqlite3.Connection) -> int:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version "
                 "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
    return int(row[0])


def _applied(conn: sqlite3.Connection) -> set[int]:
    return {int(v) for (v,) in conn.execute("SELECT version FROM schema_version")}


def migrate(conn: sqlite3.Connection) -> list[int]:
    """SQLite runner: apply every migration not yet recorded, in version order; returns those applied.

    Each version is tracked on its own (not just the highest), so a migration registered later
    with a lower number is still applied. ``conn`` is autocommit."""
    applied = []
    # Read-only check first, so reopening an up-to-date file writes nothing.
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'").fetchone()
    todo = ordered()
    if exists and {m.version for m in todo} <= _applied(conn):
        return applied
    for m in todo:
        conn.execute("BEGIN IMMEDIATE")
        try:
            current_version(conn)  # creates schema_version on a new file
            if m.version in _applied(conn):  # done earlier, or by another process just now
                conn.execute("COMMIT")
                continue
            for stmt in _statements(m.sqlite):
                conn.execute(stmt)
            if m.after_sqlite is not None:
                m.after_sqlite(conn)
            conn.execute("INSERT INTO schema_version(version, applied_at) VALUES (?, ?)",
                         (m.version, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")))
            conn.execute("COMMIT")
            applied.append(m.version)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return applied
