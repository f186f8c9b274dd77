"""The maps the pages and the exports show. Plain inputs: a status frame (see
``geo.status.status_frame``), a list of :class:`geo.model.Route`, a counts dict, flags.

Every view returns a :class:`folium.Map` with no CDN resource: ``app=True`` loads Leaflet from the
app's static files (streamlit-folium), ``app=False`` loads nothing (the HTML exporter inlines it).
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import shapely

from ..i18n import t
from ..model import CATEGORIES, CLASSES, Route
from . import base, border, changes, labels, layers, legend, routes as routes_mod, style
from .demo_mark import add_demo_mark
from .tooltip import category_label, tooltip_html

PAD = 0.06  # fraction of the extent added around a zoomed view


def _bounds(geoms, pad: float = PAD) -> list[list[float]]:
    x0, y0, x1, y1 = shapely.union_all(list(geoms)).bounds
    dx, dy = (x1 - x0) * pad + 0.005, (y1 - y0) * pad + 0.005
    return [[y0 - dy, x0 - dx], [y1 + dy, x1 + dx]]


def province_bounds(frame: gpd.GeoDataFrame) -> list[list[float]]:
    x0, y0, x1, y1 = frame.total_bounds
    return [[float(y0), float(x0)], [float(y1), float(x1)]]


def count_categories(frame: gpd.GeoDataFrame) -> dict[str, int]:
    counts = {c: 0 for c in CATEGORIES}
    for c in frame["category"]:
        counts[str(c)] = counts.get(str(c), 0) + 1
    return counts


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


def _styles(frame, *, faded: set[str] | None = None, focus: set[str] | None = None) -> dict[str, dict]:
    st = layers.commune_styles(frame)
    for code in faded or ():
        st[code] = {**st.get(code, {}), **style.FADED}
    for code in focus or ():
        st[code] = {**st.get(code, {}), **style.FOCUS}
    return st


def _compose(frame, routes, *, year, lang, demo, app, bounds, styles, legend_html_str, basemap,
             route_highlight=None, tips=None, collapsed=None, former_districts=True, legend_inside=None,
             label_codes=None, symbols=True):
    m = base.new_map(bounds or province_bounds(frame), app=app)
    style.apply(m)
    layers.add_communes(m, frame, lang, styles=styles, tips=tips)
    layers.add_province_outline(m, lang)
    if former_districts:
        layers.add_former_districts(m, lang, show=False)
    year_routes = routes_for_year(routes or [], year)
    routes_mod.add_routes(m, year_routes, lang, highlight=route_highlight)
    border.add_border(m, lang)
    labels.add_commune_marks(m, frame, lang, always=label_codes, symbols_on=symbols)  # look: names + ✓/I/II/III
    layers.add_optional_basemap(m, lang, basemap)
    layers.add_layer_control(m, collapsed=app if collapsed is None else collapsed)
    # In the app the legend stands beside the map (readable, never covering it) and the demo mark
    # is a compact badge, the page's own banner saying the rest; exports carry both in the map.
    inside = (not app) if legend_inside is None else legend_inside
    if inside:
        legend.Legend(legend_html_str, aria=t("legend.title", lang)).add_to(m)
    m.tq_legend_html = legend_html_str
    add_demo_mark(m, lang, demo, compact=app and not inside)
    m.tq_year_routes = year_routes  # for exporters (which routes were drawn)
    return m


def _extra_entries(routes, year, lang, highlight=None):
    return routes_mod.legend_entries(routes_for_year(routes or [], year), lang, highlight=highlight) + [
        border.legend_entry(lang)]


def overview_map(frame: gpd.GeoDataFrame, routes: list[Route], *, year: int, lang: str = "vi",
                 demo: bool = False, counts: dict[str, int] | None = None, app: bool = True,
                 focus_code: str | None = None, bounds=None, highlight_codes=None,
                 basemap: bool = False) -> folium.Map:
    """The province coloured by category, routes on top, border, legend with ``counts``.

    ``focus_code`` zooms to that commune and outlines it; ``highlight_codes`` (e.g. the result of
    the page's filters) fades every other commune without dropping any geometry.
    """
    counts = counts if counts is not None else count_categories(frame)
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
    return _compose(frame, routes, year=year, lang=lang, demo=demo, app=app, bounds=bounds,
                    styles=_styles(frame, faded=faded, focus=focus), legend_html_str=leg, basemap=basemap,
                    label_codes=focus)


def route_map(frame: gpd.GeoDataFrame, routes: list[Route], route_id: str, *, year: int, lang: str = "vi",
              demo: bool = False, counts: dict[str, int] | None = None, app: bool = True,
              basemap: bool = False) -> folium.Map:
    """Zoomed to one route's corridor; the communes it crosses in full colour, the rest faded.

    The legend counts the communes on the route (unless ``counts`` is given)."""
    route = next((r for r in routes if r.id == route_id), None)
    if route is None:
        raise KeyError(f"Không có tuyến {route_id!r}")
    on = _codes_on_route(frame, route_id)
    if not on and route.geometry_wkt:
        band = routes_mod.corridor(route)
        on = {str(c) for c, g in zip(frame["code"], frame.geometry.values) if g.intersects(band)}
    if counts is None:
        counts = count_categories(frame[frame["code"].astype(str).isin(on)])
    codes = set(map(str, frame["code"]))
    bounds = _bounds([routes_mod.corridor(route)], pad=0.08) if route.geometry_wkt else None
    leg = legend.legend_html(t("legend.route", lang, name=route.name or route.id),
                             legend.category_entries(counts, lang), lang,
                             extra=_extra_entries([route], None, lang) , subtitle=t("legend.year", lang, year=year))
    others = [r for r in routes if r.id != route_id]
    return _compose(frame, [route] + others, year=year, lang=lang, demo=demo, app=app, bounds=bounds,
                    styles=_styles(frame, faded=codes - on), legend_html_str=leg, basemap=basemap,
                    route_highlight=route_id, label_codes=on)


def key_map(frame: gpd.GeoDataFrame, routes: list[Route], *, year: int, lang: str = "vi", demo: bool = False,
            counts: dict[str, int] | None = None, app: bool = True, basemap: bool = False) -> folium.Map:
    """The key communes (class I/II/III) in full colour, the others faded; legend of the classes."""
    key = {str(c) for c, k in zip(frame["code"], frame["complexity_class"]) if isinstance(k, str) and k in CLASSES}
    counts = counts if counts is not None else count_categories(frame)
    cats = ("class_I", "class_II", "class_III")
    n_key = sum(int(counts.get(c, 0)) for c in cats)
    leg = legend.legend_html(t("legend.key", lang, n=n_key), legend.category_entries(counts, lang, cats), lang,
                             extra=_extra_entries(routes, year, lang), subtitle=t("legend.year", lang, year=year))
    codes = set(map(str, frame["code"]))
    return _compose(frame, routes, year=year, lang=lang, demo=demo, app=app, bounds=None,
                    styles=_styles(frame, faded=codes - key), legend_html_str=leg, basemap=basemap)


def neighbours(frame: gpd.GeoDataFrame, code: str) -> list[str]:
    """Codes of the communes sharing a boundary with ``code`` (sorted)."""
    sel = frame[frame["code"].astype(str) == str(code)]
    if not len(sel):
        raise KeyError(f"Không có xã mã {code!r}")
    g = sel.geometry.values[0].buffer(1e-4)
    hit = shapely.intersects(g, frame.geometry.values)
    return sorted(str(c) for c, h in zip(frame["code"], hit) if h and str(c) != str(code))


def commune_map(frame: gpd.GeoDataFrame, code: str, *, routes: list[Route] | None = None, year: int,
                lang: str = "vi", demo: bool = False, counts: dict[str, int] | None = None,
                app: bool = True, basemap: bool = False) -> folium.Map:
    """One commune outlined, zoomed with its neighbours (their status in the legend)."""
    near = neighbours(frame, code)
    group = {str(code), *near}
    sub = frame[frame["code"].astype(str).isin(group)]
    counts = counts if counts is not None else count_categories(sub)
    name = str(frame.loc[frame["code"].astype(str) == str(code), "name"].iloc[0])
    codes = set(map(str, frame["code"]))
    leg = legend.legend_html(t("legend.commune", lang, name=name), legend.category_entries(counts, lang), lang,
                             extra=_extra_entries(routes, year, lang), subtitle=t("legend.year", lang, year=year))
    return _compose(frame, routes or [], year=year, lang=lang, demo=demo, app=app,
                    bounds=_bounds(sub.geometry, pad=0.05),
                    styles=_styles(frame, faded=codes - group, focus={str(code)}), legend_html_str=leg,
                    basemap=basemap, label_codes=group)


def change_map(change_frame: gpd.GeoDataFrame, *, year_from: int, year_to: int, lang: str = "vi",
               demo: bool = False, routes: list[Route] | None = None, counts: dict[str, int] | None = None,
               app: bool = True, basemap: bool = False) -> folium.Map:
    """Communes coloured by their change between two years (``geo.maps.changes.change_frame``)."""
    counts = counts if counts is not None else changes.count_changes(change_frame)
    styles, tips = {}, {}
    for rec in change_frame.drop(columns="geometry").to_dict("records"):
        code, ch = str(rec["code"]), rec.get("change") or changes.UNCHANGED
        styles[code] = {"fillColor": changes.CHANGE_COLOURS[ch],
                        "fillOpacity": 0.55 if ch == changes.UNCHANGED else 0.85}
        labels = [changes.CHANGE_LABELS[c][1 if lang == "en" else 0] for c in (rec.get("changes") or [])]
        extra = (f'<br><span class="tq-k">{html.escape(t("map.tip.change", lang, a=year_from, b=year_to))}:</span> '
                 + html.escape("; ".join(labels) if labels else changes.CHANGE_LABELS[changes.UNCHANGED][1 if lang == "en" else 0]))
        if rec.get("category_before"):
            extra += (f'<br><span class="tq-k">{html.escape(str(year_from))}:</span> '
                      + html.escape(category_label(str(rec["category_before"]), lang)))
        tips[code] = tooltip_html(rec, lang) + extra
    entries = [{"key": c, "label": changes.CHANGE_LABELS[c][1 if lang == "en" else 0],
                "count": int(counts.get(c, 0)),
                "swatch": style.swatch_html(changes.CHANGE_COLOURS[c], changes.CHANGE_SYMBOLS[c],
                                            changes.CHANGE_TEXT[c])} for c in changes.CHANGES]
    leg = legend.legend_html(t("legend.change", lang, a=year_from, b=year_to), entries, lang,
                             extra=_extra_entries(routes, year_to, lang))
    return _compose(change_frame, routes or [], year=year_to, lang=lang, demo=demo, app=app, bounds=None,
                    styles=styles, tips=tips, legend_html_str=leg, basemap=basemap, symbols=False)
