"""The Vietnam–China border, labelled as DERIVED from the administrative map, not surveyed."""

from __future__ import annotations

import html

from .. import boundaries
from ..i18n import t
from . import style
from .compact import CompactGeoJson


def add_border(m, lang: str = "vi", *, show: bool = True) -> CompactGeoJson:
    gdf = boundaries.layer("border_cn_web")
    tip = (f"<b>{html.escape(t('map.border.short', lang))}</b><br>"
           f"{html.escape(t('map.border.derived', lang))}")
    feats = [(g, {"tip": tip}) for g in gdf.geometry]
    layer = CompactGeoJson(feats, key="border", name=t("map.border", lang), pane="tq-border",
                           style={"color": style.BORDER_COLOUR, "weight": 2.6, "opacity": 0.95,
                                  "dashArray": "10 4 2 4", "fill": False, "className": "tq-border"},
                           hover={"weight": 5}, show=show)
    layer.add_to(m)
    return layer


def legend_entry(lang: str = "vi") -> dict:
    return {"key": "border", "label": t("map.border.legend", lang),
            "swatch": style.swatch_html(None, line=style.BORDER_COLOUR, dashed=True)}

