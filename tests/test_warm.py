"""Warm start (geo.maps.warm): the year views, map topologies and persistent-map geometry files
are built once per data version, in the background, without raising into a page."""

from __future__ import annotations

import time

from geo import yearview
from geo.demo import build_demo
from geo.maps import compact, live, warm
from geo.store import open_store


def test_warm_builds_year_views_topology_and_geometry_once(tmp_db, boundaries_gpkg):
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
    finally:
        store.close()


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
