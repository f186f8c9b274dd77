"""The persistent map (livemap + geo.maps.live) in a real Streamlit server and Chromium: geometry
fetched once, a filter or year change sends only the style table (≤ 20 KB, measured from Chrome's
own network events), clicks give the commune code, tooltips work, nothing leaves the machine.
The same page through streamlit-folium is measured beside it (what the app does today)."""

from __future__ import annotations

import json
import time

import pytest

from geo.maps import compact, live, views
from tests.conftest import StreamlitServer

COMMUNE_PATHS = "() => document.querySelectorAll('.tq-live path.leaflet-interactive').length"


class Bytes:
    """Bytes Chromium receives (CDP): websocket frames and HTTP bodies; geometry fetches counted."""

    def __init__(self, ctx, pg):
        self.total = 0
        self.geo_fetches: list[str] = []
        cdp = ctx.new_cdp_session(pg)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.on("Network.loadingFinished", lambda e: self._add(int(e.get("encodedDataLength") or 0)))
        cdp.on("Network.requestWillBeSent", self._req)
        cdp.send("Network.enable")
        self._cdp = cdp

    def _add(self, n):
        self.total += n

    def _frame(self, ev):
        r = ev.get("response") or {}
        d = r.get("payloadData") or ""
        self._add(len(d) * 3 // 4 if r.get("opcode") == 2 else len(d.encode()))

    def _req(self, ev):
        url = ev.get("request", {}).get("url", "")
        if "/tq-geo/" in url:
            self.geo_fetches.append(url)


@pytest.fixture(scope="module")
def live_server(demo_db, tmp_path_factory):
    log = tmp_path_factory.mktemp("live") / "streamlit.log"
    srv = StreamlitServer({"TQMAP_DB": str(demo_db)}, log, script="bench/live_app.py")
    yield srv
    srv.stop()


def _idle(pg, timeout_ms=120_000):
    pg.wait_for_function("() => { const e = document.querySelector('[data-test-script-state]');"
                         " return e && e.getAttribute('data-test-script-state') === 'notRunning'; }",
                         timeout=timeout_ms)


def _fills(pg) -> str:
    return pg.evaluate("() => Array.from(document.querySelectorAll('.tq-live path.leaflet-interactive'))"
                       ".map(p => p.getAttribute('fill') + p.getAttribute('fill-opacity')).join(',')")


def _pick_category(pg, label: str):
    box = pg.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] input').first
    box.click()
    box.press_sequentially(label)
    pg.get_by_role("option", name=label, exact=True).wait_for(timeout=60_000)
    pg.wait_for_function("() => document.querySelectorAll('[role=option]').length === 1", timeout=60_000)
    box.press("Enter")


def test_live_map_geometry_once_styles_per_change(browser, live_server):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="vi-VN")
    pg = ctx.new_page()
    external = []
    pg.on("request", lambda r: external.append(r.url) if not r.url.startswith(
        (live_server.url, "data:", "blob:", "about:")) else None)
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    b = Bytes(ctx, pg)
    try:
        pg.goto(live_server.url + "/?impl=live")
        pg.wait_for_function(f"() => ({COMMUNE_PATHS})() >= 124", timeout=180_000)
        _idle(pg)
        assert len(set(b.geo_fetches)) >= 1
        fetched = list(b.geo_fetches)
        opened = b.total

        # a category filter: only the style table travels
        before = _fills(pg)
        b0 = b.total
        _pick_category(pg, "Đã công nhận không ma túy")
        pg.wait_for_function("(s) => Array.from(document.querySelectorAll('.tq-live path.leaflet-interactive'))"
                             ".map(p => p.getAttribute('fill') + p.getAttribute('fill-opacity')).join(',') !== s",
                             arg=before, timeout=120_000)
        _idle(pg)
        filter_kb = (b.total - b0) / 1024

        # a year change: same geometry files, new styles
        before = _fills(pg)
        b0 = b.total
        pg.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
        pg.get_by_role("option", name="2026", exact=True).click()
        pg.wait_for_function("() => document.body.innerText.indexOf('Năm 2026') >= 0", timeout=120_000)
        _idle(pg)
        year_kb = (b.total - b0) / 1024
        assert b.geo_fetches == fetched, "geometry fetched again after a change"
        assert pg.evaluate(COMMUNE_PATHS) >= 124

        # the map object survived both reruns (persistent), tooltips, click -> code
        assert pg.evaluate("() => !!window.tqLiveMap && window.tqLiveMap._loaded")
        code = pg.evaluate("""() => {
            let hit = null;
            window.tqLiveLayers.communes.eachLayer(l => { if (!hit && l.feature) hit = l; });
            hit.openTooltip(hit.getBounds().getCenter());
            const tip = hit.getTooltip().getContent();
            hit.fire('click');
            return [hit.feature.properties.id, tip];
        }""")
        assert code[0] and code[0] in code[1]  # the tooltip names the code
        pg.wait_for_function("(c) => document.body.innerText.indexOf('Xã vừa bấm: ' + c) >= 0", arg=code[0],
                             timeout=120_000)
    finally:
        ctx.close()
    assert not external, external[:5]
    assert not errors, errors
    print(json.dumps({"open_kb": opened / 1024, "filter_kb": filter_kb, "year_kb": year_kb}))
    assert filter_kb <= 20, f"{filter_kb:.1f} KB per filter change"
    assert year_kb <= 25, f"{year_kb:.1f} KB per year change"


def test_streamlit_folium_resends_the_geometry(browser, live_server):
    """The comparison: the same change through st_folium(m, key=...) costs the whole map."""
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="vi-VN")
    pg = ctx.new_page()
    b = Bytes(ctx, pg)
    try:
        pg.goto(live_server.url + "/?impl=folium")
        deadline = time.time() + 180
        while time.time() < deadline:
            if max((f.evaluate("() => document.querySelectorAll('path.leaflet-interactive').length")
                    for f in pg.frames if f != pg.main_frame), default=0) >= 124:
                break
            time.sleep(0.25)
        _idle(pg)
        b0 = b.total
        _pick_category(pg, "Đã công nhận không ma túy")
        # the change's own text (the drug-free communes of 2025), then idle: the rerun is over
        pg.wait_for_function("() => document.body.innerText.indexOf('Năm 2025: 35 xã khớp') >= 0", timeout=120_000)
        _idle(pg)
        folium_kb = (b.total - b0) / 1024
    finally:
        ctx.close()
    print(json.dumps({"folium_filter_kb": folium_kb}))
    assert folium_kb > 100  # the whole map script again


def test_split_keeps_codes_and_separates_static_geometry(frame, routes):
    a = live.split(views.overview_map(frame, routes, year=2025, app=True))
    b = live.split(views.overview_map(frame, routes, year=2025, app=True,
                                      highlight_codes=list(frame["code"][:10])))
    # same geometry files, different style tables
    assert [g.key for g in a.geometries] == [g.key for g in b.geometries]
    assert a.layers[0]["sid"] != b.layers[0]["sid"]
    base = json.loads(a.geometries[0].text)
    assert sorted(base["layers"]["communes"]["ids"]) == sorted(frame["code"])
    assert "province" in base["layers"] and base["arcs"]
    assert a.data_bytes() <= 20 * 1024


def _marks_rows(lm) -> list[list]:
    """The commune marks' rows as the browser rebuilds them (static/tq-live.js markRows)."""
    base = json.loads(lm.geometries[0].text)
    ids, places = base["layers"]["communes"]["ids"], base["places"]
    mk = lm.data(send_tips=False)["marks"]
    r = compact.decode_ints(mk["r"])
    rows = [[*places[r[k]][:2], r[k + 2] & 1, mk["cats"][r[k + 1]], places[r[k]][2], (r[k + 2] >> 1) & 1, ids[r[k]]]
            for k in range(0, len(r), 3)]
    return rows + mk["x"]


def test_marks_travel_as_an_index_into_the_base_files_places(frame, routes):
    """Commune names and symbols: places and names once in the base geometry file, per change only
    (commune, category, flags); the browser's rows equal the export's (CommuneMarks) exactly."""
    from geo.maps import labels

    for kw in ({}, {"focus_code": str(frame["code"].iloc[5])}):
        m = views.overview_map(frame, routes, year=2025, app=True, **kw)
        marks = next(c for c in getattr(m, "map", m)._children.values() if isinstance(c, labels.CommuneMarks))
        lm = live.split(m)
        assert _marks_rows(lm) == marks.rows and len(marks.rows) == len(frame)
        assert lm.data(send_tips=False)["marks"]["x"] == []  # every place came from the base file
        assert len(json.dumps(lm.data(send_tips=False)["marks"])) < 1500
        assert "tqMarks" in json.loads(lm.geometries[0].text)["marksJs"]


def test_a_filter_restyles_the_shared_map_exactly_as_a_built_one(demo_db):
    """live.app_filtered (the Overview's filters) gives the browser exactly what a map built with
    views.view_map(highlight_codes=...) would: same styles, tooltips, marks, bounds and files."""
    from geo import yearview
    from geo.store import open_store

    store = open_store(demo_db)
    try:
        yv = yearview.year_view(store, 2025)
        codes = sorted(yv.frame["code"].astype(str))
        # a few kept, every third, none kept, and with a searched commune kept / not kept
        for keep, focus in ((codes[:5], None), (codes[::3], None), ([], None), (codes[:5], codes[2]),
                            (codes[:5], codes[40])):
            got = live.app_filtered(yv, "overview", keep, focus_code=focus)
            want = live.split(views.view_map(yv, "overview", highlight_codes=keep, focus_code=focus))
            assert got.layers == want.layers, (len(keep), focus)
            assert (got.parts, got.tips, got.extra, got.bounds, got.badge) == \
                   (want.parts, want.tips, want.extra, want.bounds, want.badge)
            assert [g.key for g in got.geometries] == [g.key for g in want.geometries]
            communes = got.layers[0]
            assert communes["id"] == "communes"
            faded = sum(communes["styles"][k].get("fillOpacity") == 0.22 for k in compact.decode_ints(communes["sid"]))
            assert faded == len(codes) - len(keep)
    finally:
        store.close()


def test_demo_badge_comes_from_the_map(frame, routes):
    lm = live.split(views.overview_map(frame, routes, year=2025, app=True, demo=True))
    assert lm.data()["badge"] == "DỮ LIỆU MINH HỌA"
    assert live.split(views.overview_map(frame, routes, year=2025, app=True, demo=False)).data()["badge"] is None
    assert lm.data(badge="")["badge"] is None  # the caller may hide it


def test_tooltip_pieces_travel_once_per_session(frame, routes):
    """A year (here: new decisions) or language change sends only the pieces the browser lacks; the
    tooltips rebuilt from the book equal the map's own."""
    book = {"id": "t", "parts": {}}
    other = frame.copy()
    other.loc[other.index[:20], "decision_no"] = "99/QĐ-UBND"  # e.g. the next year's decisions
    seen: list[str] = []
    for f, lang in ((frame, "vi"), (other, "vi"), (frame, "en")):
        lm = live.split(views.overview_map(f, routes, year=2025, app=True, lang=lang))
        t = lm.tips_delta(book)
        assert t["base"] == len(seen)
        seen += t["add"]
        for layer, per in t["per"].items():
            for i, enc in enumerate(per):
                want = "".join(lm.parts[j] for j in lm.tips[layer][i])
                assert "".join(seen[j] for j in compact.decode_ints(enc)) == want if enc else not want
        if f is other:
            assert 0 < len(t["add"]) < 0.2 * len(lm.parts)  # a few new pieces, not all


def test_a_year_pick_counts_once_and_only_for_an_offered_year():
    """livemap.picked_year: the year control's state from the browser is believed only for a year
    it offers, and a pick (its stamp) only once; anything else is dropped, the stamp kept."""
    from livemap import picked_year

    years = [2025, 2026]
    assert picked_year({"y": 2026, "at": 5}, None, years) == (5, 2026)
    assert picked_year({"y": 2026, "at": 5}, 5, years) == (5, None)  # the same pick, seen: no change
    assert picked_year({"y": 2025, "at": 6}, 5, years) == (6, 2025)
    for bad in ({"y": 1999, "at": 7}, {"y": "2026", "at": 7}, {"y": True, "at": 7}, {"y": 2026.0, "at": 7}):
        assert picked_year(bad, 5, years) == (7, None), bad
    for junk in (None, 2026, "2026", [], {}, {"y": 2026}, {"y": 2026, "at": None}):
        assert picked_year(junk, 5, years) == (5, None), junk


def test_a_years_preview_is_what_its_run_sends(demo_db):
    """The Overview sends each other year's map ahead (livemap.live_map ``previews``); the browser
    shows it when that year is picked. It must be what the run for that year sends then: the same
    layers, styles, marks, bounds and badge (the tooltips follow with the run)."""
    from geo import yearview
    from geo.store import open_store
    from livemap import _previews

    store = open_store(demo_db)
    try:
        maps = {y: live.app_view(yearview.year_view(store, y), "overview") for y in (2025, 2026)}
        sent: set = set()
        pre = _previews({2026: maps[2026]}, sent, height=720, badge=None)
        h = pre["years"]["2026"]
        assert set(pre["add"]) == {h} and sent == {h}
        run = live.split(maps[2026]).data(height=720, send_tips=False, send_fixed=False)
        got = pre["add"][h]
        assert "tips" not in got
        assert {k: v for k, v in run.items() if k != "tips"} == got
        assert got["layers"] != live.split(maps[2025]).data(send_tips=False, send_fixed=False)["layers"]
        # sent once per session: the next run names it by its hash only
        again = _previews({2026: maps[2026]}, sent, height=720, badge=None)
        assert again == {"years": {"2026": h}, "add": {}}
    finally:
        store.close()
