"""One year view: everything a page, export, sheet or slide shows for one year, built once.

    yv = year_view(store, 2025)       # cached per (store, data version, year); immutable
    yv.frame, yv.routes, yv.membership, yv.kpis, yv.demo, yv.data_version
    View.parse("route:QL2")           # the one parser of view names (ViewError, Vietnamese message)
    invalidate()                      # the one way to drop cached year views (after a write)

The year view is the only place where a year's data is assembled; callers never rebuild frames or
KPIs themselves. Do not modify ``yv.frame``: it is shared (take ``.copy()`` to change it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Mapping

from .model import DemoFlags, Route, Target

VIEW_KINDS = ("overview", "key", "route", "commune")
_ARG_KINDS = ("route", "commune")


class ViewError(ValueError):
    """A view name the app cannot show (message in Vietnamese, says what is allowed)."""


@dataclass(frozen=True)
class View:
    """``overview`` | ``key`` | ``route:ID`` | ``commune:CODE``."""

    kind: str
    arg: str | None = None

    @classmethod
    def parse(cls, text: "str | View") -> "View":
        if isinstance(text, View):
            return text
        kind, _, arg = str(text or "").partition(":")
        kind, arg = kind.strip().lower(), arg.strip()
        if kind in ("overview", "key") and not arg:
            return cls(kind)
        if kind in _ARG_KINDS and arg:
            return cls(kind, arg)
        raise ViewError(f"Kiểu bản đồ không hợp lệ: {str(text)[:80]!r}. Dùng overview, key, route:MÃ_TUYẾN "
                        "hoặc commune:MÃ_XÃ (ví dụ route:QL2, commune:00694).")

    def __str__(self) -> str:
        return self.kind if self.arg is None else f"{self.kind}:{self.arg}"

    @property
    def slug(self) -> str:
        """For file names: ``route_QL2``."""
        return str(self).replace(":", "_")


@dataclass(frozen=True, eq=False)
class YearView:
    year: int
    data_version: int
    frame: Any  # geopandas.GeoDataFrame, one row per unit (see geo.status.status_frame)
    routes: tuple[Route, ...]
    membership: Mapping[str, tuple[str, ...]]  # code -> ids of the routes in force crossing it
    kpis: Mapping[str, Any]  # see geo.status.kpis
    demo: DemoFlags
    targets: tuple[Target, ...] = field(default_factory=tuple)

    def route(self, route_id: str) -> Route | None:
        return next((r for r in self.routes if r.id == route_id), None)


_lock = threading.Lock()
_cache: "OrderedDict[tuple, YearView]" = OrderedDict()
_MAX = 32


def _store_id(store) -> str:
    return str(getattr(store, "url", None) or getattr(store, "path", None) or id(store))


def year_view(store, year: int) -> YearView:
    """The year's view, built once per (store, data version, year)."""
    version = store.data_version()
    key = (_store_id(store), version, int(year))
    with _lock:
        yv = _cache.get(key)
        if yv is not None:
            _cache.move_to_end(key)
            return yv
    yv = _build(store, int(year), version)
    with _lock:
        _cache[key] = yv
        while len(_cache) > _MAX:
            _cache.popitem(last=False)
    return yv


def _build(store, year: int, version: int) -> YearView:
    from . import status

    frame = status.status_frame(store, year)
    routes = tuple(store.routes(year))
    member = {str(c): tuple(rs or ()) for c, rs in zip(frame["code"], frame["routes"])}
    demo = store.demo_flags(year) if hasattr(store, "demo_flags") else DemoFlags(statuses=store.is_demo(year))
    return YearView(year=year, data_version=version, frame=frame, routes=routes, membership=member,
                    kpis=status.kpis(store, year), demo=demo, targets=tuple(store.targets()))


def invalidate() -> None:
    """Drop every cached year view (the next call rebuilds from the store)."""
    with _lock:
        _cache.clear()


__all__ = ["View", "ViewError", "VIEW_KINDS", "YearView", "year_view", "invalidate"]
