"""Priority routes: each a line on top of the map with its corridor as a translucent band.

The corridor is the line buffered by ``half_width_km`` in UTM 48N (EPSG:32648, metres), the same
definition the programme uses to find the communes on a route. Route names and ids come from
imported files: every label and tooltip is escaped.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

import folium
import shapely
from shapely import wkt
from shapely.ops import transform

from ..corridors import _TO_LL, _TO_M, corridor_metric
from ..i18n import fmt_num, t
from ..model import Route
from . import style
from .compact import CompactGeoJson

CORRIDOR_SIMPLIFY_M = 25.0
LINE_SIMPLIFY_M = 15.0
LABEL_MAX = 24


@functools.lru_cache(maxsize=256)
def _line(geometry_wkt: str):
    line_m = transform(_TO_M.transform, wkt.loads(geometry_wkt))
    return transform(_TO_LL.transform, line_m.simplify(LINE_SIMPLIFY_M))


@functools.lru_cache(maxsize=256)
def _band(route_id: str, geometry_wkt: str, half_width_km: float):
    band = corridor_metric(Route(id=route_id, name="", geometry_wkt=geometry_wkt, half_width_km=half_width_km))
    return transform(_TO_LL.transform, band.simplify(CORRIDOR_SIMPLIFY_M))


def route_line(route: Route):
    """The route's line (EPSG:4326), lightly simplified for display."""
    return _line(route.geometry_wkt)


def corridor(route: Route):
    """The corridor (geo.corridors: the line buffered by ``half_width_km`` in EPSG:32648), simplified
    by 25 m for display, in EPSG:4326."""
    return _band(route.id, route.geometry_wkt, float(route.half_width_km))


def label_point(line):
    """Where a route's label goes: the middle of its longest part."""
    parts = list(line.geoms) if hasattr(line, "geoms") else [line]
    longest = max(parts, key=lambda g: g.length)
    return longest.interpolate(0.5, normalized=True)


def route_colour(index: int) -> str:
    return style.ROUTE_COLOURS[index % len(style.ROUTE_COLOURS)]


def route_dash(index: int) -> str | None:
    return style.ROUTE_DASHES[index % len(style.ROUTE_DASHES)]


_PREFIX = re.compile(r"^\s*tuyến\s+", re.IGNORECASE)


def short_label(route: Route) -> str:
    """The route's label on a map: its name, shortened in Vietnamese, never its id when it has one.

    "Tuyến biên giới Việt Nam – Trung Quốc (khu vực Hà Giang cũ)" -> "Biên giới Việt Nam";
    "Tuyến Quốc lộ 2 (cửa khẩu …)" -> "Quốc lộ 2". Drops the leading "Tuyến", any parenthesis,
    then what follows a dash, then trailing words, until it fits ``LABEL_MAX`` characters.
    (The id, e.g. "BIEN-GIOI", is shown only for a route without a name.)"""
    name = unicodedata.normalize("NFC", (route.name or "").strip())
    if not name:
        return route.id
    name = _PREFIX.sub("", name)
    name = re.sub(r"\s*\(.*?\)\s*", " ", name).strip() or name
    if len(name) > LABEL_MAX:
        name = re.split(r"\s+[–—-]\s+", name)[0].strip()
    words = name.split()
    while len(words) > 1 and len(" ".join(words)) > LABEL_MAX:
        words.pop()
    name = " ".join(words)
    return name[:1].upper() + name[1:]


def route_tip(route: Route, lang: str = "vi") -> str:
    e = html.escape
    lines = [f"<b>{e(route.name or route.id)}</b>",
             f'<span class="tq-k">{e(t("map.route.id", lang))}:</span> {e(route.id)}',
             f'<span class="tq-k">{e(t("map.route.corridor", lang))}:</span> '
             f'± {e(fmt_num(route.half_width_km, 1, lang))} km']
    if route.description:
        lines.append(e(route.description[:240]))
    return "<br>".join(lines)


def add_routes(m, routes: list[Route], lang: str = "vi", *, highlight: str | None = None,
               labels: bool = True, show: bool = True) -> folium.FeatureGroup | None:
    """Corridors (translucent bands) and lines (on top) of ``routes`` in one toggleable group.

    With ``highlight`` (a route id) the other routes are drawn thin and pale.
    Returns the group (``None`` when there is no route with a geometry).
    """
    routes = [r for r in routes if r.geometry_wkt]
    if not routes:
        return None
    bands, lines, casings, label_list = [], [], [], []
    for i, r in enumerate(routes):
        colour = route_colour(i)
        dim = highlight is not None and r.id != highlight
        bands.append((corridor(r), {"rid": r.id, "st": {
            "fillColor": colour, "fillOpacity": 0.05 if dim else 0.16, "color": colour,
            "opacity": 0.25 if dim else 0.55, "weight": 1, "dashArray": "4 4"}}))
        props = {"rid": r.id, "tip": route_tip(r, lang), "st": {
            "color": colour, "weight": 2.5 if dim else 4.5, "opacity": 0.45 if dim else 0.95}}
        if route_dash(i):
            props["st"]["dashArray"] = route_dash(i)
        line = route_line(r)
        if not dim:  # a white casing under the line keeps it readable on every fill
            casings.append((line, {"st": {"color": style.ROUTE_CASING, "weight": 8, "opacity": 0.9}}))
        if labels and not dim:
            pt = label_point(line)
            label_list.append((pt.y, pt.x, html.escape(short_label(r))))
        lines.append((line, props))
    group = folium.FeatureGroup(name=t("map.routes", lang), overlay=True, show=show)
    CompactGeoJson(bands, key="corridors", name="corridors", pane="tq-corridors",
                   style={"fill": True, "className": "tq-corridor"}, interactive=False,
                   control=False).add_to(group)
    if casings:
        CompactGeoJson(casings, key="route_casings", name="route_casings", pane="tq-routes",
                       style={"fill": False, "lineCap": "round", "lineJoin": "round",
                              "className": "tq-route-casing"}, interactive=False,
                       control=False).add_to(group)
    CompactGeoJson(lines, key="routes", name="routes", pane="tq-routes",
                   style={"fill": False, "lineCap": "round", "lineJoin": "round", "className": "tq-route"},
                   hover={"weight": 7, "opacity": 1}, control=False, labels=label_list).add_to(group)
    group.add_to(m)
    return group


def legend_entries(routes: list[Route], lang: str = "vi", *, highlight: str | None = None) -> list[dict]:
    """Line swatches for the legend (one per route, escaped by the legend)."""
    out = []
    for i, r in enumerate([r for r in routes if r.geometry_wkt]):
        if highlight is not None and r.id != highlight:
            continue
        out.append({"key": f"route:{r.id}", "label": r.name or r.id,
                     "swatch": style.swatch_html(None, line=route_colour(i), dashed=bool(route_dash(i)))})
    return out


def bounds_of(route: Route) -> list[list[float]]:
    """[[south, west], [north, east]] of the route's corridor."""
    x0, y0, x1, y1 = corridor(route).bounds
    return [[y0, x0], [y1, x1]]


def union_bounds(geoms) -> list[list[float]]:
    x0, y0, x1, y1 = shapely.union_all(list(geoms)).bounds
    return [[y0, x0], [y1, x1]]
