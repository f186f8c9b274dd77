"""The wall view (/tuong?nam=2025) on a real Streamlit server: one screen with no scroll at
1024×768 … 1920×1080 and 4K, nothing clipped (title, KPI strip, legend, map, demo mark), the
headline figures on screen, the legend beside the map (never over it); and it refreshes itself
when the data change. Screenshots in tests/artifacts/layout/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import StreamlitServer
from tests.layout_checks import SIZES, stable_screenshot, area, assert_inside, assert_no_scroll, overlap, wait_painted, wall_frame


@pytest.mark.parametrize("size", SIZES + ((3840, 2160),), ids=lambda s: f"{s[0]}x{s[1]}")
def test_wall_fits_one_screen(browser, streamlit_server, artifacts_dir, size):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="vi-VN")
    pg = ctx.new_page()
    external = []
    pg.on("request", lambda r: r.url.startswith("http") and "127.0.0.1" not in r.url and external.append(r.url))
    try:
        pg.goto(streamlit_server.url + "/tuong?nam=2025")
        fr = wall_frame(pg)
        wait_painted(fr)
        where = f"wall @ {size[0]}×{size[1]}"
        shot = artifacts_dir / "layout" / f"wall_{size[0]}x{size[1]}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        stable_screenshot(pg, shot)
        assert external == []
        assert_no_scroll(pg, where + " (page)")
        assert_no_scroll(fr, where + " (wall document)")
        # the wall document fills the window (no Streamlit chrome around it)
        box = pg.evaluate("() => { const r = document.querySelector('.st-key-tq_wall iframe').getBoundingClientRect();"
                          " return [r.left, r.top, r.right, r.bottom]; }")
        assert [round(v) for v in box] == [0, 0, size[0], size[1]], (where, box)
        boxes = assert_inside(fr, [".tq-wall-head h1", ".tq-strip .tq-si", ".tq-wall-meta", ".tq-wall-demo",
                                   ".tq-wall-aside .tq-legend", ".folium-map"], where)
        text = fr.evaluate("() => document.querySelector('.tq-strip').innerText")
        for want in ("35/124", "28,2%", "71", "+8,2 điểm phần trăm"):
            assert want in text, (where, want, text)
        assert "↑" not in text
        legend, the_map = boxes[".tq-wall-aside .tq-legend"][0], boxes[".folium-map"][0]
        assert overlap(legend, the_map) == 0, f"{where}: legend over the map"
        assert area(the_map) >= 0.55 * size[0] * size[1], f"{where}: the map is not the hero"
        # the province is inside the map: every commune centre on screen
        off = fr.evaluate("""() => { const m = Object.values(window).find(v => v instanceof L.Map), s = m.getSize();
            let n = 0; window.tqLayers.marks.eachLayer(mk => { const p = m.latLngToContainerPoint(mk.getLatLng());
            if (p.x < 0 || p.y < 0 || p.x > s.x || p.y > s.y) n++; }); return n; }""")
        assert off == 0, f"{where}: {off} communes outside the map"
    finally:
        ctx.close()


def test_wall_refreshes_when_the_data_change(browser, demo_db, tmp_path):
    """A new revision in the store reaches the screen without anyone touching it."""
    from geo import service
    from geo.model import DEFAULT_TARGETS
    from geo.store import open_store

    db = tmp_path / "wall.db"
    shutil.copy(demo_db, db)
    server = StreamlitServer({"TQMAP_DB": str(db), "TQMAP_PUBLIC_DEMO": "1"}, tmp_path / "st.log")
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        pg = ctx.new_page()
        pg.goto(server.url + "/tuong?nam=2025")
        fr = wall_frame(pg)
        before = fr.evaluate("() => document.querySelector('.tq-wall-head').dataset.version")
        store = open_store(db)
        try:
            service.put_targets(store, list(DEFAULT_TARGETS), user="test", reason="kiểm tra màn hình treo tường")
            after_expected = str(store.data_version())
        finally:
            store.close()
        assert after_expected != before
        pg.wait_for_function(
            """(want) => { const f = document.querySelector('.st-key-tq_wall iframe');
                 const d = f && f.contentDocument; const h = d && d.querySelector('.tq-wall-head');
                 return !!h && h.dataset.version === want; }""", arg=after_expected, timeout=60000)
    finally:
        ctx.close()
        server.stop()
