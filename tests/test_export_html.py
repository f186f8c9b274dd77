"""The standalone HTML export, opened from file:// in headless Chromium with every request
other than the file itself aborted (and recorded)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from geo.export import html as export_html
from geo.model import CATEGORIES
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
        pg.mouse.move(5, 500)
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
