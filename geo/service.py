"""The ONE place that performs a change for pages and the CLI.

Each function does three things, in this order:

1. the write and its audit entry, in ONE ``store.batch()`` (both commit, or neither does);
2. :func:`geo.yearview.invalidate` so every page, export and slide sees the new data version;
3. returns the new revision id.

Any refusal (:class:`geo.store.StoreError`, Vietnamese, located) leaves the store exactly as it
was, audit included. Pages call these instead of ``store.replace_year`` + ``audit.record``::

    from geo import service
    rev = service.import_assessments(store, 2025, rows, user=user.name, reason="Số liệu quý IV",
                                     source="tq_2025.xlsx")
    rev = service.restore(store, 12, user=user.name, reason="Nhập nhầm tệp")
    service.record_export(store, user.name, "Xuất Excel dữ liệu năm 2025")

Account changes (add user, role, disable, password, unlock) live in :mod:`geo.auth`, already
audited in the same transaction.
"""

from __future__ import annotations

from typing import Any, Iterable

from .model import Assessment, Route, Target
from .store import Store


def _invalidate() -> None:
    from . import yearview

    yearview.invalidate()


def import_assessments(store: Store, year: int, items: Iterable[Assessment], *, user: str, reason: str,
                       source: str, replace: bool = True, demo: bool = False, what: str | None = None,
                       detail: dict | None = None) -> int:
    """Store a year's statuses (``replace``: the year becomes exactly ``items``; else upsert) and
    audit it as ``import``. Returns the revision id."""
    items = list(items)
    with store.batch():
        write = store.replace_year if replace else store.upsert_assessments
        rev = write(year, items, user=user, reason=reason, source=source, demo=demo)
        store.audit(user, "import", what or f"Nhập trạng thái năm {year}" + (f" từ {source}" if source else ""),
                    {"revision": rev, "year": year, "rows": len(items), "replace": bool(replace),
                     "source": source, **(detail or {})})
    _invalidate()
    return rev


def put_routes(store: Store, routes: Iterable[Route], *, user: str, reason: str, replace: bool = False,
               demo: bool = False, source: str = "", what: str | None = None, detail: dict | None = None) -> int:
    """Add or change routes (``replace``: the route list becomes exactly ``routes``), audited as ``import``."""
    routes = list(routes)
    with store.batch():
        rev = store.put_routes(routes, user=user, reason=reason, replace=replace, demo=demo, source=source)
        store.audit(user, "import", what or f"Nhập {len(routes)} tuyến" + (f" từ {source}" if source else ""),
                    {"revision": rev, "routes": [r.id for r in routes][:50], "replace": bool(replace),
                     "source": source, **(detail or {})})
    _invalidate()
    return rev


def delete_route(store: Store, route_id: str, *, user: str, reason: str) -> int:
    """Remove a route (history keeps it), audited as ``edit``."""
    with store.batch():
        rev = store.delete_route(route_id, user=user, reason=reason)
        store.audit(user, "edit", f"Xoá tuyến {route_id}", {"revision": rev, "route": route_id, "reason": reason})
    _invalidate()
    return rev


def put_targets(store: Store, targets: Iterable[Target], *, user: str, reason: str) -> int:
    """Set yearly targets, audited as ``edit``."""
    targets = list(targets)
    with store.batch():
        rev = store.put_targets(targets, user=user, reason=reason)
        store.audit(user, "edit", "Sửa chỉ tiêu", {"revision": rev, "targets": len(targets), "reason": reason})
    _invalidate()
    return rev


def restore(store: Store, rev_id: int, *, user: str, reason: str) -> int:
    """Make the state as of ``rev_id`` current (a new revision), audited as ``restore``."""
    with store.batch():
        rev = store.restore(rev_id, user=user, reason=reason)
        store.audit(user, "restore", f"Khôi phục về phiên bản {rev_id}",
                    {"revision": rev, "restored": rev_id, "reason": reason})
    _invalidate()
    return rev


def save_setting(store: Store, key: str, value: Any, *, user: str, reason: str) -> int:
    """Store a setting (e.g. ``present.slides``) as a revision, audited as ``edit``. Validate the
    value first (e.g. geo.present's slide validation): the store only checks it is JSON."""
    with store.batch():
        rev = store.put_setting(key, value, user=user, reason=reason)
        store.audit(user, "edit", f"Lưu thiết lập {key}", {"revision": rev, "key": key, "reason": reason})
    _invalidate()
    return rev


def record_export(store: Store, user: str, what: str, detail: Any = None) -> int:
    """Audit an export (nothing else changes; no cache to drop). Returns the audit entry id."""
    return store.audit(user, "export", what, detail)


__all__ = ["import_assessments", "put_routes", "delete_route", "put_targets", "restore", "save_setting",
           "record_export"]
