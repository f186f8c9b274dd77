"""Layers every view shares: communes (coloured by status), province outline, former districts,
the layer control and the optional basemap. Plain inputs only (a GeoDataFrame, dicts, a
:class:`Basemap`): builders never read the GeoPackage themselves.

:func:`static_basemap` loads the static layers (province outline, former districts, border) once
per boundaries file identity (path, mtime) — that is data, not a view of the store.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd

from .. import boundaries
from ..i18n import t
from . import style
from .base import add_basemap
from .compact import CompactGeoJson
from .tooltip import tooltip_html


def commune_styles(frame: gpd.GeoDataFrame) -> dict[str, dict]:
    """code -> Leaflet style from the ``category`` column."""
    return {str(c): style.category_style(str(cat)) for c, cat in zip(frame["code"], frame["category"])}


def add_communes(m, frame: gpd.GeoDataFrame, lang: str = "vi", *, styles: dict[str, dict] | None = None,
                 tips: dict[str, str] | None = None, name: str | None = None) -> CompactGeoJson:
    """The commune polygons with per-commune style (default: by ``category``) and escaped tooltips.

    ``frame`` must be in EPSG:4326 with ``code`` and geometry; ``tips`` (code -> safe HTML)
    defaults to :func:`geo.maps.tooltip.tooltip_html` of each row.
    """
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    styles = styles if styles is not None else commune_styles(frame)
    records = frame.drop(columns="geometry").to_dict("records")
    feats = []
    for rec, geom in zip(records, frame.geometry.values):
        code = str(rec["code"])
        tip = tips[code] if tips is not None and code in tips else tooltip_html(rec, lang)
        props = {"code": code, "tip": tip, "st": styles.get(code, {})}
        if "category" in rec and isinstance(rec["category"], str):
            props["cat"] = rec["category"]
        feats.append((geom, props))
    layer = CompactGeoJson(feats, key="communes", name=name or t("map.communes", lang), pane="tq-communes",
                           style=style.BASE_STYLE, hover=style.HOVER_STYLE, defs=style.HATCH_DEFS)
    layer.add_to(m)
    return layer


@dataclass(frozen=True)
class Basemap:
    """The static geometry every map draws under or over the communes (EPSG:4326, web-simplified)."""

    province: tuple  # shapely geometries of the province outline
    former_districts: tuple
    border: tuple  # the Vietnam–China border line(s)
    extent: tuple  # (x0, y0, x1, y1) of the province


@functools.lru_cache(maxsize=4)
def _basemap(path: str, mtime: int) -> Basemap:
    p = Path(path)
    prov = boundaries.layer("province_web", p)
    return Basemap(province=tuple(prov.geometry), former_districts=tuple(boundaries.layer("former_districts_web", p).geometry),
                   border=tuple(boundaries.layer("border_cn_web", p).geometry),
                   extent=tuple(float(v) for v in prov.total_bounds))


def static_basemap(path: Path | None = None) -> Basemap:
    """The :class:`Basemap` of the built boundaries, cached by file identity."""
    from ..config import boundaries_path

    p = Path(path or boundaries_path())
    st = p.stat() if p.is_file() else None
    if st is None:
        boundaries.layer("province_web", p)  # raises BoundariesMissing with its message
    return _basemap(str(p), st.st_mtime_ns)


def add_province_outline(m, lang: str = "vi", geoms=None) -> CompactGeoJson:
    """The province outline (``geoms``: from a :class:`Basemap`; default the static one)."""
    geoms = static_basemap().province if geoms is None else geoms
    layer = CompactGeoJson([(g, {}) for g in geoms], key="province", name=t("map.province", lang),
                           pane="tq-outline", interactive=False, control=False,
                           style={"color": "#212121", "weight": 2.4, "opacity": 1, "fill": False,
                                  "className": "tq-province"})
    layer.add_to(m)
    return layer


def add_former_districts(m, lang: str = "vi", *, show: bool = False, geoms=None) -> CompactGeoJson:
    geoms = static_basemap().former_districts if geoms is None else geoms
    layer = CompactGeoJson([(g, {}) for g in geoms], key="former_districts",
                           name=t("map.former_districts", lang), pane="tq-outline", interactive=False,
                           style={"color": "#1a237e", "weight": 1.6, "opacity": 0.85, "dashArray": "6 4",
                                  "fill": False, "className": "tq-district"}, show=show)
    layer.add_to(m)
    return layer


def add_layer_control(m, *, collapsed: bool = True) -> folium.LayerControl:
    ctl = folium.LayerControl(position="topright", collapsed=collapsed)
    ctl.add_to(m)
    return ctl


def add_optional_basemap(m, lang: str = "vi", basemap: bool = False) -> None:
    """The OSM basemap as an unticked overlay, only when asked (it needs the internet)."""
    if basemap:
        add_basemap(m, lang)
