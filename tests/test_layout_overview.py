"""The Overview in the app at 1024×768 … 1920×1080: the whole province inside the window without
scrolling to it, the map filling what the compact KPI strip leaves, the downloads and the print
button visible, nothing clipped. Screenshots in tests/artifacts/layout/."""

from __future__ import annotations

import pytest

from tests.conftest import map_frame_paths
from tests.layout_checks import BOXES_JS, SIZES, assert_inside, stable_screenshot, wait_painted

MAIN_SCROLL_JS = """() => { const m = document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
  return [m.scrollTop, document.scrollingElement.scrollTop]; }"""


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_overview_map_is_the_hero(browser, streamlit_server, artifacts_dir, size):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="vi-VN")
    pg = ctx.new_page()
    try:
        pg.goto(streamlit_server.url + "/?nam=2025")
        fr, _ = map_frame_paths(pg, minimum=100, timeout_s=90)
        wait_painted(fr)
        # the persistent map sizes itself to the window (fit_below): wait for it (a condition, not a sleep)
        pg.wait_for_function("() => !!window.tqLiveMap && !!document.querySelector('.tq-live[data-tq-fit]')",
                             timeout=30000)
        fr.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        where = f"overview @ {size[0]}×{size[1]}"
        stable_screenshot(pg, (artifacts_dir / "layout").joinpath(f"overview_{size[0]}x{size[1]}.png"))
        w, h = size
        sels = ['.tq-live', ".tq-strip .tq-si", '[data-testid="stDownloadButton"] button',
                ".tq-print", ".tq-legend-side"]
        if size == (1024, 768):
            # the small screen may scroll down to the downloads, but nothing is cut sideways
            sw = pg.evaluate("() => document.documentElement.scrollWidth")
            assert sw <= w, f"{where}: horizontal scroll"
            boxes = pg.evaluate(BOXES_JS, sels)
            for sel, rects in boxes.items():
                assert rects, (where, sel)
                for x0, _, x1, _ in rects:
                    assert x0 >= 0 and x1 <= w + 0.5, f"{where}: {sel} cut at x {x0:.0f}–{x1:.0f}"
        else:
            assert pg.evaluate(MAIN_SCROLL_JS) == [0, 0], where
            assert_inside(pg, sels[:4], where)
            main = pg.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
                return [m.scrollHeight, m.clientHeight]; }""")
            assert main[0] <= main[1] + 1, f"{where}: the page scrolls ({main[0]} > {main[1]})"
        # the whole province inside the map: every commune centre within the map's own viewport
        off = fr.evaluate("""() => { const m = window.tqLiveMap; const s = m.getSize(); let n = 0;
            window.tqLayers.marks.eachLayer(mk => { const p = m.latLngToContainerPoint(mk.getLatLng());
            if (p.x < 0 || p.y < 0 || p.x > s.x || p.y > s.y) n++; }); return n; }""")
        assert off == 0, f"{where}: {off} commune centres outside the map"
        top, bottom = pg.evaluate("""() => { const r = document.querySelector('.tq-live')
                                   .getBoundingClientRect(); return [r.top, r.bottom]; }""")
        if size != (1024, 768):
            assert bottom <= h, f"{where}: the map ends below the window"
            assert bottom - top >= 0.45 * h, f"{where}: map only {bottom - top:.0f} px tall"
    finally:
        ctx.close()
