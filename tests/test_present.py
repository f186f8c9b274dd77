"""Presentation mode: the slide list (default order, save/load/validation on a real SQLite file),
the standalone slideshow in headless Chromium from file:// with every other request aborted, the
CLI, and the page in the real app."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import os
import re
import sqlite3
import subprocess
import sys
import time

import pytest

from geo import present
from tests.conftest import db_hash, open_offline_file, real_console_errors
from geo.maps import assets
from geo.paths import REPO_ROOT
from geo.store import open_store

DATE = dt.date(2026, 2, 4)
ROUTE_IDS = ["BIEN-GIOI", "QL2", "QL2C", "QL34", "QL37-279", "QL4C"]




@pytest.fixture()
def store(demo_db, tmp_path):
    """A private copy of the demo store (the shared one serves the Streamlit server)."""
    path = tmp_path / "app.db"
    src, dst = sqlite3.connect(demo_db), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    s = open_store(path)
    yield s
    s.close()


@pytest.fixture(scope="module")
def deck_2026(demo_db, tmp_path_factory):
    s = open_store(demo_db)
    try:
        slides = present.default_slides(s, 2026)
        page = present.slides_html(s, 2026, slides, lang="vi", date=DATE)
    finally:
        s.close()
    path = tmp_path_factory.mktemp("slides") / "trinh-chieu_2026.html"
    path.write_text(page, encoding="utf-8")
    return path, slides, page


# --- the slide list ----------------------------------------------------------------------------


def test_default_slide_order(store):
    s25 = present.default_slides(store, 2025)
    assert [(s["kind"], s["arg"]) for s in s25] == (
        [("overview", None)] + [("route", r) for r in ROUTE_IDS] + [("key", None), ("progress", None)])
    assert [r.id for r in store.routes(2025)] == ROUTE_IDS  # store order
    s26 = present.default_slides(store, 2026)  # 2025 has data too: the change map comes last
    assert [s["kind"] for s in s26] == ["overview"] + ["route"] * 6 + ["key", "progress", "change"]
    assert all(s["title"] is None for s in s26)


def test_save_and_load(store):
    assert present.load_slides(store) is None
    slides = [{"kind": "progress", "arg": None, "title": "  Tiến độ 2030  "},
              {"kind": "route", "arg": "QL2", "title": None},
              {"kind": "overview", "arg": "", "title": ""}]
    clean = present.save_slides(store, slides, user="lan")
    assert clean == [{"kind": "progress", "arg": None, "title": "Tiến độ 2030"},
                     {"kind": "route", "arg": "QL2", "title": None},
                     {"kind": "overview", "arg": None, "title": None}]
    assert present.load_slides(store) == clean
    # a second store object on the same file sees it; a new save replaces it
    other = open_store(store.path)
    try:
        assert present.load_slides(other) == clean
        present.save_slides(other, clean[:1], user="minh")
    finally:
        other.close()
    assert present.load_slides(store) == clean[:1]
    # each save is a revision of the store and an audit entry, by its user
    rev = store.revisions(limit=1)[0]
    assert rev.user == "minh" and rev.kind == "settings"
    entry = store.audit_entries(user="minh", action="edit", limit=1)[0]
    assert present.SETTINGS_KEY in entry.what
    assert store.setting(present.SETTINGS_KEY) == clean[:1]
    # geo.present reaches no store internals and registers no table of its own
    src = "".join(p.read_text(encoding="utf-8") for p in (REPO_ROOT / "geo" / "present").glob("*.py"))
    assert "migrations" not in src and "store._" not in src and "sqlite" not in src


BAD = [
    ([{"kind": "bando", "arg": None}], "Trang chiếu thứ 1: loại trang 'bando' không hợp lệ"),
    ([{"kind": "overview"}, {"kind": "route", "arg": "QL99"}], "Trang chiếu thứ 2: không có tuyến 'QL99'. Các tuyến có: BIEN-GIOI"),
    ([{"kind": "route", "arg": None}], "Trang chiếu thứ 1: không có tuyến None"),
    ([{"kind": "key", "arg": "QL2"}], "không nhận tham số"),
    ([{"kind": "key", "colour": "red"}], "trường không hợp lệ colour"),
    ([{"kind": "key", "title": "x" * 201}], "tối đa 200"),
    ([{"kind": "key", "title": 5}], "tiêu đề phải là chữ"),
    (["overview"], "phải có dạng"),
    ([], "đang trống"),
    ("overview", "phải là một danh sách"),
    ([{"kind": "overview"}] * 61, "tối đa 60"),
]


@pytest.mark.parametrize("slides,message", BAD)
def test_bad_slide_lists_store_nothing(store, slides, message):
    good = present.save_slides(store, [{"kind": "overview", "arg": None, "title": None}], user="lan")
    before = db_hash(store.path)
    with pytest.raises(present.PresentError) as exc:
        present.save_slides(store, slides, user="lan")
    assert message in str(exc.value)
    assert db_hash(store.path) == before
    assert present.load_slides(store) == good


def test_missing_user_stores_nothing(store):
    present.load_slides(store)
    before = db_hash(store.path)
    with pytest.raises(present.PresentError, match="Thiếu tên người lưu"):
        present.save_slides(store, [{"kind": "overview"}], user="  ")
    assert db_hash(store.path) == before


# --- the page as text ----------------------------------------------------------------------------


def test_overview_kpis_and_self_contained(store):
    page = present.slides_html(store, 2025, present.default_slides(store, 2025), date=DATE)
    text = re.sub(r"<[^>]+>", " ", page[page.index("tq-slide-0"):page.index("tq-slide-1")])
    for want in ("35/124", "28,2%", "+8,2 điểm phần trăm so với chỉ tiêu 20% của Bộ Công an", "71", "6",
                 "Loại I: 12 · loại II: 24 · loại III: 35", "DỮ LIỆU MINH HỌA", "Năm 2025", "Ngày 04/02/2026"):
        assert want in text, want
    # Leaflet inlined once for the whole deck, nothing loaded from anywhere
    assert page.count(assets.inline_js()[-300:]) == 1
    assert page.count("L.map(") == 8  # 1 overview + 6 routes + key (2025 has no change slide)
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", page)
    for word in ("unpkg", "cdn.jsdelivr", "cdnjs", "fonts.googleapis", "tile.openstreetmap"):
        assert word not in page
    # the progress chart: one bar per year with data, values in Vietnamese format
    assert page.count('class="tq-c-bar"') == 2 and "35,5%" in page and "100%" in page


def test_user_text_is_escaped(store):
    r = next(r for r in store.routes() if r.id == "QL2")
    evil = '<img src=x onerror="window.__xss=1">Tuyến <b>QL2</b>'
    store.put_routes([dataclasses.replace(r, name=evil)], user="lan", reason="thử")
    page = present.slides_html(store, 2025, [{"kind": "route", "arg": "QL2"},
                                             {"kind": "key", "title": "<script>window.__xss=2</script>"}], date=DATE)
    assert "<img src=x" not in page and "<script>window.__xss" not in page
    assert html.escape(evil) in page
    assert html.escape("<script>window.__xss=2</script>") in page


def test_slides_that_cannot_show_are_left_out(store):
    slides = [{"kind": "change"}, {"kind": "overview"}]
    assert [s["kind"] for s in present.resolve_slides(store, 2025, present.validate_slides(store, slides))] == ["overview"]
    with pytest.raises(present.PresentError, match="Không có trang chiếu nào"):
        present.slides_html(store, 2025, [{"kind": "change"}])


# --- the slideshow in Chromium -------------------------------------------------------------------


def _open(browser, path, viewport=(1920, 1080)):
    return open_offline_file(browser, path, "window.tqSlides && window.tqSlides.index === 0", viewport, timeout_ms=20000)


VISIBLE = "document.querySelector('.tq-slide:not([hidden])')"


def _state(pg) -> dict:
    return pg.evaluate(f"""(() => {{ const s = {VISIBLE}; const h1 = s.querySelector('h1');
        const box = s.querySelector('.tq-s-map'); const r = box ? box.getBoundingClientRect() : null;
        const paths = [...s.querySelectorAll('path.leaflet-interactive')];
        let x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
        for (const p of s.querySelectorAll('path.tq-commune')) {{ const b = p.getBoundingClientRect();
          if (b.width && b.height) {{ x0 = Math.min(x0, b.left); x1 = Math.max(x1, b.right);
            y0 = Math.min(y0, b.top); y1 = Math.max(y1, b.bottom); }} }}
        const demo = s.querySelector('.tq-s-demo');
        return {{index: window.tqSlides.index, visible: document.querySelectorAll('.tq-slide:not([hidden])').length,
          title: h1.textContent, titleVisible: h1.getBoundingClientRect().height > 0,
          titlePx: parseFloat(getComputedStyle(h1).fontSize), kind: s.dataset.kind,
          paths: paths.length, communes: s.querySelectorAll('path.tq-commune').length,
          map: r ? [r.left, r.top, r.right, r.bottom] : null, drawn: [x0, y0, x1, y1],
          demo: demo ? demo.innerText : '', demoShown: !!demo && demo.getBoundingClientRect().height > 0,
          bar: s.querySelector('.tq-s-bar').innerText,
          counter: document.getElementById('tq-counter').textContent}}; }})()""")


def test_slideshow_offline_keys_maps_and_marks(deck_2026, browser, artifacts_dir):
    path, slides, _ = deck_2026
    pg, attempts, errors, ctx = _open(browser, path)
    try:
        info = pg.evaluate("({count: tqSlides.count, titles: tqSlides.titles})")
        assert info["count"] == len(slides) == 10
        titles = info["titles"]
        assert titles[0] == "Toàn tỉnh: xã, phường không ma túy năm 2026"
        assert titles[2].startswith("Tuyến Quốc lộ 2 (") and titles[9] == "Thay đổi từ năm 2025 đến năm 2026"
        # every slide, in order, with the keys a clicker sends
        keys = ["ArrowRight", "PageDown", " ", "ArrowDown", "ArrowRight", "PageDown", " ", "ArrowRight", "ArrowDown"]
        for i in range(10):
            if i:
                pg.keyboard.press(keys[i - 1])
            if slides[i]["kind"] != "progress":
                pg.wait_for_function(f"{VISIBLE}.querySelectorAll('path.leaflet-interactive').length > 0", timeout=15000)
            st = _state(pg)
            assert st["index"] == i and st["visible"] == 1 and st["title"] == titles[i]
            assert st["counter"] == f"{i + 1}/10"
            assert st["titleVisible"] and st["titlePx"] >= 28
            assert st["demoShown"] and "DỮ LIỆU MINH HỌA" in st["demo"]
            assert "Năm 2026" in st["bar"] and "Ngày 04/02/2026" in st["bar"]
            assert st["kind"] == slides[i]["kind"]
            if st["kind"] == "progress":
                assert pg.evaluate(f"{VISIBLE}.querySelectorAll('svg.tq-chart rect.tq-c-bar').length") == 2
                assert "35,5%" in pg.evaluate(f"{VISIBLE}.querySelector('svg.tq-chart').textContent")
            else:
                assert st["paths"] > 0 and st["communes"] == 124
                # the map was sized while visible: the drawn communes lie inside its box and fill much of it
                mx0, my0, mx1, my1 = st["map"]
                dx0, dy0, dx1, dy1 = st["drawn"]
                if st["kind"] in ("overview", "key", "change"):
                    assert mx0 - 2 <= dx0 and dx1 <= mx1 + 2 and my0 - 2 <= dy0 and dy1 <= my1 + 2
                    assert (dy1 - dy0) > 0.8 * (my1 - my0), st
            if i == 0:
                pg.screenshot(path=str(artifacts_dir / "present_overview.png"))
            if slides[i]["arg"] == "QL2":
                pg.screenshot(path=str(artifacts_dir / "present_route_QL2.png"))
            if st["kind"] == "progress":
                pg.screenshot(path=str(artifacts_dir / "present_progress.png"))
        # the overview slide says the year's figures
        pg.keyboard.press("Home")
        assert _state(pg)["index"] == 0
        kpi = pg.inner_text(".tq-slide:not([hidden]) .tq-kpis")
        assert "44/124" in kpi and "35,5%" in kpi
        # backwards, and the ends
        for key, want in [("End", 9), ("ArrowLeft", 8), ("PageUp", 7), ("ArrowUp", 6), ("ArrowRight", 7),
                          ("Home", 0), ("ArrowLeft", 0), ("End", 9), ("ArrowRight", 9), ("PageUp", 8)]:
            pg.keyboard.press(key)
            st = _state(pg)
            assert st["index"] == want, key
            assert st["title"] == titles[want]
        # on-screen buttons
        pg.click("#tq-next")
        assert _state(pg)["index"] == 9
        pg.click("#tq-prev")
        pg.click("#tq-prev")
        assert _state(pg)["index"] == 7
        # a key pressed while the map has focus still moves the slides (not the map)
        pg.click(f"{'.tq-slide:not([hidden]) .tq-s-map'}", position={"x": 40, "y": 400})
        pg.keyboard.press("ArrowRight")
        assert _state(pg)["index"] == 8
        assert pg.locator("#tq-fs").is_visible()
        # F: full screen on and off (announced on the button and in the key help)
        assert "(F)" in pg.inner_text("#tq-fs") and "F" in pg.inner_text("#tq-keys")
        pg.keyboard.press("f")
        pg.wait_for_function("!!document.fullscreenElement", timeout=5000)
        pg.keyboard.press("F")
        pg.wait_for_function("!document.fullscreenElement", timeout=5000)
        # L: the legend folds away and comes back; the button says which
        pg.keyboard.press("Home")
        pg.wait_for_function(f"{VISIBLE}.dataset.legend !== undefined", timeout=5000)
        assert pg.get_attribute("#tq-legend", "aria-pressed") == "true"
        pg.keyboard.press("l")
        assert pg.evaluate(f"{VISIBLE}.dataset.legend") == "3"
        assert not pg.locator(".tq-slide:not([hidden]) .tq-legend").is_visible()
        assert pg.get_attribute("#tq-legend", "aria-pressed") == "false"
        pg.click("#tq-legend")
        assert pg.locator(".tq-slide:not([hidden]) .tq-legend").is_visible()
        assert attempts == [], f"requests attempted: {attempts}"
        assert errors == []
    finally:
        ctx.close()


def test_auto_advance(demo_db, tmp_path, browser):
    s = open_store(demo_db)
    try:
        page = present.slides_html(s, 2025, [{"kind": "progress"}, {"kind": "key"}], date=DATE, auto_advance_s=0.3)
    finally:
        s.close()
    path = tmp_path / "auto.html"
    path.write_text(page, encoding="utf-8")
    pg, attempts, errors, ctx = _open(browser, path, viewport=(1280, 800))
    try:
        pg.wait_for_function("tqSlides.index === 1", timeout=10000)
        pg.wait_for_function("tqSlides.index === 0", timeout=10000)  # loops back
        pg.click("#tq-play")  # pause
        assert pg.get_attribute("#tq-play", "aria-pressed") == "false"
        assert attempts == [] and errors == []
    finally:
        ctx.close()


def test_cli_export_slides(demo_db, tmp_path):
    env = {**os.environ, "TQMAP_DB": str(demo_db)}
    out = tmp_path / "trinh-chieu.html"
    r = subprocess.run([sys.executable, "-m", "geo", "export", "slides", "--year", "2025", "--lang", "en",
                        "--out", str(out)], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "window.tqSlides" in page and "Year 2025" in page
    bad = subprocess.run([sys.executable, "-m", "geo", "export", "slides", "--year", "2031", "--out",
                          str(tmp_path / "x.html")], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "không có số liệu năm 2031" in bad.stderr
    assert not (tmp_path / "x.html").exists()


# --- in the real app ---------------------------------------------------------------------------


def _deck_frame(pg, timeout_s=40.0):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for f in pg.frames:
            try:
                if f.evaluate("!!(window.tqSlides && document.querySelector('.tq-slide:not([hidden]) path.tq-commune'))"):
                    return f
            except Exception:
                continue
        time.sleep(0.25)
    return None


def test_present_page_in_the_app(streamlit_server, page, artifacts_dir):
    page.goto(streamlit_server.url + "/trinh_chieu")
    page.get_by_role("heading", name="Trình chiếu").first.wait_for(timeout=30000)
    time.sleep(1.0)
    assert page.get_by_role("dialog").count() == 0  # no "Page not found" over a deep link
    page.get_by_role("button", name="Bắt đầu trình chiếu").click()
    frame = _deck_frame(page)
    assert frame is not None, "the slideshow did not appear"
    assert "trinh-chieu=1" in page.url
    # Streamlit's chrome is hidden while presenting
    assert not page.locator("section[data-testid='stSidebar']").is_visible()
    assert frame.evaluate("tqSlides.count") == 9  # 2025: overview, 6 routes, key, progress
    assert page.get_by_role("button", name="Thoát trình chiếu").is_visible()
    iframe = page.locator("iframe").first
    box = iframe.bounding_box()
    page.mouse.click(box["x"] + 300, box["y"] + 400)  # into the slides (the map of slide 1)
    page.keyboard.press("ArrowRight")
    frame.wait_for_function("tqSlides.index === 1", timeout=5000)
    page.keyboard.press("PageDown")
    frame.wait_for_function("tqSlides.index === 2", timeout=5000)
    frame.wait_for_function("document.querySelectorAll('.tq-slide:not([hidden]) path.tq-commune').length === 124",
                            timeout=15000)
    page.keyboard.press("ArrowLeft")
    frame.wait_for_function("tqSlides.index === 1", timeout=5000)
    title = frame.evaluate("document.querySelector('.tq-slide:not([hidden]) h1').textContent")
    assert title == frame.evaluate("tqSlides.titles[1]")
    page.screenshot(path=str(artifacts_dir / "app_present.png"))
    # F from inside the slides puts the whole app page in full screen (the exit strip stays reachable)
    page.keyboard.press("f")
    page.wait_for_function("!!document.fullscreenElement", timeout=5000)
    page.keyboard.press("f")
    page.wait_for_function("!document.fullscreenElement", timeout=5000)
    page.get_by_role("button", name="Thoát trình chiếu").click()
    page.get_by_role("button", name="Bắt đầu trình chiếu").wait_for(timeout=20000)
    assert "trinh-chieu=1" not in page.url
    assert page.external_requests == []
    assert real_console_errors(page) == []


# --- one document composed from folium elements ---------------------------------------------------


def test_deck_is_one_figure_with_resources_declared_once(store):
    from geo.maps import style

    slides = present.default_slides(store, 2025)
    page = present.slides_html(store, 2025, slides, date=DATE)
    assert page.count("<!DOCTYPE html>") == 1 and page.count("<html") == 1 and page.count("</body>") == 1
    assert page.count(assets.inline_js()[-300:]) == 1           # Leaflet JS, once
    assert page.count(assets.inline_css()[-300:]) == 1          # Leaflet CSS, once
    assert page.count(style.CSS.strip()[:200]) == 1              # the maps' stylesheet, once for 8 maps
    css = (REPO_ROOT / "static" / "present.css").read_text(encoding="utf-8")
    js = (REPO_ROOT / "static" / "present.js").read_text(encoding="utf-8")
    assert page.count(css[-200:]) == 1 and page.count(js[-200:]) == 1
    # each map slide's map div sits inside its own section, its script in that slide's maker
    n_maps = sum(1 for s in slides if s["kind"] != "progress")
    assert len(re.findall(r"window\.tqMakers\[\d+\] = function", page)) == n_maps == 8
    sections = [m.start() for m in re.finditer(r'<section class="tq-slide"', page)] + [page.index("</main>")]
    for i, s in enumerate(slides):
        part = page[sections[i]:sections[i + 1]]
        assert part.count('class="folium-map"') == (0 if s["kind"] == "progress" else 1), s
    # icons are inline SVG: no glyph Debian's fonts lack (⛶ U+26F6, ⏸ U+23F8)
    assert "\u26f6" not in page and "\u23f8" not in page
    assert "Toàn màn hình (F)" in page and 'aria-keyshortcuts="F"' in page


def test_decoder_declared_once(store):
    from geo.maps import compact

    decoder = compact.decoder_js() if hasattr(compact, "decoder_js") else compact.DECODER_JS
    page = present.slides_html(store, 2025, present.default_slides(store, 2025), date=DATE)
    assert page.count(decoder.strip()[:300]) == 1


def test_any_slide_can_be_shown_first(demo_db, tmp_path, browser):
    """What the maps share (decoder, geometry) is made with the document's first map, whichever
    slide is shown first: here the deck opens on a chart and jumps to its last map."""
    s = open_store(demo_db)
    try:
        page = present.slides_html(s, 2025, [{"kind": "progress"}, {"kind": "overview"}, {"kind": "key"}], date=DATE)
    finally:
        s.close()
    path = tmp_path / "jump.html"
    path.write_text(page, encoding="utf-8")
    pg, attempts, errors, ctx = _open(browser, path, viewport=(1280, 720))
    try:
        pg.keyboard.press("End")
        pg.wait_for_function(f"{VISIBLE}.querySelectorAll('path.tq-commune').length === 124", timeout=15000)
        pg.keyboard.press("ArrowLeft")
        pg.wait_for_function(f"{VISIBLE}.querySelectorAll('path.tq-commune').length === 124", timeout=15000)
        st = _state(pg)
        assert st["kind"] == "overview"
        mx0, my0, mx1, my1 = st["map"]
        dx0, dy0, dx1, dy1 = st["drawn"]  # made while hidden, fitted when shown
        assert mx0 - 2 <= dx0 and dx1 <= mx1 + 2 and my0 - 2 <= dy0 and dy1 <= my1 + 2
        assert (dy1 - dy0) > 0.8 * (my1 - my0), st
        assert attempts == [] and errors == []
    finally:
        ctx.close()


# --- fits every projector: standalone deck and the app's presentation mode ---------------------------

SIZES = [(1024, 768), (1280, 720), (1366, 768), (1920, 1080), (3840, 2160)]
LEGEND_MAX = 0.15
HEADLINE = ("35/124", "28,2%", "71")  # slide 1 on the demo data, 2025

# Everything the layout rules need, measured in the deck's own document (offsets added by the caller
# when the deck is inside the app's iframe).
MEASURE = """() => {
  const s = document.querySelector('.tq-slide:not([hidden])');
  const rect = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const area = e => { if (!e) return 0; const r = e.getBoundingClientRect(); return r.width * r.height; };
  const box = s.querySelector('.tq-s-map'), leg = s.querySelector('.tq-legend'), h1 = s.querySelector('h1');
  const side = s.querySelector('.tq-s-side');
  const big = [...s.querySelectorAll('.tq-card-big')].map(e => [e.textContent, rect(e)]);
  const buttons = [...document.querySelectorAll('#tq-nav button')].filter(b => !b.hidden).map(b => [b.id, rect(b)]);
  const keys = document.getElementById('tq-keys'), fs = document.getElementById('tq-fs');
  return {index: tqSlides.index, kind: s.dataset.kind, iw: innerWidth, ih: innerHeight,
    scrollH: document.scrollingElement.scrollHeight, scrollW: document.scrollingElement.scrollWidth,
    map: box ? rect(box) : null, legendShare: box ? area(leg) / area(box) : 0,
    h1Lines: h1.getBoundingClientRect().height / parseFloat(getComputedStyle(h1).lineHeight),
    h1Clipped: h1.scrollHeight - h1.clientHeight, h1Px: parseFloat(getComputedStyle(h1).fontSize),
    sideClipped: side ? side.scrollHeight - side.clientHeight : 0, big, buttons,
    nav: rect(document.getElementById('tq-nav')), fsText: fs.innerText,
    keysShown: keys.getBoundingClientRect().width > 40 ? keys.innerText : ''};
}"""


def _inside(r, w, h, dx=0.0, dy=0.0, tol=1.0) -> bool:
    x0, y0, x1, y1 = r
    return x0 + dx >= -tol and y0 + dy >= -tol and x1 + dx <= w + tol and y1 + dy <= h + tol and x1 > x0 and y1 > y0


def check_layout(m: dict, w: int, h: int, where: str, dx=0.0, dy=0.0) -> None:
    """The issue-12 rules for one shown slide (``dx, dy``: the deck's offset in the window)."""
    assert m["scrollH"] <= m["ih"] and m["scrollW"] <= m["iw"], (where, "page scrolls", m)
    if m["map"]:
        assert m["legendShare"] <= LEGEND_MAX, (where, f"legend covers {m['legendShare']:.0%} of the map")
        assert _inside(m["map"], w, h, dx, dy), (where, "map off screen", m["map"])
        assert m["map"][3] <= m["nav"][1] + 1, (where, "map under the controls")
    assert m["h1Lines"] <= 2.1 and m["h1Clipped"] <= 1, (where, "title longer than two lines", m)
    assert m["h1Px"] >= 18
    assert m["sideClipped"] <= 1, (where, "figures cut off in the side panel", m["sideClipped"])
    for text, r in m["big"]:
        assert _inside(r, w, h, dx, dy), (where, f"figure {text} off screen", r)
    assert {b for b, _ in m["buttons"]} >= {"tq-prev", "tq-next", "tq-fs"}
    for b, r in m["buttons"]:
        assert _inside(r, w, h, dx, dy), (where, f"control {b} off screen", r)
    assert "(F)" in m["fsText"]


@pytest.fixture(scope="module")
def deck_2025(demo_db, tmp_path_factory):
    s = open_store(demo_db)
    try:
        slides = present.default_slides(s, 2025)
        page = present.slides_html(s, 2025, slides, lang="vi", date=DATE)
    finally:
        s.close()
    path = tmp_path_factory.mktemp("slides") / "trinh-chieu_2025.html"
    path.write_text(page, encoding="utf-8")
    return path, slides


@pytest.mark.parametrize("w,h", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_standalone_deck_fits_the_screen(deck_2025, browser, artifacts_dir, w, h):
    path, slides = deck_2025
    pg, attempts, errors, ctx = _open(browser, path, viewport=(w, h))
    try:
        for i, s in enumerate(slides):
            pg.evaluate(f"tqSlides.go({i})")
            if s["kind"] != "progress":
                pg.wait_for_function(f"{VISIBLE}.querySelectorAll('path.tq-commune').length === 124", timeout=15000)
            m = pg.evaluate(MEASURE)
            assert m["index"] == i
            check_layout(m, w, h, f"{w}x{h} slide {i + 1} ({s['kind']})")
            if i == 0:
                shown = [text for text, _ in m["big"]]
                assert all(x in shown for x in HEADLINE), shown
                assert "F" in m["keysShown"], "the F key is not announced"
            if i in (0, 1) or s["kind"] in ("key", "progress"):
                pg.screenshot(path=str(artifacts_dir / f"present_{w}x{h}_{i + 1}_{s['kind']}.png"))
        assert attempts == [], f"requests attempted: {attempts}"
        assert errors == []
    finally:
        ctx.close()


APP_SIZES = SIZES[:4]


@pytest.mark.parametrize("w,h", APP_SIZES, ids=[f"{w}x{h}" for w, h in APP_SIZES])
def test_app_presentation_mode_fits_the_screen(streamlit_server, browser, artifacts_dir, w, h):
    from tests.conftest import KNOWN_STREAMLIT_NOISE

    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="vi-VN")
    pg = ctx.new_page()
    errors, external = [], []
    pg.on("console", lambda msg: msg.type == "error" and not KNOWN_STREAMLIT_NOISE.search(msg.text)
          and errors.append(msg.text))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("request", lambda r: r.url.startswith(("http", "ws")) and r.url.split("/")[2].split(":")[0]
          not in ("127.0.0.1", "localhost") and external.append(r.url))
    try:
        pg.goto(streamlit_server.url + "/trinh_chieu")
        start = pg.get_by_role("button", name="Bắt đầu trình chiếu")
        start.scroll_into_view_if_needed(timeout=30000)  # the editor page is long: start from its bottom
        start.click()
        frame = _deck_frame(pg)
        assert frame is not None, "the slideshow did not appear"
        # the slides have the keyboard at once: a clicker works without clicking into them first
        pg.keyboard.press("PageDown")
        frame.wait_for_function("tqSlides.index === 1", timeout=5000)
        # the page itself: not scrolled, no scroll, the exit button and the deck both on screen
        top = pg.evaluate("""() => { const m = document.querySelector('[data-testid=stMain]');
            const r = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
            return {scrollH: document.scrollingElement.scrollHeight, scrollTop: document.scrollingElement.scrollTop,
              mainTop: m.scrollTop, mainH: m.scrollHeight, mainClient: m.clientHeight,
              exit: r(document.querySelector('.st-key-present_exit button')),
              notice: r(document.querySelector('.tq-public')),
              frame: r(document.querySelector('[data-testid=stMain] iframe[title]'))}; }""")
        assert top["scrollH"] <= h and top["scrollTop"] == 0, top
        assert top["mainTop"] == 0 and top["mainH"] <= top["mainClient"], top
        assert _inside(top["frame"], w, h) and _inside(top["exit"], w, h), top
        assert top["exit"][3] <= top["frame"][1] + 1, "the exit button covers the slideshow"
        # the public demo's notice (the page's head, common.page_setup) on the strip beside the exit button
        assert _inside(top["notice"], w, h) and top["notice"][3] <= top["frame"][1] + 1, top
        assert top["notice"][0] >= top["exit"][2], "the notice covers the exit button"
        assert pg.get_by_text("Chế độ trình diễn công khai", exact=False).is_visible()
        assert pg.get_by_role("button", name="Thoát trình chiếu").is_visible()
        dx, dy = top["frame"][0], top["frame"][1]
        n = frame.evaluate("tqSlides.count")
        for i in range(n):
            frame.evaluate(f"tqSlides.go({i})")
            kind = frame.evaluate(f"{VISIBLE}.dataset.kind")
            if kind != "progress":
                frame.wait_for_function(f"{VISIBLE}.querySelectorAll('path.tq-commune').length === 124", timeout=15000)
            m = frame.evaluate(MEASURE)
            check_layout(m, w, h, f"app {w}x{h} slide {i + 1} ({kind})", dx, dy)
            if i == 0:
                assert all(x in [t for t, _ in m["big"]] for x in HEADLINE)
                frame.evaluate("document.querySelectorAll('.tq-tip').forEach(e => e.remove())")
                pg.screenshot(path=str(artifacts_dir / f"app_present_{w}x{h}.png"))
        assert external == [] and errors == []
    finally:
        ctx.close()


# --- fast tier: a fresh store, no browser ------------------------------------------------------------


@pytest.fixture()
def fresh_store(tmp_path):
    s = open_store(tmp_path / "fresh.db")
    yield s
    s.close()


def test_slide_list_on_a_fresh_store(fresh_store):
    s = fresh_store
    assert present.load_slides(s) is None
    assert [x["kind"] for x in present.default_slides(s, 2025)] == ["overview", "key", "progress"]
    clean = present.save_slides(s, [{"kind": "key", "title": " <b>Trọng điểm</b> "}, {"kind": "progress"}], user="lan")
    assert clean == [{"kind": "key", "arg": None, "title": "<b>Trọng điểm</b>"},
                     {"kind": "progress", "arg": None, "title": None}]
    assert present.load_slides(s) == clean
    before = db_hash(s.path)
    for bad, msg in [([{"kind": "route", "arg": "QL2"}], "(chưa có tuyến nào)"), ([], "đang trống"),
                     ([{"kind": "key", "arg": "x"}], "không nhận tham số")]:
        with pytest.raises(present.PresentError, match=re.escape(msg)):
            present.save_slides(s, bad, user="lan")
    with pytest.raises(present.PresentError, match="Thiếu tên"):
        present.save_slides(s, clean, user="")
    assert db_hash(s.path) == before and present.load_slides(s) == clean


def test_progress_chart_formats_and_escapes():
    import pandas as pd

    from geo.present.chart import progress_svg

    prog = pd.DataFrame({"year": [2025, 2026, 2027], "has_data": [True, True, False],
                         "share_pct": [28.2258, 35.48, float("nan")],
                         "target_ministry_pct": [20.0, float("nan"), float("nan")],
                         "target_national_pct": [float("nan")] * 3, "target_province_pct": [float("nan"), 35.0, 50.0]})
    svg = progress_svg(prog, "vi")
    assert svg.startswith("<svg") and svg.count('class="tq-c-bar"') == 2
    assert "28,2%" in svg and "35,5%" in svg and ">20%<" in svg and ">50%<" in svg
    assert "<polyline" in svg  # the province series has two points; the ministry's one is a marker only
    assert progress_svg(prog, "en").count(">28.2%<") == 1


def test_long_title_shrinks_to_two_lines(demo_db, tmp_path, browser):
    title = ("Tình hình xây dựng xã, phường không ma túy trên địa bàn toàn tỉnh Tuyên Quang, "
             "báo cáo giao ban quý I năm 2026")  # 112 characters
    s = open_store(demo_db)
    try:
        page = present.slides_html(s, 2025, [{"kind": "overview", "title": title}, {"kind": "key"}], date=DATE)
    finally:
        s.close()
    path = tmp_path / "long.html"
    path.write_text(page, encoding="utf-8")
    pg, attempts, errors, ctx = _open(browser, path, viewport=(1024, 768))
    try:
        m = pg.evaluate(MEASURE)
        check_layout(m, 1024, 768, "long title")
        assert pg.inner_text(".tq-slide:not([hidden]) h1") == title
        pg.keyboard.press("ArrowRight")
        default_px = pg.evaluate(MEASURE)["h1Px"]
        assert m["h1Px"] < default_px  # made smaller to fit, not cut
        assert attempts == [] and errors == []
    finally:
        ctx.close()


def test_progress_chart_legend_wraps_and_every_value_has_a_tooltip():
    """Drawn narrow (the progress page's side panel), the legend takes more lines and the plot
    starts below them; each bar and target point names its year, series and value."""
    import pandas as pd

    from geo.present.chart import progress_svg

    prog = pd.DataFrame({"year": [2025, 2026], "has_data": [True, False], "share_pct": [28.2258, float("nan")],
                         "target_ministry_pct": [20.0, 30.0], "target_national_pct": [float("nan"), 50.0],
                         "target_province_pct": [35.0, 50.0]})
    wide, narrow = progress_svg(prog, "vi"), progress_svg(prog, "vi", width=640, height=460)

    def legend_lines(svg):
        return len(set(re.findall(r'<text x="[\d.]+" y="(\d+)" class="tq-c-lg"', svg)))

    assert legend_lines(wide) == 1 and legend_lines(narrow) >= 2
    assert "<title>2025 · Tỷ lệ xã không ma túy: 28,2%</title>" in narrow
    assert narrow.count("<title>") == 1 + 2 + 1 + 2  # one bar, then the targets' points
    assert "<title>2026 · " in narrow and "50%</title>" in narrow
