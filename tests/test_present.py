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
    row = sqlite3.connect(store.path).execute("SELECT user FROM settings WHERE key = ?", (present.SETTINGS_KEY,)).fetchone()
    assert row == ("minh",)
    assert store.schema_version() >= present.SCHEMA_VERSION


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
    for want in ("35/124", "28,2%", "+8,2 điểm % so với chỉ tiêu 20% của Bộ Công an", "71", "6",
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
    page.get_by_role("button", name="Thoát trình chiếu").click()
    page.get_by_role("button", name="Bắt đầu trình chiếu").wait_for(timeout=20000)
    assert "trinh-chieu=1" not in page.url
    assert page.external_requests == []
    assert real_console_errors(page) == []
