"""The empty map every view starts from: no tiles by default, Leaflet from local files only."""

from __future__ import annotations

import folium

from . import assets

# The province's extent (lon/lat), used to fit every overview map.
PROVINCE_BOUNDS = [[21.50, 104.30], [23.40, 105.95]]
BACKGROUND = "#f4f1ea"


def new_map(bounds=None, *, app: bool = True, height: str | int = "100%") -> folium.Map:
    """A Leaflet map fitted to ``bounds`` with no basemap and no CDN resources.

    ``app=True`` points Leaflet at the files Streamlit serves; ``app=False`` (standalone export)
    leaves the scripts out: the exporter inlines them.
    """
    # keyboard=False in the app: Leaflet focuses its container on mousedown for keyboard panning,
    # and focusing an iframe that is partly off-screen scrolls the page between mousedown and
    # mouseup, so a click on a commune would land on another one (or none).
    m = folium.Map(location=[22.45, 105.12], zoom_start=8, tiles=None, control_scale=True,
                   prefer_canvas=False, zoom_snap=0.25, height=height, keyboard=not app)
    m.default_js = assets.app_js() if app else []
    m.default_css = assets.app_css() if app else []
    m.get_root().header.add_child(folium.Element(
        f"<style>.leaflet-container{{background:{BACKGROUND};}}</style>"), name="tq_background")
    m.fit_bounds(bounds or PROVINCE_BOUNDS)
    return m


def add_basemap(m: folium.Map, lang: str = "vi") -> None:
    """Optional OpenStreetMap tiles (needs internet), off until the user ticks it."""
    from ..i18n import t

    folium.TileLayer("OpenStreetMap", name=t("map.basemap", lang), overlay=True, show=False,
                     attr="© OpenStreetMap contributors").add_to(m)
