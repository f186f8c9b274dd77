"""The standalone HTML export, opened from file:// in headless Chromium with every request
other than the file itself aborted (and recorded)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from geo.export import html as export_html
from geo.model import CATEGORIES, DemoFlags, Route
from tests.map_inputs import category_counts
from tests.conftest import open_offline_file

MAX_BYTES = 600 * 1024
DATE = dt.date(2026, 2, 4)




def _open(browser, path, viewport=(1600, 1000)):
    return open_offline_file(browser, path, "document.querySelectorAll('path.tq-commune.leaflet-interactive').length >= 124", viewport, timeout_ms=20000)


def test_overview_size_and_self_contained(frame, routes, tmp_path, artifacts_dir):
    page = export_html.export_view(frame, routes, "overview", year=2025, lang="vi", demo=True, date=DATE)
    path = export_html.write_html(tmp_path / "tong-quan-2025.html", page)
    size = path.stat().st_size
    (artifacts_dir / "export_overview_size.json").write_text(json.dumps({"bytes": size, "routes": len(routes)}))
    assert size <= MAX_BYTES, f"{size} bytes > {MAX_BYTES}"
    assert "leaflet" in page.lower() and "L.map(" in page
    assert not re.search(r"<(script|link|img)\b[^>]*(src|href)=", page)
    for word in ("https://unpkg", "cdn.jsdelivr", "cdnjs", "fonts.googleapis", "tile.openstreetmap"):
        assert word not in page
    assert "<title>Bản đồ xã không ma túy tỉnh Tuyên Quang năm 2025</title>" in page
    assert "04/02/2026" in page


def test_overview_opens_offline_in_chromium(frame, routes, tmp_path, browser, artifacts_dir):
    counts = category_counts(frame)
    page = export_html.export_view(frame, routes, "overview", year=2025, lang="vi", demo=True, date=DATE)
    path = export_html.write_html(tmp_path / "overview.html", page)
    pg, attempts, errors, ctx = _open(browser, path)
    try:
        assert pg.evaluate("document.querySelectorAll('path.tq-commune.leaflet-interactive').length") == 124
        legend = pg.evaluate("""Object.fromEntries([...document.querySelectorAll('.tq-legend li[data-key]')]
            .map(li => [li.dataset.key, li.querySelector('.tq-n') ? li.querySelector('.tq-n').textContent : '']))""")
        for cat in CATEGORIES:
            assert legend[cat] == str(counts[cat])
        assert legend["total"] == "124"
        assert pg.locator("#tq-demo-mark").inner_text().startswith("DỮ LIỆU MINH HỌA")
        assert "2025" in pg.locator(".tq-title").inner_text() and "04/02/2026" in pg.locator(".tq-title").inner_text()
        assert "thanglequoc" in pg.locator(".tq-credits").inner_text()
        assert pg.evaluate("document.querySelectorAll('path.tq-route').length") == 6
        assert pg.evaluate("document.querySelectorAll('path.tq-corridor').length") == 6
        assert pg.evaluate("document.querySelectorAll('path.tq-border').length") == 1
        # the hatch pattern lives in the commune layer's SVG and no-data communes use it
        assert pg.evaluate("!!document.querySelector('.leaflet-pane svg defs #tq-hatch')")
        n_hatched = pg.evaluate("document.querySelectorAll('path.tq-commune[fill=\"url(#tq-hatch)\"]').length")
        assert n_hatched == counts["no_data"]
        # layer toggles: former districts off by default, on when ticked
        assert pg.evaluate("document.querySelectorAll('path.tq-district').length") == 0
        pg.get_by_label("Huyện cũ (trước 01/07/2025)").check()
        assert pg.evaluate("document.querySelectorAll('path.tq-district').length") == 18
        pg.get_by_label("Huyện cũ (trước 01/07/2025)").uncheck()
        # a real hover shows the Vietnamese tooltip
        box = pg.locator("path.tq-commune").nth(60).bounding_box()
        pg.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        pg.wait_for_selector(".tq-tip", timeout=5000)
        assert "Mã:" in pg.locator(".tq-tip").inner_text()
        # ... and outlines the commune under the mouse (the layer's hover style), then lets it go
        hovered = "() => [...document.querySelectorAll('path.tq-commune')].findIndex(p => p.getAttribute('stroke-width') === '2.6')"
        pg.wait_for_function(f"({hovered})() >= 0", timeout=5000)
        i = pg.evaluate(hovered)
        assert pg.evaluate("document.querySelectorAll('path.tq-commune[stroke-width=\"2.6\"]').length") == 1
        pg.mouse.move(5, 500)
        pg.wait_for_function(f"document.querySelectorAll('path.tq-commune')[{i}].getAttribute('stroke-width') !== '2.6'",
                             timeout=5000)
        pg.screenshot(path=str(artifacts_dir / "export_overview.png"))
        assert attempts == [], f"requests attempted: {attempts}"
        assert errors == []
    finally:
        ctx.close()


def test_xss_payloads_never_run(frame, routes, tmp_path, browser):
    page = export_html.export_view(frame, routes, "overview", year=2025, lang="vi", demo=False, date=DATE)
    path = export_html.write_html(tmp_path / "xss.html", page)
    pg, attempts, errors, ctx = _open(browser, path)
    try:
        # open every tooltip (communes, routes): their HTML is inserted into the page
        texts = pg.evaluate("""(() => { const out = [];
            for (const k of ['communes', 'routes']) window.tqLayers[k].eachLayer(l => {
              if (l.getTooltip && l.getTooltip()) { l.openTooltip(l.getCenter ? l.getCenter() : undefined);
                out.push(l.getTooltip().getElement().textContent); l.closeTooltip(); } });
            return out; })()""")
        pg.wait_for_timeout(300)
        assert pg.evaluate("window.__xss") is None
        assert any("<img src=x onerror=alert(1)>" in s for s in texts)  # shown as text
        assert any("<script>window.__xss=2</script>" in s for s in texts)
        legend_text = pg.locator(".tq-legend").inner_text()
        assert "<script>window.__xss=2</script>" in legend_text
        assert pg.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
        assert attempts == [] and errors == []
    finally:
        ctx.close()


@pytest.mark.parametrize("view", ["route:QL2", "key", "commune:00694"])
def test_other_views_open_offline(frame, routes, tmp_path, browser, artifacts_dir, view):
    page = export_html.export_view(frame, routes, view, year=2025, lang="en", demo=False, date=DATE)
    assert len(page.encode()) <= MAX_BYTES
    path = export_html.write_html(tmp_path / "view.html", page)
    pg, attempts, errors, ctx = _open(browser, path, viewport=(1280, 800))
    try:
        assert pg.evaluate("document.querySelectorAll('path.tq-commune.leaflet-interactive').length") == 124
        assert pg.locator(".tq-legend").count() == 1
        assert pg.locator("#tq-demo-mark").count() == 0
        assert '<html lang="en">' in page
        if view == "route:QL2":
            pg.screenshot(path=str(artifacts_dir / "export_route_QL2.png"))
        assert attempts == [] and errors == []
    finally:
        ctx.close()


def test_bad_views_have_vietnamese_messages(frame, routes):
    with pytest.raises(export_html.ExportError, match="Kiểu bản đồ không hợp lệ"):
        export_html.parse_view("ban-do")
    with pytest.raises(export_html.ExportError, match="Không có tuyến 'QL99'.*QL2"):
        export_html.export_view(frame, routes, "route:QL99", year=2025)
    with pytest.raises(export_html.ExportError, match="Không có xã mã '99999'"):
        export_html.export_view(frame, routes, "commune:99999", year=2025)
    assert export_html.parse_view("route:QL2") == ("route", "QL2")
    assert export_html.parse_view("overview") == ("overview", None)


def test_write_html_replaces_atomically(tmp_path):
    target = tmp_path / "out" / "map.html"
    export_html.write_html(target, "<p>một</p>")
    export_html.write_html(target, "<p>hai</p>")
    assert target.read_text(encoding="utf-8") == "<p>hai</p>"
    assert [p.name for p in target.parent.iterdir()] == ["map.html"]


def test_cli_export_html_on_the_demo_store(demo_db, tmp_path):
    import os
    import subprocess
    import sys

    from geo.paths import REPO_ROOT

    env = {**os.environ, "TQMAP_DB": str(demo_db)}
    out = tmp_path / "tong-quan.html"
    r = subprocess.run([sys.executable, "-m", "geo", "export", "html", "--year", "2025", "--view", "overview",
                        "--lang", "vi", "--out", str(out)], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert out.stat().st_size <= MAX_BYTES
    assert 'd.id = "tq-demo-mark"' in page  # the demo store is flagged illustrative
    bad = subprocess.run([sys.executable, "-m", "geo", "export", "html", "--year", "2025", "--view", "route:KHONG",
                          "--out", str(tmp_path / "x.html")], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "Không có tuyến 'KHONG'" in bad.stderr
    assert not (tmp_path / "x.html").exists()


# --- year view, hostile route names (issue 15 item 4), routes without statuses (issue 11) ------------


HOSTILE_NAME = '</title><script>window.__xss=3</script><img src="http://198.51.100.7/x.png">$5 & "q"'


def _hostile_view(frame, routes):
    from geo import yearview

    rs = [Route(**{**r.__dict__}) for r in routes]
    rs[0].name = HOSTILE_NAME
    rs[0].id = "QL2<b>"
    rs[0].description = '<img src="http://198.51.100.7/d.png"> [x](http://198.51.100.7)'
    f = frame.copy()
    f["routes"] = [[("QL2<b>" if x == routes[0].id else x) for x in rs_] for rs_ in f["routes"]]
    return yearview.from_frame(f, rs, 2025, demo=DemoFlags(routes=True))


def test_hostile_route_name_exports_escaped(frame, routes):
    yv = _hostile_view(frame, routes)
    page = export_html.export_view(yv, "route:QL2<b>", lang="vi", date=DATE)  # no ExportError
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<" not in title and "&lt;/title&gt;&lt;script&gt;" in title and "$5 &amp; &quot;q&quot;" in title
    assert "<script>window.__xss" not in page
    assert not export_html._EXTERNAL.findall(page)
    assert "<img" not in page.replace("\\u003cimg", "")  # only inside JS strings, escaped as text


def test_hostile_route_name_never_runs_offline(frame, routes, tmp_path, browser):
    yv = _hostile_view(frame, routes)
    path = export_html.write_html(tmp_path / "hostile.html",
                                  export_html.export_view(yv, "route:QL2<b>", lang="vi", date=DATE))
    pg, attempts, errors, ctx = _open(browser, path)
    try:
        assert pg.title().startswith("Tuyến trọng điểm </title><script>")
        pg.evaluate("""window.tqLayers['routes'].eachLayer(l => { if (l.getTooltip && l.getTooltip()) {
            l.openTooltip(l.getCenter ? l.getCenter() : undefined); } })""")
        assert pg.evaluate("window.__xss") is None
        assert HOSTILE_NAME in pg.locator(".tq-title h1").inner_text()
        assert pg.locator(".tq-title .tq-demo-inline").inner_text() == "MINH HỌA: tuyến trọng điểm"
        assert pg.locator("#tq-demo-mark").inner_text().endswith(
            "Trạng thái các xã: số liệu thật; tuyến trọng điểm: MINH HỌA; chỉ tiêu: số liệu thật.")
        assert attempts == [] and errors == []
    finally:
        ctx.close()


def test_year_view_export_and_view_errors(frame, routes):
    from geo import yearview

    yv = yearview.from_frame(frame, routes, 2025)
    assert yearview.View.parse("route:QL2") == yearview.View("route", "QL2")
    assert str(yearview.View.parse(" Commune:00694 ")) == "commune:00694"
    assert yearview.View.parse("commune:00694").slug == "commune_00694"
    with pytest.raises(yearview.ViewError, match="Kiểu bản đồ không hợp lệ"):
        yearview.View.parse("route:")
    with pytest.raises(export_html.ExportError, match="Không có tuyến 'QL99'.*QL2"):
        export_html.export_view(yv, "route:QL99")
    page = export_html.export_view(yv, yearview.View("key"), lang="en", date=DATE)
    assert "<title>Key complex communes, 2025</title>" in page


@pytest.mark.slow  # writes an HTML map and a zoomed PDF sheet
def test_route_export_on_a_store_with_routes_but_no_statuses(tmp_path, routes):
    from geo.export.commands import export_html_from_store, export_sheet_from_store
    from geo.store import open_store

    s = open_store(tmp_path / "a.db")
    s.put_routes([Route(**{**r.__dict__, "name": f"Tuyến {r.id}"}) for r in routes if "<" not in r.name],
                 user="u", reason="r")
    assert s.years() == []
    out = export_html_from_store(2025, "route:QL2", "vi", tmp_path / "r.html", store=s)
    page = out.read_text(encoding="utf-8")
    assert "<title>Tuyến trọng điểm QL2 – năm 2025</title>" in page
    legend = {k: int(n) for k, n in re.findall(r'data-key=\\"(\w+)\\" data-count=\\"(\d+)\\"', page)}
    assert legend["no_data"] == legend["total"] > 0
    pdf = export_sheet_from_store("pdf", 2025, "route:QL2", "a4", "vi", tmp_path / "r.pdf", store=s)
    assert pdf.stat().st_size > 10_000
    with pytest.raises(export_html.ExportError, match="không có số liệu năm 2031"):
        export_html_from_store(2031, "overview", "vi", tmp_path / "x.html", store=s)
    s.close()
