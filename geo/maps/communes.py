"""The commune layer: 124 polygons with an escaped Vietnamese tooltip."""

from __future__ import annotations

import html

import folium
import geopandas as gpd

from ..i18n import fmt_int, t

DEFAULT_STYLE = {"fillColor": "#d9d9d9", "color": "#555555", "weight": 0.8, "fillOpacity": 0.75}


def tooltip_html(row, lang: str = "vi", extra: list[tuple[str, str]] | None = None) -> str:
    """Tooltip body with every value escaped (names and notes may hold anything)."""
    lines = [f"<b>{html.escape(str(row['name']))}</b>"]
    lines.append(f"{t('field.code', lang)}: {html.escape(str(row['code']))}")
    if row.get("population") is not None:
        lines.append(f"{t('field.population', lang)}: {fmt_int(row['population'], lang)}")
    for label, value in extra or []:
        lines.append(f"{html.escape(label)}: {html.escape(str(value))}")
    return "<br>".join(lines)


def add_communes(m: folium.Map, gdf: gpd.GeoDataFrame, lang: str = "vi", style_fn=None,
                 name: str | None = None) -> folium.GeoJson:
    """Add the communes; ``gdf`` must have ``tip`` (safe HTML) or the basic columns to build it."""
    gdf = gdf.copy()
    if "tip" not in gdf:
        gdf["tip"] = [tooltip_html(r, lang) for r in gdf.to_dict("records")]
    keep = [c for c in ("code", "name", "tip", "fill", "category") if c in gdf] + ["geometry"]
    style = style_fn or (lambda f: {**DEFAULT_STYLE, "fillColor": f["properties"].get("fill") or DEFAULT_STYLE["fillColor"]})
    layer = folium.GeoJson(
        gdf[keep].__geo_interface__, name=name or t("map.communes", lang), style_function=style,
        highlight_function=lambda f: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        smooth_factor=0.5,
    )
    layer.add_to(m)
    return layer
