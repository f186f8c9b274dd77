"""The programme-data store: THE door to persistence (:class:`Store`), SQLite by default.

    store = open_store()            # $TQMAP_DB (file path, sqlite:///…, postgresql://…) or data/app.db
    store.assessments(2025)         # {code: Assessment}
    with store.batch():             # several writes (data, audit, users, settings): all or none
        rev = store.replace_year(2025, items, user="lan", reason="Số liệu quý IV")
        store.audit("lan", "import", "Nhập trạng thái năm 2025", {"revision": rev})

Layers: pages and the CLI call :mod:`geo.service` (write + audit in one ``batch()`` + cache
invalidation) or :mod:`geo.auth` (accounts, logins); those call a ``Store``; only the backends
(``geo/store/sqlite.py``, ``geo/store/postgres.py``) talk SQL. Every data write is one transaction
and one revision (who, when, why), chained by hash (:mod:`geo.store.chain`); history is never
rewritten. Migrations for every backend: :mod:`geo.store.migrations` (one list).
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..model import Assessment, DemoFlags, Route, Target
from .chain import Break, ChainReport
from .records import (AuditEntry, AuditError, Change, Revision, StoreError, Throttle, UserRecord)


@runtime_checkable
class Store(Protocol):
    """What every backend implements (SQLiteStore today, PostgresStore next). Every write method
    validates first (raising :class:`StoreError` with a located Vietnamese message, nothing
    written) and runs in one transaction, or inside the caller's :meth:`batch`."""

    # --- identity and schema ---
    @property
    def url(self) -> str:
        """``sqlite:////abs/app.db`` or ``postgresql://user@host/db`` (never a password)."""
        ...

    def schema_version(self) -> int: ...
    def data_version(self) -> int:
        """Grows with every revision (data or settings); caches key on it."""
        ...

    def known_codes(self) -> frozenset[str]:
        """The 124 unit codes of the built boundaries."""
        ...

    def batch(self) -> AbstractContextManager["Store"]:
        """Every write inside (data, audit, users, settings, login throttle) commits in ONE
        transaction, or none of them if the block raises."""
        ...

    def close(self) -> None: ...

    # --- programme data ---
    def years(self) -> list[int]: ...
    def assessments(self, year: int) -> dict[str, Assessment]: ...
    def history(self, code: str) -> dict[int, Assessment]: ...
    def routes(self, year: int | None = None) -> list[Route]: ...
    def targets(self) -> list[Target]: ...
    def is_demo(self, year: int | None = None) -> bool: ...
    def demo_flags(self, year: int | None = None) -> DemoFlags: ...
    def upsert_assessments(self, year: int, items: list[Assessment], *, user: str, reason: str,
                           source: str = "", demo: bool = False) -> int: ...
    def replace_year(self, year: int, items: list[Assessment], *, user: str, reason: str,
                     source: str = "", demo: bool = False) -> int: ...
    def put_routes(self, routes: list[Route], *, user: str, reason: str, replace: bool = False,
                   demo: bool = False, source: str = "") -> int: ...
    def delete_route(self, route_id: str, *, user: str, reason: str) -> int: ...
    def put_targets(self, targets: list[Target], *, user: str, reason: str, demo: bool = False) -> int: ...

    # --- settings (revisioned like data; JSON values; the slide list is key "present.slides") ---
    def setting(self, key: str) -> Any | None: ...
    def put_setting(self, key: str, value: Any, *, user: str, reason: str) -> int: ...

    # --- revisions ---
    def revisions(self, limit: int = 200) -> list[Revision]: ...
    def revision(self, rev_id: int) -> Revision | None: ...
    def diff(self, rev_a: int, rev_b: int) -> list[Change]: ...
    def restore(self, rev_id: int, *, user: str, reason: str) -> int: ...

    # --- audit (append-only) ---
    def audit(self, user: str, action: str, what: str, detail: Any = None, *,
              now: dt.datetime | None = None) -> int: ...
    def audit_entries(self, since: dt.datetime | str | None = None, user: str | None = None,
                      action: str | None = None, limit: int | None = 500) -> list[AuditEntry]: ...

    # --- tamper evidence ---
    def verify_chain(self) -> ChainReport: ...

    # --- accounts and login throttling (policy lives in geo.auth) ---
    def users(self) -> list[UserRecord]: ...
    def user(self, name: str) -> UserRecord | None: ...
    def add_user(self, name: str, role: str, password_hash: str, *, now: str) -> None: ...
    def update_user(self, name: str, *, now: str, role: str | None = None, disabled: bool | None = None,
                    password_hash: str | None = None, last_login: str | None = None) -> None: ...
    def throttle(self, scope: str, key: str) -> Throttle | None:
        """Inside ``batch()`` this read is part of the write transaction (SQLite: BEGIN IMMEDIATE
        already serialises writers; PostgreSQL must lock the (scope, key), e.g. an advisory lock)."""
        ...

    def put_throttle(self, t: Throttle) -> None: ...
    def clear_throttle(self, scope: str, key: str | None = None) -> int: ...
    def has_real_data(self) -> bool: ...


def default_path() -> Path:
    """The SQLite file chosen by TQMAP_DB (or data/app.db). Raises ConfigError when TQMAP_DB names
    another backend: use :func:`geo.config.db_url` and :func:`open_store` instead."""
    from ..config import sqlite_path

    return sqlite_path()


# Kept for round-1 callers: modules once imported here to register their tables. Every table now
# lives in geo.store.migrations, so nothing needs importing (a module listed here that registers
# an identical migration is harmless).
SCHEMA_MODULES: tuple[str, ...] = ()


def open_store(target: str | Path | None = None) -> Store:
    """Open (creating folders, file and schema if needed) the store named by ``target``: a file
    path, ``sqlite:///…`` or ``postgresql://…``; default ``$TQMAP_DB`` (see geo.config.db_url).
    Refuses anything else with a Vietnamese :class:`geo.config.ConfigError`."""
    import importlib

    from ..config import parse_db

    for mod in SCHEMA_MODULES:
        importlib.import_module(mod)
    spec = parse_db(target)
    if spec.backend == "postgresql":
        from ..config import ConfigError

        try:
            from .postgres import PostgresStore  # type: ignore[import-not-found]
        except ModuleNotFoundError as exc:
            if exc.name in ("psycopg", "psycopg_pool"):
                raise ConfigError("TQMAP_DB chọn PostgreSQL nhưng thư viện psycopg chưa được cài: chạy "
                                  "“pip install -r requirements.txt” (psycopg[binary], psycopg_pool).") from None
            if exc.name and exc.name.endswith("store.postgres"):
                raise ConfigError("TQMAP_DB chọn PostgreSQL (postgresql://…) nhưng bản này chưa có kho "
                                  "PostgreSQL (geo/store/postgres.py). Dùng tệp SQLite hoặc cập nhật mã.") from None
            raise
        return PostgresStore(spec.url)
    from .sqlite import SQLiteStore

    return SQLiteStore(spec.path)


__all__ = ["Store", "StoreError", "AuditError", "Revision", "Change", "AuditEntry", "UserRecord", "Throttle",
           "ChainReport", "Break", "open_store", "default_path"]
