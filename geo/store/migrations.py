"""Schema migrations for the SQLite store: an ordered list of ``(version, sql)``.

Other modules add their own (users, audit, settings) with :func:`register`; versions must be
unique, and every missing one is applied, whatever order they were registered in. Each migration runs in one transaction together with its ``schema_version`` row,
so a failure leaves the schema as it was. Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[tuple[int, str]] = [
    (1, """
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
"""),
]


def register(version: int, sql: str) -> None:
    """Add a migration (called at import time by a module that owns tables). Versions are unique;
    the order of registration does not matter: :func:`migrate` applies every missing version."""
    if any(v == version for v, _ in MIGRATIONS):
        raise ValueError(f"migration {version} already registered")
    MIGRATIONS.append((version, sql))


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
    """Apply every registered migration not yet recorded, in version order; returns those applied.

    Each version is tracked on its own (not just the highest), so a migration registered later
    with a lower number is still applied. ``conn`` is autocommit."""
    import datetime as dt

    applied = []
    # Read-only check first, so reopening an up-to-date file writes nothing.
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'").fetchone()
    if exists and {v for v, _ in MIGRATIONS} <= _applied(conn):
        return applied
    for version, sql in sorted(MIGRATIONS):
        conn.execute("BEGIN IMMEDIATE")
        try:
            current_version(conn)  # creates schema_version on a new file
            if version in _applied(conn):  # done earlier, or by another process just now
                conn.execute("COMMIT")
                continue
            for stmt in _statements(sql):
                conn.execute(stmt)
            conn.execute("INSERT INTO schema_version(version, applied_at) VALUES (?, ?)",
                         (version, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")))
            conn.execute("COMMIT")
            applied.append(version)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return applied
