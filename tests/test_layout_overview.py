"""The Overview in the app at 1024×768 … 1920×1080: the whole province inside the map without any
page scroll, the map filling what the compact KPI strip leaves, the downloads and the print button
visible beside it, nothing clipped (tests/layout_checks.check_map_page). The map is streamlit-folium's
iframe or the persistent `.tq-live` map. Screenshots in tests/artifacts/layout/."""

from __future__ import annotations

import pytest

from tests.layout_checks import SIZES, check_map_page, stable_screenshot, wait_app_map_painted

# every commune centre (the commune marks) inside the map's own viewport; run in the map's window
CENTRES_OFF_JS = """() => { const m = window.tqLiveMap || window.map; const s = m.getSize(); let n = 0, all = 0;
  window.tqLayers.marks.eachLayer(mk => { all++; const p = m.latLngToContainerPoint(mk.getLatLng());
  if (p.x < 0 || p.y < 0 || p.x > s.x || p.y > s.y) n++; }); return [n, all]; }"""


# how much of the map's height or width the view's extent (the province) takes
# the bounds the page's fit keeps in view: the map's ``data-tq-fitted`` ("WxH" then the bounds' JSON)
FILL_JS = """() => { const m = window.tqLiveMap, f = m.getContainer().getAttribute('data-tq-fitted'), s = m.getSize();
  const b = L.latLngBounds(JSON.parse(f.slice(f.indexOf('['))));
  const a = m.latLngToContainerPoint(b.getNorthWest()), c = m.latLngToContainerPoint(b.getSouthEast());
  return Math.max((c.y - a.y) / s.y, (c.x - a.x) / s.x); }"""


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_overview_map_is_the_hero(browser, streamlit_server, artifacts_dir, size):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="vi-VN")
    pg = ctx.new_page()
    try:
        pg.goto(streamlit_server.url + "/?nam=2025")
        info = wait_app_map_painted(pg, minimum=100)
        where = f"overview @ {size[0]}×{size[1]}"
        stable_screenshot(pg, (artifacts_dir / "layout").joinpath(f"overview_{size[0]}x{size[1]}.png"))
        check_map_page(pg, where)
        x0, top, x1, bottom = info["box"]
        assert bottom <= size[1] and bottom - top >= 0.5 * size[1], f"{where}: map {top:.0f}–{bottom:.0f}"
        win = pg if info["live"] else pg.query_selector('iframe[title="streamlit_folium.st_folium"]').content_frame()
        win.wait_for_function("() => window.tqLayers && window.tqLayers.marks", timeout=60000)
        off, total = win.evaluate(CENTRES_OFF_JS)
        assert total == 124 and off == 0, f"{where}: {off} of {total} commune centres outside the map"
        # fitted with small padding: the province's extent fills the map's height or width (≥ 80 %)
        fill = win.evaluate(FILL_JS)
        assert fill >= 0.8, f"{where}: the province fills only {fill:.0%} of the map"
    finally:
        ctx.close()
