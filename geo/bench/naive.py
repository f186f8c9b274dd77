"""The naive baseline the benchmark compares against: what one writes first with folium.

``folium.GeoJson`` of the RAW 124 published boundary files (read from the source mirror through
:func:`geo.sources.fetch`, no simplification, full 15-digit coordinates), coloured by the year's
category with a ``style_function``, on ``folium.Map``'s defaults (OpenStreetMap tiles, Leaflet,
jQuery, Bootstrap and Font Awesome from CDNs); saved with ``Map.save`` defaults, and in Streamlit
shown with ``st_folium(m)`` with default arguments and no caching: every rerun re-reads the files
and rebuilds the map.

The Streamlit side is ``bench/naive_app.py`` (geo/ never imports Streamlit):
``TQMAP_DB=<store> streamlit run bench/naive_app.py`` (a year selectbox "Năm" and a category
multiselect "Tình trạng" in the sidebar, a KPI metric, the map).
"""

from __future__ import annotations

import json

import folium

from geo import manifest, sources
from geo.maps.style import CATEGORY_COLOURS
from geo.model import category

CENTRE = (22.35, 105.15)


def raw_features() -> list[dict]:
    """The 124 raw published features, as the files have them."""
    mirror = sources.default_mirror()
    feats = []
    for _code, (fname, _digest) in sorted(manifest.WARD_FILES.items()):
        with open(sources.fetch(manifest.WARDS_DIR + fname, mirror), encoding="utf-8") as f:
            feats.extend(json.load(f)["features"])
    return feats


def naive_map(categories: dict[str, str] | None = None, only: list[str] | None = None) -> folium.Map:
    """``categories``: code -> category (colour); ``only``: keep these categories (a filter)."""
    feats = raw_features()
    cats = categories or {}
    if only:
        feats = [f for f in feats if cats.get(f["properties"].get("code")) in only]
    m = folium.Map(location=CENTRE, zoom_start=8)

    def style(f):
        return {"fillColor": CATEGORY_COLOURS.get(cats.get(f["properties"].get("code")), "#3388ff"),
                "color": "#333", "weight": 1, "fillOpacity": 0.7}

    folium.GeoJson({"type": "FeatureCollection", "features": feats}, style_function=style).add_to(m)
    return m


def categories_from_store(store, year: int) -> dict[str, str]:
    return {code: category(a) for code, a in store.assessments(year).items()}
