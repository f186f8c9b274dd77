"""The programme-data store: one small interface (:class:`Store`), SQLite by default.

    store = open_store()            # $TQMAP_DB or data/app.db; created and migrated on first use
    store.assessments(2025)         # {code: Assessment}

Every write is one transaction and one revision (who, when, why); history is never rewritten.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..model import Assessment, Route, Target


class StoreError(ValueError):
    """A write the store refuses (message in Vietnamese); nothing has been written."""


@dataclass(frozen=True)
class Revision:
    id: int
    at: str  # UTC ISO 8601
    user: str
    reason: str
    kind: str
    summary: str
    source: str
    demo: bool = False


@dataclass(frozen=True)
class Change:
    entity: str  # 'assessment' | 'route' | 'target'
    key: str  # '2025/00694' | 'QL2' | '2025/ministry'
    field: str  # a field name, or '*' when the whole row appears or disappears
    before: Any
    after: Any


@runtime_checkable
class Store(Protocol):
    def years(self) -> list[int]: ...
    def assessments(self, year: int) -> dict[str, Assessment]: ...
    def upsert_assessments(self, year: int, items: list[Assessment], *, user: str, reason: str,
                           source: str = "", demo: bool = False) -> int: ...
    def replace_year(self, year: int, items: list[Assessment], *, user: str, reason: str,
                     source: str = "", demo: bool = False) -> int: ...
    def routes(self, year: int | None = None) -> list[Route]: ...
    def put_routes(self, routes: list[Route], *, user: str, reason: str, replace: bool = False,
                   demo: bool = False) -> int: ...
    def delete_route(self, route_id: str, *, user: str, reason: str) -> int: ...
    def targets(self) -> list[Target]: ...
    def put_targets(self, targets: list[Target], *, user: str, reason: str) -> int: ...
    def is_demo(self, year: int | None = None) -> bool: ...
    def revisions(self, limit: int = 200) -> list[Revision]: ...
    def diff(self, rev_a: int, rev_b: int) -> list[Change]: ...
    def restore(self, rev_id: int, *, user: str, reason: str) -> int: ...
    def data_version(self) -> int: ...
    def close(self) -> None: ...


def default_path() -> Path:
    from ..paths import DATA_DIR

    env = os.environ.get("TQMAP_DB")
    return Path(env) if env else DATA_DIR / "app.db"


# Modules that own tables in the store and register their migrations when imported. They are
# imported before any store is opened, so every file gets the whole schema whatever the caller
# imported first.
SCHEMA_MODULES = ("geo.audit", "geo.auth", "geo.present")


def open_store(path: str | Path | None = None) -> "Store":
    """Open (creating folders, file and schema if needed) the SQLite store."""
    import importlib

    for mod in SCHEMA_MODULES:
        importlib.import_module(mod)
    from .sqlite import SQLiteStore

    return SQLiteStore(Path(path) if path else default_path())


__all__ = ["Store", "StoreError", "Revision", "Change", "open_store", "default_path"]
