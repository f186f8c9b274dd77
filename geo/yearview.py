"""One year view: everything a page, export, sheet or slide shows for one year, built once.

    yv = year_view(store, 2025)       # cached per (store url, data version, year); immutable
    yv.frame, yv.routes, yv.membership, yv.kpis, yv.demo, yv.targets, yv.data_version
    yv.counts                         # units per category (legend), == yv.kpis["by_category"]
    View.parse("route:QL2")           # the one parser of view names (ViewError, Vietnamese message)
    yv.focus(View.parse("key"))       # what a view shows: codes in full colour, route, commune, counts
    invalidate()                      # the one way to drop cached year views (after a write)

The year view is the only place where a year's data is assembled; callers never rebuild frames or
KPIs themselves. The rules it applies live in :mod:`geo.model` (category, key commune, KPIs); the
corridor rule in :mod:`geo.corridors`. Do not modify ``yv.frame``: it is shared (take ``.copy()``).

Cache layers: this one (keyed by store url, data version, year) and, in the app, Streamlit's
session/resource cache of the store object only. Static boundary geometry is read once per file
identity by :mod:`geo.boundaries` (that is data, not a view of the store).
"""

from __future__ import annotations

import copy
import copyreg
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from .model import DemoFlags, Route, Target, count_categories, is_key_category, year_kpis

# Read-only mappings (kpis, membership) stay picklable, so a year view can cross a process or cache.
def read_only(d) -> MappingProxyType:
    return MappingProxyType(dict(d))


copyreg.pickle(MappingProxyType, lambda m: (read_only, (dict(m),)))

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

    @property
    def route_id(self) -> str | None:
        return self.arg if self.kind == "route" else None

    @property
    def code(self) -> str | None:
        return self.arg if self.kind == "commune" else None


@dataclass(frozen=True)
class Focus:
    """What one view of one year shows (:meth:`YearView.focus`).

    ``codes``: the communes in full colour (None: all); ``counts``: units per category among them
    (the legend); ``route``/``code``/``name``: the route or commune the view is about."""

    view: View
    codes: frozenset | None
    counts: Mapping[str, int]
    route: Route | None = None
    code: str | None = None
    name: str | None = None


@dataclass(frozen=True, eq=False)
class YearView:
    year: int
    data_version: int
    frame: Any  # geopandas.GeoDataFrame, one row per unit (columns: geo.status.build_frame)
    routes: tuple[Route, ...]  # in force this year
    membership: Mapping[str, tuple[str, ...]]  # code -> ids of the routes in force crossing it
    kpis: Mapping[str, Any]  # geo.model.year_kpis
    demo: DemoFlags
    targets: tuple[Target, ...] = field(default_factory=tuple)
    store_url: str = ""

    def route(self, route_id: str) -> Route | None:
        return next((r for r in self.routes if r.id == route_id), None)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.frame["code"].astype(str))

    @property
    def counts(self) -> dict[str, int]:
        """Units per category over the whole province (the overview legend)."""
        return count_categories(self.frame["category"])

    @property
    def key_codes(self) -> frozenset:
        """THE key communes (geo.model.is_key, through each unit's category)."""
        return frozenset(c for c, cat in zip(self.frame["code"].astype(str), self.frame["category"])
                         if is_key_category(cat))

    def row(self, code: str) -> dict | None:
        sel = self.frame[self.frame["code"].astype(str) == str(code)]
        return None if not len(sel) else sel.drop(columns="geometry").iloc[0].to_dict()

    def on_route(self, route_id: str) -> frozenset:
        return frozenset(c for c, rs in self.membership.items() if route_id in rs)

    def focus(self, view: "View | str") -> Focus:
        """What ``view`` shows; ViewError (Vietnamese) for an unknown route or commune."""
        view = View.parse(view)
        codes = self.frame["code"].astype(str)
        if view.kind == "overview":
            return Focus(view, None, self.counts)
        if view.kind == "key":
            sel = self.key_codes
            return Focus(view, sel, _counts_of(self.frame, sel))
        if view.kind == "route":
            route = self.route(view.arg)
            if route is None:
                known = ", ".join(r.id for r in self.routes) or "(chưa có tuyến nào)"
                raise ViewError(f"Không có tuyến {view.arg!r} trong năm {self.year}. Các tuyến có: {known}.")
            sel = self.on_route(route.id)
            return Focus(view, sel, _counts_of(self.frame, sel), route=route, name=route.name or route.id)
        code = view.arg
        if code not in set(codes):
            raise ViewError(f"Không có xã mã {code!r} (mã gồm 5 chữ số, ví dụ 00694).")
        sel = frozenset({code, *neighbours(self.frame, code)})
        name = str(self.frame.loc[codes == code, "name"].iloc[0])
        return Focus(view, sel, _counts_of(self.frame, sel), code=code, name=name)


def neighbours(frame, code: str) -> list[str]:
    """Codes of the communes sharing a boundary with ``code`` (sorted); KeyError when unknown."""
    import shapely

    sel = frame[frame["code"].astype(str) == str(code)]
    if not len(sel):
        raise KeyError(f"Không có xã mã {code!r}")
    g = sel.geometry.values[0].buffer(1e-4)
    hit = shapely.intersects(g, frame.geometry.values)
    return sorted(str(c) for c, h in zip(frame["code"], hit) if h and str(c) != str(code))


def _counts_of(frame, codes) -> dict[str, int]:
    m = frame["code"].astype(str).isin(set(codes))
    return count_categories(frame.loc[m, "category"])


_lock = threading.Lock()
_build_lock = threading.RLock()
_cache: "OrderedDict[tuple, YearView]" = OrderedDict()
_MAX = 32


def store_id(store) -> str:
    """The store's identity for caching: its URL (``sqlite:////abs/app.db``)."""
    return str(getattr(store, "url", None) or getattr(store, "path", None) or id(store))


def year_view(store, year: int) -> YearView:
    """The year's view, built once per (store url, data version, year)."""
    version = store.data_version()
    key = (store_id(store), version, int(year))
    with _lock:
        yv = _cache.get(key)
        if yv is not None:
            _cache.move_to_end(key)
            return yv
    # One build at a time (the server's warm-up thread and a page may ask together): the second
    # caller waits and takes the first one's result; GEOS objects are never used by two builds at once.
    with _build_lock:
        with _lock:
            yv = _cache.get(key)
        if yv is not None:
            return yv
        yv = build(store, int(year), version)
        with _lock:
            _cache[key] = yv
            while len(_cache) > _MAX:
                _cache.popitem(last=False)
    return yv


def build(store, year: int, version: int | None = None) -> YearView:
    """Assemble a year view from the store (uncached: use :func:`year_view`)."""
    from . import boundaries
    from .corridors import route_membership
    from .status import build_frame

    version = store.data_version() if version is None else version
    communes = boundaries.communes(web=True)
    assessments = store.assessments(year)
    routes = tuple(store.routes(year))
    member = {str(c): tuple(v) for c, v in route_membership(list(routes), communes).items()}
    frame = build_frame(communes, assessments, routes, member, year)
    targets = tuple(store.targets())
    demo = store.demo_flags(year) if hasattr(store, "demo_flags") else DemoFlags(statuses=store.is_demo(year))
    kpis = year_kpis(year, assessments, total_units=len(communes), targets=targets, routes_count=len(routes),
                     demo=demo)
    return YearView(year=year, data_version=version, frame=frame, routes=routes,
                    membership=MappingProxyType(member), kpis=MappingProxyType(kpis), demo=demo,
                    targets=targets, store_url=store_id(store))


def from_frame(frame, routes, year: int, *, kpis: Mapping[str, Any] | None = None, demo=False,
               targets=(), data_version: int = 0) -> YearView:
    """A year view around an already built status frame (old exporter signatures, tests).

    Membership comes from the frame's ``routes`` column when present, else from the corridors;
    ``kpis`` default to the counts the frame allows (no targets). ``demo``: DemoFlags or bool."""
    from .model import key_count

    routes = tuple(r for r in routes if r.in_force(year))
    if "routes" in frame:
        member = {str(c): tuple(rs if isinstance(rs, (list, tuple)) else ()) for c, rs in zip(frame["code"], frame["routes"])}
    else:
        from .corridors import route_membership

        member = {str(c): tuple(v) for c, v in route_membership(list(routes), frame).items()}
    if kpis is None:
        counts = count_categories(frame["category"])
        kpis = {"year": year, "total_units": len(frame), "drug_free": counts["drug_free"],
                "key_count": key_count(counts), "by_category": counts, "routes_count": len(routes)}
    return YearView(year=year, data_version=data_version, frame=frame, routes=routes,
                    membership=MappingProxyType(member), kpis=MappingProxyType(dict(kpis)), demo=DemoFlags.of(demo),
                    targets=tuple(targets))


def kpis_copy(yv: YearView) -> dict:
    """A private, mutable copy of the view's KPIs."""
    return copy.deepcopy(dict(yv.kpis))


def invalidate() -> None:
    """Drop every cached year view (the next call rebuilds from the store)."""
    with _lock:
        _cache.clear()


__all__ = ["View", "ViewError", "VIEW_KINDS", "Focus", "YearView", "year_view", "build", "from_frame",
           "invalidate", "store_id", "kpis_copy", "neighbours"]
