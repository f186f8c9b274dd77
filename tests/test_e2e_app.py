"""End to end in real headless Chromium against `streamlit run app.py` on the demo store."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest

from tests.conftest import (ANSWERED_JS, COMPONENTS_RAN_JS, REPO_ROOT, WS_WATCH_JS, YEAR_RUN_DONE, map_frame_paths,
                            on_next_request_js, real_console_errors)

COMMUNES = "path.tq-commune"


def _communes_drawn(pg, minimum=124, timeout_s=30.0):
    return map_frame_paths(pg, minimum, timeout_s, selector=COMMUNES)


def _kpi_text(pg) -> str:
    pg.wait_for_selector(".tq-strip", timeout=30000)
    return pg.inner_text(".tq-strip")


def test_overview_draws_124_communes_offline(streamlit_server, page, artifacts_dir):
    page.goto(streamlit_server.url + "/")
    frame, n = _communes_drawn(page)
    assert n == 124
    assert "35/124" in _kpi_text(page) and "28,2%" in _kpi_text(page)
    assert "DỮ LIỆU MINH HỌA" in page.inner_text("body")
    # the persistent map (livemap) is in the page itself, its demo badge on the map
    assert frame == page.main_frame
    page.wait_for_function("() => [...document.querySelectorAll('.tq-live .tq-demo')]"
                           ".some(e => e.textContent === 'DỮ LIỆU MINH HỌA' && e.offsetWidth > 0)", timeout=30000)
    # the commune marks travel in the persistent map too (names/places once, a small index per change)
    page.wait_for_function("() => window.tqLayers && window.tqLayers.marks"
                           " && document.querySelectorAll('.tq-live .tq-mark .tq-sym').length > 0", timeout=30000)
    time.sleep(0.5)
    page.screenshot(path=str(artifacts_dir / "app_overview.png"))
    assert page.external_requests == []
    assert real_console_errors(page) == []


def test_a_geometry_file_that_fails_to_load_is_said_and_loaded_again(streamlit_server, page):
    """The connection drops while the map fetches its geometry (the first request for each file
    is aborted): the map says so over itself, in the page's language, with a button; the button
    loads it again (a failed file is not kept) and the map draws, the notice gone."""
    failed = []

    def drop_first(route):
        url = route.request.url
        if url not in failed:
            failed.append(url)
            route.abort("connectionreset")
        else:
            route.fallback()

    page.route("**/tq-geo/*.json", drop_first)
    page.goto(streamlit_server.url + "/")
    notice = page.locator(".tq-live .tq-live-failed")
    notice.wait_for(timeout=120_000)
    assert notice.get_attribute("role") == "alert"
    assert "Không tải được dữ liệu bản đồ từ máy chủ" in notice.inner_text()
    assert page.evaluate("document.querySelectorAll('path.tq-commune').length") == 0
    assert failed
    notice.get_by_role("button", name="Tải lại bản đồ").click()
    _, n = _communes_drawn(page)
    assert n == 124
    page.wait_for_function("() => !document.querySelector('.tq-live .tq-live-failed')"
                           " && !document.querySelector('.tq-live[data-tq-error]')", timeout=30000)
    assert page.external_requests == []


FILLS = ("() => { const o = []; window.tqLiveLayers.communes.eachLayer(l => o.push([l.options.fillColor,"
         " l.options.fillOpacity, l.getTooltip() ? l.getTooltip().getContent() : null])); return o; }")


def _pick_year(pg, year: int) -> None:
    """The sidebar's year control (livemap.year_select), picked as a user does."""
    pg.locator('[data-testid="stSidebar"]').get_by_label("Năm", exact=True).select_option(str(year))


# the page's state when the map first shows a year's preview (an observer: nothing can run between)
WATCH_PREVIEW = """() => {
  window.__tqPreview = null;
  const m = document.querySelector('.tq-live');
  new MutationObserver(() => {
    if (!window.__tqPreview) window.__tqPreview = {fills: (%s)(), kpi: document.querySelector('.tq-strip').innerText,
      legend: document.querySelector('.tq-legend-side').innerText, year: m.getAttribute('data-tq-preview')};
  }).observe(m, {attributes: true, attributeFilter: ['data-tq-preview']});
}""" % FILLS


def _colours(fills):
    return [f[:2] for f in fills]


def test_year_change_updates_kpis_and_map(streamlit_server, page):
    """A pick shows the year's figures, legend and map at once, from what the page sent ahead (the
    map without tooltips), and the pick's run then shows the same, with the year's tooltips; the
    geometry is not fetched again."""
    page.goto(streamlit_server.url + "/")
    _communes_drawn(page)
    page.wait_for_function(IDLE, timeout=60000)
    before = _kpi_text(page)
    legend = page.inner_text(".tq-legend-side")
    fills = page.evaluate(FILLS)
    geo = page.evaluate("performance.getEntriesByType('resource').filter(e => e.name.includes('tq-geo')).length")
    for year, kpi in ((2026, ("44/124", "35,5%")), (2025, ("35/124", "28,2%"))):
        page.evaluate(WATCH_PREVIEW)
        _pick_year(page, year)
        page.wait_for_function("() => !!window.__tqPreview", timeout=60000)
        page.wait_for_function(YEAR_RUN_DONE, timeout=60000)
        page.wait_for_function(IDLE, timeout=60000)
        shown = page.evaluate("window.__tqPreview")
        assert shown["year"] == str(year)
        assert all(k in shown["kpi"] for k in kpi), shown["kpi"]
        assert all(f[2] is None for f in shown["fills"]), "a preview shows no tooltip (not the other year's)"
        # the run shows what the preview showed, and brings the year's tooltips
        now = page.evaluate(FILLS)
        assert _colours(now) == _colours(shown["fills"])
        assert all(f[2] for f in now)
        assert _kpi_text(page) == shown["kpi"] and page.inner_text(".tq-legend-side") == shown["legend"]
        assert page.get_by_label("Năm", exact=True).input_value() == str(year)
        _, n = _communes_drawn(page)
        assert n == 124
        if year == 2026:
            assert shown["kpi"] != before and shown["legend"] != legend
            assert _colours(now) != _colours(fills)
    # back at 2025: the same figures, legend, colours and tooltips as when the page was opened
    assert _kpi_text(page) == before and page.inner_text(".tq-legend-side") == legend
    assert page.evaluate(FILLS) == fills
    assert page.evaluate("performance.getEntriesByType('resource').filter(e => e.name.includes('tq-geo')).length") == geo
    assert real_console_errors(page) == []


def test_year_picked_with_a_filter_on_waits_for_its_run(streamlit_server, page):
    """With a filter ticked, which communes it keeps in the picked year is the server's to say:
    the map shows no preview, and after the run it shows the new year, still filtered."""
    page.goto(streamlit_server.url + "/")
    _communes_drawn(page)
    page.wait_for_function(IDLE, timeout=60000)
    main = page.locator('[data-testid="stMain"]')
    main.locator(".tq-filter > details > summary").first.click()
    main.get_by_label("Đã công nhận không ma túy", exact=True).click()
    page.wait_for_function("() => document.querySelector('.tq-filter').getAttribute('data-tq-kept') === '35'",
                           timeout=60000)
    page.wait_for_function(IDLE, timeout=60000)
    assert page.evaluate(FADED) == 124 - 35
    _pick_year(page, 2026)
    page.wait_for_function("() => document.querySelector('.tq-filter').getAttribute('data-tq-kept') === '44'",
                           timeout=60000)
    page.wait_for_function(YEAR_RUN_DONE, timeout=60000)
    page.wait_for_function(IDLE, timeout=60000)
    page.wait_for_function("(n) => (%s)() === n" % FADED, arg=124 - 44, timeout=60000)
    assert not page.evaluate("document.querySelector('.tq-live').hasAttribute('data-tq-preview')")
    assert "44/124" in _kpi_text(page)
    assert real_console_errors(page) == []


IDLE = ("() => { const e = document.querySelector('[data-test-script-state]');"
        " return !!e && e.getAttribute('data-test-script-state') === 'notRunning'; }")
FADED = ("() => [...document.querySelectorAll('.tq-live path.tq-commune')]"
         ".filter(p => parseFloat(p.getAttribute('fill-opacity')) < 0.3).length")
# notes how many communes were faded when the page next asks the server for a run
FADED_AT_REQUEST = on_next_request_js("window.__tqFadedAtRun = (%s)();" % FADED)


def test_filter_beside_the_map_in_the_browser_and_kept(streamlit_server, page):
    """The filters fold beside the map; a tick fades the other communes at once in the browser
    (before any run: the server sees the choice afterwards), the note says how many are kept, and
    the choice stays applied when folded, after a year change, and on the page's next visit."""
    page.add_init_script(WS_WATCH_JS)
    page.goto(streamlit_server.url + "/")
    _communes_drawn(page)
    panel = page.locator(".st-key-tq_side")
    assert page.locator("[data-testid='stSidebar'] .tq-filter").count() == 0
    summary = panel.locator(".tq-filter > details > summary")
    summary.wait_for(timeout=60000)
    box = panel.get_by_label("Đã công nhận không ma túy", exact=True)
    assert not box.is_visible()  # folded
    page.wait_for_function(IDLE, timeout=60000)
    assert page.evaluate(FADED) == 0
    summary.click()  # unfolding is the browser's own: no run
    box.wait_for(state="visible", timeout=60000)
    page.evaluate(FADED_AT_REQUEST)
    box.click()
    page.wait_for_function(f"() => ({FADED})() === 124 - 35", timeout=60000)
    assert "35/124" in panel.inner_text()
    page.wait_for_function(ANSWERED_JS, timeout=60000)  # the choice went to the server, which ran
    page.wait_for_function(IDLE, timeout=60000)
    assert page.evaluate("window.__tqFadedAtRun") == 124 - 35  # faded before the run was asked for
    # another language: the panel speaks it, the tick and the fading stay
    page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
    panel.get_by_label("Recognised drug-free", exact=True).wait_for(timeout=60000)
    assert panel.get_by_label("Recognised drug-free", exact=True).is_checked()
    page.wait_for_function(IDLE, timeout=60000)
    assert "Highlighting 35 of 124" in panel.inner_text() and page.evaluate(FADED) == 124 - 35
    page.locator("[data-testid='stSidebar']").get_by_text("Tiếng Việt", exact=True).click()
    box.wait_for(timeout=60000)
    page.wait_for_function(IDLE, timeout=60000)
    # a second value of the same filter adds its communes (OR); another filter narrows (AND)
    panel.get_by_label("Chưa đạt", exact=True).click()
    page.wait_for_function(f"() => ({FADED})() === 124 - 35 - 18", timeout=60000)
    panel.locator("details.tq-fg > summary").filter(has_text="Tỉnh cũ").click()
    panel.get_by_label("Hà Giang", exact=True).click()
    page.wait_for_function("() => document.querySelector('.tq-filter').getAttribute('data-tq-kept') !== '53'",
                           timeout=60000)
    kept = int(panel.locator(".tq-filter").get_attribute("data-tq-kept"))
    assert 0 < kept < 53 and page.evaluate(FADED) == 124 - kept
    summary.click()  # fold: the choice stays
    page.wait_for_function(IDLE, timeout=60000)
    assert page.evaluate(FADED) == 124 - kept and f"{kept}/124" in panel.inner_text()
    # the KPI strip above the map is the whole province's (a filter only fades the map)
    assert "35/124" in _kpi_text(page)
    # the page's next visit (another page, then back) starts from the kept choice
    page.get_by_role("link", name="Tuyến trọng điểm").first.click()
    page.wait_for_url("**/tuyen**", timeout=60000)
    page.wait_for_function(IDLE, timeout=60000)
    page.get_by_role("link", name="Tổng quan").first.click()
    page.wait_for_function(f"() => ({FADED})() === 124 - {kept}", timeout=60000)
    assert f"{kept}/124" in page.locator(".st-key-tq_side").inner_text()
    # "Bỏ lọc" clears every tick
    side = page.locator(".st-key-tq_side")
    side.locator(".tq-filter > details > summary").click()
    side.get_by_role("button", name="Bỏ lọc").click()
    page.wait_for_function(f"() => ({FADED})() === 0", timeout=60000)
    assert "/124 xã theo bộ lọc" not in side.inner_text()
    page.wait_for_function(IDLE, timeout=60000)
    assert real_console_errors(page) == []


def test_search_ha_giang_1_opens_profile(streamlit_server, page, artifacts_dir):
    page.goto(streamlit_server.url + "/")
    _communes_drawn(page)
    box = page.get_by_label("Tìm xã, phường")
    box.fill("ha giang 1")
    box.press("Enter")
    page.get_by_text("Phường Hà Giang 1 · 00694").first.wait_for(timeout=30000)
    # the map zooms to the commune and shows its name (persistent map: the marks' index changed)
    frame, _ = _communes_drawn(page)
    page.wait_for_function("""() => [...document.querySelectorAll('.tq-live .tq-mark.tq-named .tq-cn')]
        .some(e => e.textContent === 'Phường Hà Giang 1' && e.offsetWidth > 0)""", timeout=30000)
    page.get_by_role("link", name="Mở hồ sơ xã").click()
    page.get_by_role("heading", name="Phường Hà Giang 1", exact=True).first.wait_for(timeout=30000)
    assert "ho_so_xa" in page.url and "xa=00694" in page.url
    page.screenshot(path=str(artifacts_dir / "app_search_profile.png"))
    assert real_console_errors(page) == []


def test_deep_link_opens_profile(streamlit_server, page):
    page.goto(streamlit_server.url + "/?xa=00694")
    page.get_by_role("heading", name="Phường Hà Giang 1", exact=True).first.wait_for(timeout=30000)
    page.get_by_role("tab", name="Xã cũ").click()  # the profile's side panel: one tab per table (layout)
    page.get_by_text("Hình thành từ các xã cũ (trước 01/07/2025)").wait_for(timeout=30000)
    assert "Thành phố Hà Giang" in page.inner_text("body")  # its former district
    _, n = _communes_drawn(page)
    assert n == 124
    assert real_console_errors(page) == []


def test_click_on_a_commune_opens_its_profile(streamlit_server, page):
    page.goto(streamlit_server.url + "/")
    frame, _ = _communes_drawn(page)
    frame.locator(COMMUNES).nth(40).click()
    page.wait_for_function("() => location.href.includes('ho_so_xa') && location.href.includes('xa=')",
                           timeout=30000)
    code = re.search(r"xa=(\d{5})", page.url).group(1)
    heading = page.get_by_role("heading", level=1).first
    heading.wait_for(timeout=30000)
    assert heading.inner_text().startswith(("Xã ", "Phường "))
    assert real_console_errors(page) == []
    del code


def test_english_switch(streamlit_server, page):
    page.goto(streamlit_server.url + "/")
    _communes_drawn(page)
    page.get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="Tuyên Quang drug-free communes map").wait_for(timeout=30000)
    assert "35/124" in _kpi_text(page) and "28.2%" in _kpi_text(page)
    # the same map object relabelled in English (demo badge, tooltips), without a new mount
    page.wait_for_function("() => [...document.querySelectorAll('.tq-live .tq-demo')]"
                           ".some(e => e.textContent.includes('illustrative'))", timeout=30000)
    assert page.evaluate("() => document.querySelectorAll('.tq-live').length") == 1
    page.locator(".tq-live path.tq-commune").nth(40).hover()
    page.wait_for_function("() => [...document.querySelectorAll('.tq-live .leaflet-tooltip.tq-tip')]"
                           ".some(e => e.textContent.includes('Category:'))", timeout=30000)
    assert real_console_errors(page) == []


@pytest.mark.parametrize("path,heading", [
    ("tuyen", "Tuyến trọng điểm phức tạp về ma túy"),
    ("xa_trong_diem", "Xã trọng điểm phức tạp về ma túy"),
    ("ho_so_xa?xa=02269", "Xã Thượng Lâm"),
    ("tien_do", "Tiến độ xây dựng xã không ma túy đến 2030"),
    ("nguon_du_lieu", "Nguồn dữ liệu"),
])
def test_every_page_in_the_browser(streamlit_server, page, artifacts_dir, path, heading):
    page.goto(f"{streamlit_server.url}/{path}")
    page.get_by_role("heading", name=heading).first.wait_for(timeout=30000)
    if path != "nguon_du_lieu":
        _, n = map_frame_paths(page, minimum=1)
        assert n > 0
    time.sleep(0.5)
    page.screenshot(path=str(artifacts_dir / f"app_{path.split('?')[0]}.png"))
    assert page.external_requests == []
    assert real_console_errors(page) == []


@pytest.mark.parametrize("path", ["", "tuyen", "xa_trong_diem", "ho_so_xa?xa=00694", "ho_so_xa?xa=02269",
                                  "tien_do", "trinh_chieu", "tuong", "nguon_du_lieu"])
def test_a_fresh_open_runs_the_page_once(streamlit_server, page, path):
    """A page opened in a new tab runs once: none of its components lacks a part of its HTML (or its
    filter lists) that the run named by hash only (livemap._sent_once). Each part travelled once per
    session, with the first component of the run that showed it; the browser mounts a page's
    components in its own order, and every fresh open of a commune's profile asked for its tabs'
    tables again ("missing"), so the whole page ran twice."""
    page.add_init_script(WS_WATCH_JS)  # counts what the page sends the server (the run it asks for)
    page.goto(f"{streamlit_server.url}/{path}")
    page.wait_for_function(COMPONENTS_RAN_JS, timeout=120000)
    if path not in ("trinh_chieu", "tuong", "nguon_du_lieu"):  # map pages: the map shown too
        page.wait_for_selector(".tq-live[data-tq-ready]", timeout=120000)
    page.wait_for_function(COMPONENTS_RAN_JS, timeout=120000)
    assert page.evaluate("window.tqLive.asked || []") == []  # static/tq-live.js asked()
    assert page.evaluate("window.__tqWs.sent") == 1  # the page's first run, no other
    assert real_console_errors(page) == []


def test_the_geometry_is_kept_by_the_browser_for_the_next_visit(streamlit_server, browser):
    """The map's geometry files are named by their content and answered as immutable
    (ui/hints.GeometryCache): a later visit in the same browser (a new session: a reload, a new
    tab, the next morning) takes them from the browser's cache without asking the server. (Chrome
    alone keeps a file without a cache header for a tenth of its age, so the second visit here
    would find them cached anyway: the header is what makes it hold.)"""
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="vi-VN")
    geo_js = ("performance.getEntriesByType('resource').filter(e => e.name.includes('/tq-geo/'))"
              ".map(e => [e.name.split('/').pop(), e.transferSize])")
    answers = {}
    ctx.on("response", lambda r: "/tq-geo/" in r.url and answers.setdefault(r.url.split("/")[-1],
                                                                           r.headers.get("cache-control")))
    try:
        got = []
        for _visit in range(2):
            pg = ctx.new_page()
            pg.goto(f"{streamlit_server.url}/")
            pg.wait_for_selector(".tq-live[data-tq-ready]", timeout=120000)
            got.append(dict(pg.evaluate(geo_js)))
            pg.close()
        first, second = got
        assert first and all(size > 0 for size in first.values())  # fetched
        assert {name: answers.get(name) for name in first} == {name: "public, max-age=31536000, immutable"
                                                               for name in first}
        assert set(second) == set(first)
        assert all(size == 0 for size in second.values()), second  # from the cache, no request
    finally:
        ctx.close()


def test_progress_chart_is_the_presentations_svg(streamlit_server, page):
    """The progress page's chart is the presentation's (geo.present.chart: one chart): inline SVG
    with a bar per year with data, values in the page's language, a tooltip on each bar, and no
    charting script fetched (Altair/Vega-Embed was ~0.8 MB)."""
    scripts = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto(f"{streamlit_server.url}/tien_do")
    bars = page.locator(".tq-progress-chart svg.tq-chart rect.tq-c-bar")
    bars.first.wait_for(timeout=60000)
    assert bars.count() == 2  # the demo's two years with data
    text = page.locator(".tq-progress-chart svg").text_content()
    assert "28,2%" in text and "35,5%" in text
    assert bars.first.locator("title").text_content() == "2025 · Tỷ lệ xã không ma túy: 28,2%"
    assert not [u for u in scripts if "vega" in u.lower() or "arrow" in u.rsplit("/", 1)[-1].lower()]
    assert real_console_errors(page) == []


def test_print_button_prints_the_page(streamlit_server, page):
    """The print button beside the map (through our component, an inline handler) asks the browser
    to print; the demo banner is above the map."""
    page.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    page.goto(streamlit_server.url + "/")
    _communes_drawn(page)
    page.get_by_role("button", name="In trang này").click()
    page.wait_for_function("() => window.__printed === 1", timeout=30000)
    assert page.locator(".tq-demo-banner").first.inner_text().startswith("DỮ LIỆU MINH HỌA")
    assert real_console_errors(page) == []


def _exports_audited(db) -> list[str]:
    """The exports audited in the store ``db``, newest first, read by a fresh process (as an admin's
    ``python -m geo audit`` would). Not by a connection of the test process: other tests keep
    connections to the same file open here, and once another process's last close had checkpointed
    and removed its WAL, a new connection of this process shared their stale view of it and never
    saw the server's new entry (seen in a fresh clone's run, not on a quiet one)."""
    code = ("import json, sys; from geo.store import open_store; s = open_store(sys.argv[1]); "
            "print(json.dumps([e.what for e in s.audit_entries(action='export', limit=None)]))")
    r = subprocess.run([sys.executable, "-c", code, str(db)], cwd=REPO_ROOT, capture_output=True, text=True,
                       timeout=120, check=True)
    return json.loads(r.stdout)


def test_downloads_are_made_when_clicked_and_refused_clearly(streamlit_server, page, demo_db):
    """The Overview's downloads are one element of ours (ui/downloads.py), not Streamlit download
    buttons (whose script the page no longer fetches): the PDF on A3, picked beside the buttons
    without a run, is made when clicked, saved under its name and audited. A request the server
    refuses (here: its token replaced, as for a session that has ended) saves nothing, and the
    server's Vietnamese message is shown under the buttons."""
    page.add_init_script(WS_WATCH_JS)
    page.goto(streamlit_server.url + "/")
    _communes_drawn(page)
    page.wait_for_function(COMPONENTS_RAN_JS, timeout=60000)
    scripts = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not [u for u in scripts if "DownloadButton" in u]
    assert page.locator('[data-testid="stDownloadButton"]').count() == 0
    before = _exports_audited(demo_db)

    def new_exports(timeout_s=30.0):
        """The exports audited since the test began (waited for: a condition)."""
        deadline = time.monotonic() + timeout_s
        while True:
            got = _exports_audited(demo_db)
            if len(got) > len(before) or time.monotonic() > deadline:
                return got[:len(got) - len(before)]
            time.sleep(0.2)

    sent = page.evaluate("window.__tqWs.sent")
    page.get_by_label("A3").check()
    with page.expect_download(timeout=180000) as dl:
        page.get_by_role("button", name="Tờ trình PDF").click()
    assert dl.value.suggested_filename == "to-trinh_overview_2025_a3_minh-hoa.pdf"
    with open(dl.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    assert new_exports() == ["PDF overview a3 2025"]
    assert page.evaluate("window.__tqWs.sent") == sent  # the paper size and the file: nothing asks for a run
    # refused: the address of a session the server does not hold
    page.route(re.compile(r".*/_tq/dl/.*"), lambda route: route.continue_(
        url=re.sub(r"/_tq/dl/[^/]+/", "/_tq/dl/" + "x" * 24 + "/", route.request.url)))
    saved = []
    page.on("download", lambda d: saved.append(d))
    page.get_by_role("button", name="Bản đồ HTML (dùng không cần mạng)").click()
    msg = page.locator(".tq-dl .tq-dl-msg.err")
    msg.wait_for(timeout=60000)
    assert "Liên kết tải tệp đã hết hạn" in msg.inner_text()
    page.get_by_role("button", name="Bản đồ HTML (dùng không cần mạng)").wait_for(timeout=30000)
    assert saved == [] and new_exports(timeout_s=0) == ["PDF overview a3 2025"]
    assert real_console_errors(page) == []


VIEW_EVENTS_JS = """(() => {
  window.__tqView = [];
  const id = setInterval(() => {
    const m = window.tqLiveMap;
    if (!m || m.__tqWatched) return;
    m.__tqWatched = true;
    const el = m.getContainer();
    m.on('zoomend moveend viewreset load', e => window.__tqView.push(
      [e.type, m.getZoom(), el.offsetWidth + 'x' + el.offsetHeight]));
  }, 1);
})();"""


@pytest.mark.parametrize("path", ["", "tuyen", "xa_trong_diem", "ho_so_xa?xa=00694", "tien_do"])
def test_a_map_page_draws_its_map_once_at_its_final_view(streamlit_server, page, path):
    """The map sizes itself to the page and fits its view there (static/tq-live.js pageFit) before
    its first drawing: once the page has settled, the map has not been fitted, moved or redrawn
    again while its size stayed the same. Before, the page's separate window fit refitted it at its
    next tick: every shape was drawn a second time (a ``moveend``) and the view jumped a zoom step
    (9.25 -> 9.3 on /tuyen) just after it appeared."""
    page.add_init_script(VIEW_EVENTS_JS)
    page.goto(streamlit_server.url + "/" + path)
    map_frame_paths(page, minimum=1, timeout_s=60)
    page.wait_for_selector(".tq-live[data-tq-fitted]", timeout=60000)
    ticks = page.evaluate("window.tqLive.fitTicks || 0")
    page.wait_for_function(f"() => (window.tqLive.fitTicks || 0) >= {ticks + 3}", timeout=60000)  # settled
    events = page.evaluate("window.__tqView")
    loads = [i for i, e in enumerate(events) if e[0] == "load"]
    assert len(loads) == 1, events
    size = events[loads[0]][2]
    later = [e for e in events[loads[0] + 1:] if e[2] == size]
    assert later == [], f"/{path}: fitted or redrawn again at the same size: {events}"
    assert real_console_errors(page) == []
