"""Every map page of the app — Overview, key communes, route, commune profile, progress/change —
fits one screen at 1024×768, 1280×720, 1366×768 and 1920×1080 (the Overview also at 4K), in
Vietnamese and (at the smallest and the largest) in English: no page scroll, the map the largest
thing, title/figures/downloads/print on screen, no text or table column cut off. The map is found
either as streamlit-folium's iframe or as the persistent `.tq-live` map. Screenshots in
tests/artifacts/layout/ (taken once the map is painted)."""

from __future__ import annotations

import pytest

from tests.layout_checks import MAP_JS, SIZES, check_map_page, stable_screenshot, wait_app_map_painted

PAGES = {"overview": "/?nam=2025", "key": "/xa_trong_diem?nam=2025", "route": "/tuyen?nam=2025&tuyen=QL2",
         "profile": "/ho_so_xa?xa=00694&nam=2025", "progress": "/tien_do"}
CASES = ([(p, s, "vi") for p in PAGES for s in SIZES]
         + [(p, s, "en") for p in PAGES for s in ((1024, 768), (1920, 1080))]
         + [("overview", (3840, 2160), "vi")])


@pytest.mark.parametrize("name,size,lang", CASES, ids=lambda v: v if isinstance(v, str) else f"{v[0]}x{v[1]}")
def test_map_page_fits_one_screen(browser, streamlit_server, artifacts_dir, name, size, lang):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="vi-VN")
    pg = ctx.new_page()
    try:
        url = PAGES[name] + ("&" if "?" in PAGES[name] else "?") + f"lang={lang}"
        pg.goto(streamlit_server.url + url)
        where = f"{name} ({lang}) @ {size[0]}×{size[1]}"
        try:
            wait_app_map_painted(pg)
        except Exception:  # keep what the page showed and the map's state, then fail as before
            shot = artifacts_dir / "layout" / f"FAILED_{name}_{lang}_{size[0]}x{size[1]}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(shot))
            state = pg.evaluate(f"() => ({{map: ({MAP_JS})(), fit: document.documentElement.getAttribute('data-tq-fit'),"
                                " error: (document.querySelector('.tq-live') || {getAttribute: () => null})"
                                ".getAttribute('data-tq-error'), script: (document.querySelector("
                                "'[data-test-script-state]') || {getAttribute: () => null})"
                                ".getAttribute('data-test-script-state')})")
            print(f"{where}: map not painted and fitted; state {state}; screenshot {shot}")
            raise
        stable_screenshot(pg, artifacts_dir / "layout" / f"page_{name}_{lang}_{size[0]}x{size[1]}.png")
        b = check_map_page(pg, where, downloads=(name != "progress"))
        text = b["text"]
        assert "DỮ LIỆU MINH HỌA" in text, where
        if lang == "en":  # the public-demo notice and the page in English
            assert "Chế độ trình diễn" not in text and "Legend" in text, where
        if name == "profile":  # the main status whole, in the first figure of the strip
            first = pg.evaluate("() => { const e = document.querySelector('.tq-strip .tq-si .v');"
                                " return [e.innerText, e.scrollWidth, e.clientWidth]; }")
            want = "Trọng điểm phức tạp loại I" if lang == "vi" else "class I"
            assert want.lower() in first[0].lower() and first[1] <= first[2] + 1, (where, first)
        if name == "progress":  # the whole chart in its scrolling area as the page opens (its years too)
            chart, area = pg.evaluate("() => [document.querySelector('.tq-progress-chart svg'),"
                                      " document.querySelector('.st-key-tq_growscroll')].map(e => {"
                                      " const r = e.getBoundingClientRect(); return [r.top, r.bottom, r.height]; })")
            assert chart[2] > 100 and area[0] - 0.5 <= chart[0] and chart[1] <= area[1] + 0.5, (where, chart, area)
        if name == "overview":
            for want in ("35/124", "28,2%" if lang == "vi" else "28.2%", "71"):
                assert want in text, (where, want)
    finally:
        ctx.close()
