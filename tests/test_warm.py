"""Warm start (geo.maps.warm): the year views, map topologies and persistent-map geometry files
are built once per data version, in the background, without raising into a page."""

from __future__ import annotations

import time

from geo import yearview
from geo.demo import build_demo
from geo.maps import compact, live, warm
from geo.store import open_store


def test_warm_builds_year_views_topology_and_geometry_once(tmp_db, boundaries_gpkg, monkeypatch):
    store = open_store()
    try:
        build_demo(store)
        yearview.invalidate()
        compact._TOPO_CACHE.clear()
        years = sorted(store.years())[:1]
        assert warm._years(store, None)[0] == (2025 if 2025 in store.years() else max(store.years()))
        report = warm.warm(store, years, background=False)
        assert report["errors"] == [], report
        assert set(years) <= set(report)
        # everything a first visit needs is now cached: the year view is the same object...
        version = store.data_version()
        t0 = time.perf_counter()
        yv = yearview.year_view(store, years[0])
        assert time.perf_counter() - t0 < 1.0 and yv.data_version == version
        assert any(k[1:] == (version, years[0]) and v is yv for k, v in yearview._cache.items())
        # ...the overview's topology is in memory and on disk, its geometry files are published
        assert compact._TOPO_CACHE
        assert any(compact._cache_dir().glob("*.json"))
        published = list(live.GEO_DIR.glob("g*.json"))
        assert published
        # once per data version: a second call does nothing
        assert warm.warm(store) is None
        _a_pages_map_is_built_once_and_shared(store, yv, monkeypatch)
    finally:
        store.close()


def _a_pages_map_is_built_once_and_shared(store, yv, monkeypatch):
    """live.app_view: the same year view and arguments give the very same map (and split), other
    arguments or a new data version a new one; the warm start filled it for the Overview."""
    m = live.app_view(yv, "overview", lang="vi")
    assert live._VIEWS[yv][("view", "overview", "vi", None, None)] is m  # the warm start built it
    assert ("filter-panel", "overview", "vi") in live._VIEWS[yv]  # and the filter panel's lists
    assert ("filtered", "overview", "vi", None, ()) in live._VIEWS[yv]  # and the faded styles
    assert live.app_view(yv, "overview", lang="vi") is m
    assert live.split(m) is live.split(m.map)  # split once per map
    codes = sorted(yv.frame["code"].astype(str))[:5]
    hi = live.app_filtered(yv, "overview", codes, lang="vi")
    assert live.app_filtered(yv, "overview", reversed(codes), lang="vi") is hi  # the same filter: shared
    assert hi.geometries == live.split(m).geometries  # restyled, not built again
    assert live.app_view(yv, "overview", lang="en") is not m
    # the filter's fading is in the shared map's styles: 5 kept, the rest faded
    faded = [s for s in hi.layers[0]["styles"] if s.get("fillOpacity") == 0.22]
    assert faded and not [s for s in live.split(m).layers[0]["styles"] if s.get("fillOpacity") == 0.22]
    # bounded per year view
    monkeypatch.setattr(live, "VIEWS_PER_YEAR", 3)
    for i in range(5):
        live.app_filtered(yv, "overview", codes[: 1 + i], lang="vi")
    assert len(live._VIEWS[yv]) <= 3
    # a new data version: a new year view, a new map (the old one is not reused)
    a = next(iter(store.assessments(yv.year).values()))
    from geo import service
    service.import_assessments(store, yv.year, [a], user="bientap", reason="kiểm thử", source="t.xlsx", demo=True)
    yv2 = yearview.year_view(store, yv.year)
    assert yv2 is not yv and live.app_view(yv2, "overview", lang="vi") is not m


def test_warm_in_background_returns_at_once_and_never_raises(tmp_db, boundaries_gpkg):
    class Broken:
        url = "broken://"

        def data_version(self):
            return 1

        def years(self):
            return [2025]

    th = warm.warm(Broken())
    assert th is not None
    th.join(120)
    assert not th.is_alive()
    assert warm.LAST["errors"] and "2025" in warm.LAST["errors"][0]


def test_serve_warms_the_server_before_any_visit(demo_db, tmp_path):
    """``python -m ui.serve`` (make run, deploy units) starts Streamlit and, in the same process,
    the warm start: its thread finishes with no browser ever having opened a page."""
    from tests.conftest import StreamlitServer

    log = tmp_path / "serve.log"
    srv = StreamlitServer({"TQMAP_DB": str(demo_db), "TQMAP_PUBLIC_DEMO": "1"}, log, serve=True)
    try:
        deadline = time.time() + 600  # a generous bound for a loaded machine; ends as soon as it is done
        while "tqmap: warm start done" not in log.read_text() and time.time() < deadline:
            assert srv.proc.poll() is None, log.read_text()
            time.sleep(0.5)
        text = log.read_text()
        assert "tqmap: warm start done" in text, text[-3000:]
        done = next(line for line in text.splitlines() if "tqmap: warm start done" in line)
        assert "2025" in done, done  # the demo's years were built
        assert "warm start failed" not in text, text[-3000:]
    finally:
        srv.stop()

