"""The maps the pages and the exports show.

Two entry points:

- ``view_map(yv, view, lang=…, app=…) -> MapResult`` for a :class:`geo.yearview.YearView` and a
  :class:`geo.yearview.View` (``overview | key | route:ID | commune:CODE``): the one path pages,
  exports and slides should use; ``change_view_map(yv_a, yv_b, …)`` for the change map.
- the plain builders (``overview``, ``key``, ``route``, ``commune``, ``change``) on a status frame
  (``geo.frame.build_frame``), a list of routes and a counts dict, also returning
  :class:`MapResult`; ``overview_map``/``route_map``/``key_map``/``commune_map``/``change_map``
  are the old names returning the bare :class:`folium.Map` (kept for old callers).

A :class:`MapResult` carries the map, its legend HTML (for a legend beside the map), the routes
drawn and the counts its legend shows: nothing is hung on the folium.Map. Every map has no CDN
resource: ``app=True`` loads Leaflet from the app's static files (streamlit-folium), ``app=False``
loads nothing (the HTML exporter inlines it). Who is a key commune, and every count, comes from
:mod:`geo.model` (``category``/``is_key``, ``count_categories``).
"""

from __future__ import annotations

import html
import importlib
import importlib.util
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import folium
import geopandas as gpd
import shapely

from ..crs import PROVINCE_EXTENT
from ..i18n import t
from ..model import KEY_CATEGORIES, Route, is_key_category, key_count
from ..yearview import neighbours  # noqa: F401  (old callers: views.neighbours)
from ..model import count_categories as _count_cats
from . import base, border, changes, layers, legend, routes as routes_mod, style
from .demo_mark import add_demo_mark
from .tooltip import category_label, tooltip_html

# commune names and ✓/I/II/III marks on the map (geo/maps/labels.py, look helper), once merged
_labels = (importlib.import_module(f"{__package__}.labels")
           if importlib.util.find_spec(f"{__package__}.labels") else None)

PAD = 0.06  # fraction of the extent added around a zoomed view


@dataclass(frozen=True)
class MapResult:
    """A built map and what was put on it."""

    map: folium.Map
    legend_html: str  # the legend's inner HTML (escaped), for a legend beside the map
    routes_drawn: tuple = ()  # the routes in force drawn on the map
    counts: Mapping[str, int] = field(default_factory=dict)  # what the legend counts
    title: str | None = None  # the view's title (exports, slides)


@dataclass
class MapSpec:
    """Everything :func:`compose` needs to put the shared layers on a map."""

    frame: Any  # status frame (EPSG:4326)
    routes: Sequence[Route]
    year: int | None
    legend_html: str
    styles: dict
    lang: str = "vi"
    demo: Any = False  # DemoFlags or bool
    app: bool = True
    bounds: list | None = None
    tips: dict | None = None
    basemap: bool = False
    route_highlight: str | None = None
    collapsed: bool | None = None
    former_districts: bool = True
    legend_inside: bool | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    title: str | None = None
    static: layers.Basemap | None = None  # default: layers.static_basemap()
    label_codes: Any = None  # communes whose names are always shown (route, commune views)
    label_first: Any = None  # communes placed before every other name (the commune of a commune view)
    symbols: bool = True  # category symbols on the communes (not on the change map)


def _bounds(geoms, pad: float = PAD) -> list[list[float]]:
    x0, y0, x1, y1 = shapely.union_all(list(geoms)).bounds
    dx, dy = (x1 - x0) * pad + 0.005, (y1 - y0) * pad + 0.005
    return [[y0 - dy, x0 - dx], [y1 + dy, x1 + dx]]


def province_bounds(frame: gpd.GeoDataFrame | None = None) -> list[list[float]]:
    x0, y0, x1, y1 = frame.total_bounds if frame is not None and len(frame) else PROVINCE_EXTENT
    return [[float(y0), float(x0)], [float(y1), float(x1)]]


def count_categories(frame: gpd.GeoDataFrame) -> dict[str, int]:
    """Units per category in a frame (geo.model.count_categories of its ``category`` column)."""
    return _count_cats(frame["category"])


def routes_for_year(routes: list[Route], year: int | None) -> list[Route]:
    return [r for r in routes if year is None or r.in_force(year)]


def _codes_on_route(frame, route_id: str) -> set[str]:
    out = set()
    if "routes" not in frame:
        return out
    for code, rs in zip(frame["code"], frame["routes"]):
        try:
            if rs is not None and route_id in list(rs):
                out.add(str(code))
        except TypeError:
            continue
    return out


def key_codes(frame) -> set[str]:
    """The key communes of a status frame: THE rule (geo.model.is_key) through each ``category``."""
    return {str(c) for c, cat in zip(frame["code"], frame["category"]) if is_key_category(cat)}


def _styles(frame, *, faded: set[str] | None = None, focus: set[str] | None = None) -> dict[str, dict]:
    st = layers.commune_styles(frame)
    faded, focus = set(faded or ()), set(focus or ())
    for code in faded | focus:
        st[code] = style.commune_state(st.get(code, {}), faded=code in faded, focused=code in focus)
    return st


def compose(spec: MapSpec) -> MapResult:
    """The shared layers of every view, in order, with the legend and the demo mark."""
    static = spec.static or layers.static_basemap()
    m = base.new_map(spec.bounds or province_bounds(spec.frame), app=spec.app)
    style.apply(m)
    layers.add_communes(m, spec.frame, spec.lang, styles=spec.styles, tips=spec.tips)
    layers.add_province_outline(m, spec.lang, geoms=static.province)
    if spec.former_districts:
        layers.add_former_districts(m, spec.lang, show=False, geoms=static.former_districts)
    year_routes = routes_for_year(list(spec.routes or []), spec.year)
    routes_mod.add_routes(m, year_routes, spec.lang, highlight=spec.route_highlight)
    border.add_border(m, spec.lang)
    if _labels is not None:
        _labels.add_commune_marks(m, spec.frame, spec.lang, always=spec.label_codes, first=spec.label_first,
                                  symbols_on=spec.symbols)
    layers.add_optional_basemap(m, spec.lang, spec.basemap)
    layers.add_layer_control(m, collapsed=spec.app if spec.collapsed is None else spec.collapsed)
    # In the app the legend stands beside the map (readable, never covering it) and the demo mark
    # is a compact badge, the page's own banner saying the rest; exports carry both in the map.
    inside = (not spec.app) if spec.legend_inside is None else spec.legend_inside
    if inside:
        legend.Legend(spec.legend_html, aria=t("legend.title", spec.lang)).add_to(m)
    add_demo_mark(m, spec.lang, spec.demo, compact=spec.app and not inside)
    return MapResult(map=m, legend_html=spec.legend_html, routes_drawn=tuple(year_routes),
                     counts=dict(spec.counts), title=spec.title)


def _strip_route_word(name: str) -> str:
    """"Tuyến Quốc lộ 2" -> "Quốc lộ 2" (the templates already say "tuyến")."""
    n = (name or "").strip()
    return n[6:].lstrip() if n[:6].lower() == "tuyến " and len(n) > 6 else n


def route_title(rt: Route, year: int, lang: str = "vi") -> str:
    """"Tuyến trọng điểm Quốc lộ 2 – năm 2025" — never "Tuyến trọng điểm Tuyến …"."""
    return t("export.title.route", lang, name=_strip_route_word(rt.name or rt.id), year=year)


def route_legend_title(rt: Route, lang: str = "vi") -> str:
    return t("legend.route", lang, name=_strip_route_word(rt.name or rt.id))


def _extra_entries(routes, year, lang, highlight=None):
    return routes_mod.legend_entries(routes_for_year(routes or [], year), lang, highlight=highlight) + [
        border.legend_entry(lang)]


def overview(frame: gpd.GeoDataFrame, routes: list[Route], *, year: int, lang: str = "vi", demo=False,
             counts: Mapping[str, int] | None = None, app: bool = True, focus_code: str | None = None,
             bounds=None, highlight_codes=None, basemap: bool = False) -> MapResult:
    """The province coloured by category, routes on top, border, legend with ``counts``.

    ``focus_code`` zooms to that commune and outlines it; ``highlight_codes`` (e.g. the result of
    the page's filters) fades every other commune without dropping any geometry.
    """
    counts = dict(counts) if counts is not None else count_categories(frame)
    codes = set(map(str, frame["code"]))
    faded = codes - set(map(str, highlight_codes)) if highlight_codes is not None else set()
    focus = {str(focus_code)} if focus_code else set()
    if focus_code and bounds is None:
        sel = frame[frame["code"].astype(str) == str(focus_code)]
        if len(sel):
            bounds = _bounds(sel.geometry, pad=0.6)
    leg = legend.legend_html(t("legend.title", lang), legend.category_entries(counts, lang), lang,
                             extra=_extra_entries(routes, year, lang),
                             subtitle=t("legend.year", lang, year=year))
    return compose(MapSpec(frame, routes, year, leg, _styles(frame, faded=faded, focus=focus), lang=lang,
                           demo=demo, app=app, bounds=bounds, basemap=basemap, counts=counts,
                           title=t("export.title.overview", lang, year=year), label_codes=focus))


def route(frame: gpd.GeoDataFrame, routes: list[Route], route_id: str, *, year: int, lang: str = "vi",
          demo=False, counts: Mapping[str, int] | None = None, app: bool = True,
          basemap: bool = False) -> MapResult:
    """Zoomed to one route's corridor; the communes it crosses in full colour, the rest faded.

    The legend counts the communes on the route (unless ``counts`` is given)."""
    rt = next((r for r in routes if r.id == route_id), None)
    if rt is None:
        raise KeyError(f"Không có tuyến {route_id!r}")
    on = _codes_on_route(frame, route_id)
    if not on and "routes" not in frame and rt.geometry_wkt:
        band = routes_mod.corridor(rt)
        on = {str(c) for c, g in zip(frame["code"], frame.geometry.values) if g.intersects(band)}
    if counts is None:
        counts = count_categories(frame[frame["code"].astype(str).isin(on)])
    codes = set(map(str, frame["code"]))
    bounds = _bounds([routes_mod.corridor(rt)], pad=0.08) if rt.geometry_wkt else None
    leg = legend.legend_html(route_legend_title(rt, lang), legend.category_entries(counts, lang), lang,
                             extra=_extra_entries([rt], None, lang), subtitle=t("legend.year", lang, year=year))
    others = [r for r in routes if r.id != route_id]
    return compose(MapSpec(frame, [rt] + others, year, leg, _styles(frame, faded=codes - on), lang=lang,
                           demo=demo, app=app, bounds=bounds, basemap=basemap, route_highlight=route_id,
                           counts=dict(counts), title=route_title(rt, year, lang), label_codes=on))


def key(frame: gpd.GeoDataFrame, routes: list[Route], *, year: int, lang: str = "vi", demo=False,
        counts: Mapping[str, int] | None = None, app: bool = True, basemap: bool = False) -> MapResult:
    """The key communes (geo.model.is_key) in full colour, the others faded; legend of the classes.

    The highlighted set and the legend both come from each unit's ``category``, so a commune both
    drug-free and classed (refused by the store; shown drug-free) is never highlighted as key."""
    keyed = key_codes(frame)
    counts = dict(counts) if counts is not None else count_categories(frame)
    n_key = key_count(counts)
    leg = legend.legend_html(t("legend.key", lang, n=n_key), legend.category_entries(counts, lang, KEY_CATEGORIES),
                             lang, extra=_extra_entries(routes, year, lang), subtitle=t("legend.year", lang, year=year))
    codes = set(map(str, frame["code"]))
    return compose(MapSpec(frame, routes, year, leg, _styles(frame, faded=codes - keyed), lang=lang, demo=demo,
                           app=app, basemap=basemap, counts={c: counts.get(c, 0) for c in KEY_CATEGORIES},
                           title=t("export.title.key", lang, year=year)))


def commune(frame: gpd.GeoDataFrame, code: str, *, routes: list[Route] | None = None, year: int,
            lang: str = "vi", demo=False, counts: Mapping[str, int] | None = None, app: bool = True,
            basemap: bool = False) -> MapResult:
    """One commune outlined, zoomed with its neighbours (their status in the legend)."""
    near = neighbours(frame, code)
    group = {str(code), *near}
    sub = frame[frame["code"].astype(str).isin(group)]
    counts = dict(counts) if counts is not None else count_categories(sub)
    name = str(frame.loc[frame["code"].astype(str) == str(code), "name"].iloc[0])
    codes = set(map(str, frame["code"]))
    leg = legend.legend_html(t("legend.commune", lang, name=name), legend.category_entries(counts, lang), lang,
                             extra=_extra_entries(routes, year, lang), subtitle=t("legend.year", lang, year=year))
    return compose(MapSpec(frame, routes or [], year, leg, _styles(frame, faded=codes - group, focus={str(code)}),
                           lang=lang, demo=demo, app=app, bounds=_bounds(sub.geometry, pad=0.05), basemap=basemap,
                           counts=counts, title=t("export.title.commune", lang, name=name, year=year),
                           label_codes=group, label_first={str(code)}))


def change(change_frame: gpd.GeoDataFrame, *, year_from: int, year_to: int, lang: str = "vi", demo=False,
           routes: list[Route] | None = None, counts: Mapping[str, int] | None = None, app: bool = True,
           basemap: bool = False) -> MapResult:
    """Communes coloured by their change between two years (``geo.changes.change_frame``)."""
    counts = dict(counts) if counts is not None else changes.count_changes(change_frame)
    styles, tips = {}, {}
    for rec in change_frame.drop(columns="geometry").to_dict("records"):
        code, ch = str(rec["code"]), rec.get("change") or changes.UNCHANGED
        styles[code] = {"fillColor": changes.CHANGE_COLOURS[ch],
                        "fillOpacity": 0.55 if ch == changes.UNCHANGED else 0.85}
        labels = [changes.change_label(c, lang) for c in (rec.get("changes") or [])]
        extra = (f'<br><span class="tq-k">{html.escape(t("map.tip.change", lang, a=year_from, b=year_to))}:</span> '
                 + html.escape("; ".join(labels) if labels else changes.change_label(changes.UNCHANGED, lang)))
        if rec.get("category_before"):
            extra += (f'<br><span class="tq-k">{html.escape(str(year_from))}:</span> '
                      + html.escape(category_label(str(rec["category_before"]), lang)))
        tips[code] = tooltip_html(rec, lang) + extra
    entries = [{"key": c, "label": changes.change_label(c, lang), "count": int(counts.get(c, 0)),
                "swatch": style.swatch_html(changes.CHANGE_COLOURS[c], changes.CHANGE_SYMBOLS[c],
                                            changes.CHANGE_TEXT[c])} for c in changes.CHANGES]
    leg = legend.legend_html(t("legend.change", lang, a=year_from, b=year_to), entries, lang,
                             extra=_extra_entries(routes, year_to, lang))
    return compose(MapSpec(change_frame, routes or [], year_to, leg, styles, lang=lang, demo=demo, app=app,
                           tips=tips, basemap=basemap, counts=counts,
                           title=t("export.title.change", lang, a=year_from, b=year_to), symbols=False))


# --- from a year view ---------------------------------------------------------------------------


def view_map(yv, view, *, lang: str = "vi", app: bool = True, basemap: bool = False,
             focus_code: str | None = None, highlight_codes=None, bounds=None) -> MapResult:
    """The map of ``view`` (a :class:`geo.yearview.View` or its text) for the year view ``yv``.

    Unknown routes/communes raise :class:`geo.yearview.ViewError` (Vietnamese). The legend counts
    are the year view's (:meth:`geo.yearview.YearView.focus`); the demo mark says per item what is
    illustrative (``yv.demo``)."""
    from ..yearview import View

    view = View.parse(view)
    fc = yv.focus(view)  # validates the route/commune
    kw = dict(year=yv.year, lang=lang, demo=yv.demo, app=app, basemap=basemap)
    routes = list(yv.routes)
    if view.kind == "overview":
        return overview(yv.frame, routes, counts=fc.counts, focus_code=focus_code, highlight_codes=highlight_codes,
                        bounds=bounds, **kw)
    if view.kind == "key":
        return key(yv.frame, routes, counts=yv.counts, **kw)
    if view.kind == "route":
        return route(yv.frame, routes, fc.route.id, counts=fc.counts, **kw)
    return commune(yv.frame, fc.code, routes=routes, counts=fc.counts, **kw)


def change_view_map(yv_from, yv_to, *, lang: str = "vi", app: bool = True, basemap: bool = False) -> MapResult:
    """The change map between two year views (demo mark: either year's illustrative items)."""
    from ..model import DemoFlags

    cf = changes.change_frame(yv_from.frame, yv_to.frame)
    a, b = yv_from.demo, yv_to.demo
    demo = DemoFlags(a.statuses or b.statuses, a.routes or b.routes, a.targets or b.targets)
    return change(cf, year_from=yv_from.year, year_to=yv_to.year, lang=lang, demo=demo, routes=list(yv_to.routes),
                  app=app, basemap=basemap)


# --- old names: the bare folium.Map --------------------------------------------------------------


def _legacy(res: MapResult) -> folium.Map:
    # Old callers (ui/mapview.legend) read these two attributes; new code uses MapResult.
    res.map.tq_legend_html = res.legend_html
    res.map.tq_year_routes = list(res.routes_drawn)
    return res.map


def overview_map(*args, **kwargs) -> folium.Map:
    """:func:`overview` returning the bare map (old callers; prefer :func:`view_map`)."""
    return _legacy(overview(*args, **kwargs))


def route_map(*args, **kwargs) -> folium.Map:
    """:func:`route` returning the bare map (old callers; prefer :func:`view_map`)."""
    return _legacy(route(*args, **kwargs))


def key_map(*args, **kwargs) -> folium.Map:
    """:func:`key` returning the bare map (old callers; prefer :func:`view_map`)."""
    return _legacy(key(*args, **kwargs))


def commune_map(*args, **kwargs) -> folium.Map:
    """:func:`commune` returning the bare map (old callers; prefer :func:`view_map`)."""
    return _legacy(commune(*args, **kwargs))


def change_map(*args, **kwargs) -> folium.Map:
    """:func:`change` returning the bare map (old callers; prefer :func:`change_view_map`)."""
    return _legacy(change(*args, **kwargs))
