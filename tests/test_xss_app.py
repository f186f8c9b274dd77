"""Hostile text typed or imported by users (notes, decision numbers, route names) never executes in
the app: checked in real headless Chromium against a real server."""

from __future__ import annotations

import dataclasses
import http.server
import shutil
import threading

import openpyxl
import pytest

from geo.store import open_store
from tests.conftest import StreamlitServer, map_frame_paths, real_console_errors

IMG = "<img src=x onerror=\"window.__xss=(window.__xss||0)+1\">"
SCRIPT = "<script>window.__xss=(window.__xss||0)+1</script>"
FORMULA_ID = '=HYPERLINK("http://127.0.0.1:9/x","bấm")'  # a route id a spreadsheet would run


class _Tracker(http.server.BaseHTTPRequestHandler):
    """A loopback server that records every request (a remote image would be fetched from here)."""
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Tracker.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def tracker():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Tracker)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()


def markdown_attack(port: int) -> str:
    """Issue 15 item 6: a remote image (a tracking request), a javascript: link, an HTML image."""
    return (f"![x](http://127.0.0.1:{port}/track.png) [click](javascript:window.__xss=1) "
            f"<img src=x onerror=window.__xss=1> [phish](http://127.0.0.1:{port}/login)")


@pytest.fixture(scope="module")
def hostile_server(demo_db, tmp_path_factory, tracker):
    md = markdown_attack(tracker.server_address[1])
    path = tmp_path_factory.mktemp("xss") / "app.db"
    shutil.copyfile(demo_db, path)
    s = open_store(path)
    a = s.assessments(2025)["00694"]
    a = dataclasses.replace(a, note=f"Ghi chú {IMG} {SCRIPT}", source_ref=IMG)
    b = dataclasses.replace(s.assessments(2025)["00700"], note=f"Ghi chú {md}")
    s.upsert_assessments(2025, [a, b], user="kiem-thu", reason="XSS", demo=True)
    routes = s.routes(2025)
    ql2 = next(r for r in routes if r.id == "QL2")
    s.put_routes([dataclasses.replace(routes[0], name=f"Tuyến {IMG}{SCRIPT}", description=SCRIPT),
                  dataclasses.replace(ql2, description=f"Mô tả {md}"),
                  dataclasses.replace(ql2, id=FORMULA_ID, name="@SUM(1+1)", description="")],
                 user="kiem-thu", reason="XSS", demo=True)
    s.close()
    log = tmp_path_factory.mktemp("xss-log") / "streamlit.log"
    # as `make run` serves it (ui/asgi.py: the download address of the map pages' buttons)
    server = StreamlitServer({"TQMAP_DB": str(path), "TQMAP_PUBLIC_DEMO": "1"}, log, serve=True)
    yield server
    server.stop()


def _xss_fired(page) -> list:
    hits = []
    for f in page.frames:
        try:
            v = f.evaluate("window.__xss || 0")
        except Exception:
            continue
        if v:
            hits.append((f.url, v))
    return hits


def test_overview_tooltips_and_legend_escape_hostile_text(hostile_server, page):
    page.goto(hostile_server.url + "/")
    frame, n = map_frame_paths(page, minimum=124)
    assert n >= 124
    # open every tooltip of every layer (communes, routes): their HTML is built from stored text
    opened = frame.evaluate("""() => {
        let n = 0;
        // the persistent map's layers (livemap: window.tqLiveLayers) and the commune marks
        const all = Object.assign({}, window.tqLiveLayers || {}, window.tqLayers || {});
        for (const k in all) {
            all[k].eachLayer(l => { if (l.getTooltip && l.getTooltip()) { l.openTooltip(); n++; } });
        }
        return n;
    }""")
    assert opened >= 124
    page.wait_for_timeout(500)
    route_tip = frame.evaluate("""() => [...document.querySelectorAll('.leaflet-tooltip')]
        .map(e => e.textContent).find(t => t.includes('onerror')) || ''""")
    assert "<img src=x onerror=" in route_tip  # shown as text, not parsed
    assert frame.evaluate("document.querySelectorAll('.leaflet-tooltip img, .leaflet-tooltip script').length") == 0
    assert page.locator(".tq-legend-side img").count() == 0
    assert "Tuyến <img" in page.inner_text(".tq-legend-side")
    assert _xss_fired(page) == []
    assert real_console_errors(page) == []


def test_profile_escapes_note_and_source(hostile_server, page):
    page.goto(hostile_server.url + "/ho_so_xa?xa=00694")
    page.get_by_text("Ghi chú", exact=False).first.wait_for(timeout=30000)
    map_frame_paths(page, minimum=1)
    page.wait_for_timeout(1000)
    body = page.inner_text("body")
    assert "<script>window.__xss" in body  # the note is shown as text
    assert page.locator("[data-testid='stMainBlockContainer'] img[src='x']").count() == 0
    assert _xss_fired(page) == []


def test_routes_page_escapes_route_name(hostile_server, page):
    page.goto(hostile_server.url + "/tuyen")
    map_frame_paths(page, minimum=1)
    page.wait_for_timeout(1000)
    assert _xss_fired(page) == []
    assert page.locator("img[src='x']").count() == 0


def _no_markdown_effect(page, tracker) -> None:
    main = page.locator("[data-testid='stMain']")
    assert main.locator("a[href^='javascript']").count() == 0
    assert main.locator("a[href*='/login']").count() == 0  # no phishing link formed
    assert main.locator("img[src*='track.png'], img[src='x']").count() == 0
    assert _Tracker.hits == []  # the remote image was never requested
    assert _xss_fired(page) == []


def test_profile_note_markdown_is_plain_text(hostile_server, tracker, page):
    """Issue 15 item 6: a commune note renders as text: no remote image request, no link."""
    page.goto(hostile_server.url + "/ho_so_xa?xa=00700")
    page.get_by_text("![x](http://127.0.0.1:", exact=False).first.wait_for(timeout=60000)
    map_frame_paths(page, minimum=1)
    page.wait_for_timeout(1000)
    body = page.inner_text("body")
    assert "[click](javascript:window.__xss=1)" in body and "<img src=x onerror=" in body
    _no_markdown_effect(page, tracker)


def test_route_description_markdown_is_plain_text(hostile_server, tracker, page):
    page.goto(hostile_server.url + "/tuyen?tuyen=QL2")
    page.get_by_text("![x](http://127.0.0.1:", exact=False).first.wait_for(timeout=60000)
    map_frame_paths(page, minimum=1)
    page.wait_for_timeout(1000)
    assert "[phish](http://127.0.0.1:" in page.inner_text("body")
    _no_markdown_effect(page, tracker)


def test_key_communes_excel_has_no_live_formula(hostile_server, page, tmp_path):
    """Issue 15 item 5: a route id starting with "=" is written as text in the key-communes
    download (openpyxl would otherwise store it as a formula)."""
    page.goto(hostile_server.url + "/xa_trong_diem")
    page.get_by_role("heading", name="Xã trọng điểm phức tạp về ma túy").first.wait_for(timeout=60000)
    with page.expect_download(timeout=60000) as dl:
        page.get_by_role("button", name="Tải bảng Excel").click()
    assert dl.value.suggested_filename == "xa-trong-diem_2025_minh-hoa.xlsx"
    path = tmp_path / "key.xlsx"
    dl.value.save_as(path)
    ws = openpyxl.load_workbook(path).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [str(c.value) for c in cells]
    assert any(v.startswith("'=HYPERLINK(") for v in texts)  # the hostile id, kept as text
    assert texts[0].startswith("DỮ LIỆU MINH HỌA")  # the demo mark in the first row


def test_route_downloads_work_with_a_hostile_route_name(hostile_server, page, tmp_path):
    """The route page's HTML map and PDF sheet download for a route named with tags (issue 15
    item 4: the download used to do nothing); the export's <title> holds the name as text."""
    page.goto(hostile_server.url + "/tuyen?tuyen=BIEN-GIOI")
    map_frame_paths(page, minimum=1)
    with page.expect_download(timeout=120000) as dl:
        page.get_by_role("button", name="Bản đồ HTML (dùng không cần mạng)").click()
    assert dl.value.suggested_filename == "ban-do_route_BIEN-GIOI_2025_minh-hoa.html"
    html = (tmp_path / "m.html")
    dl.value.save_as(html)
    text = html.read_text(encoding="utf-8")
    title = text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "&lt;img" in title
    with page.expect_download(timeout=180000) as dl:
        page.get_by_role("button", name="Tờ trình PDF").click()
    pdf = tmp_path / "s.pdf"
    dl.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert _xss_fired(page) == []
