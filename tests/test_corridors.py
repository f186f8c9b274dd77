"""Route corridors on the real boundaries and the demo routes."""

from __future__ import annotations

import pytest
import shapely

from geo import boundaries, corridors
from geo.demo import demo_routes
from geo.model import Route


@pytest.fixture(scope="module")
def routes(boundaries_gpkg):
    return {r.id: r for r in demo_routes()}


@pytest.fixture(scope="module")
def communes(boundaries_gpkg):
    return boundaries.communes(web=True)


def test_every_demo_route_crosses_communes(routes, communes):
    assert set(routes) == {"QL2", "QL2C", "QL4C", "QL34", "QL37-279", "BIEN-GIOI"}
    for r in routes.values():
        on = corridors.communes_on_route(r, communes)
        assert on, r.id
        assert set(on) <= set(communes["code"])


def test_border_route_communes_touch_or_near_the_border(routes, communes):
    border_m = boundaries.layer("border_cn").to_crs(corridors.METRIC_CRS).geometry.union_all()
    on = corridors.communes_on_route(routes["BIEN-GIOI"], communes)
    m = communes.set_index("code").to_crs(corridors.METRIC_CRS)
    assert len(on) >= 15
    for code in on:
        assert m.loc[code, "geometry"].distance(border_m) <= 5_000 + 100, code
    # and no commune far from the border is on it
    far = [c for c in m.index if m.loc[c, "geometry"].distance(border_m) > 6_000]
    assert far and not set(far) & set(on)


def test_width_matters_and_is_metric(communes):
    # a short line through Phường Hà Giang 1's neighbourhood: wider corridor, more communes
    line = "LINESTRING (104.98 22.80, 104.98 22.86)"
    narrow = corridors.communes_on_route(Route("T", "t", geometry_wkt=line, half_width_km=0.1), communes)
    wide = corridors.communes_on_route(Route("T", "t", geometry_wkt=line, half_width_km=10), communes)
    assert set(narrow) < set(wide)
    poly = corridors.corridor_polygon(Route("T", "t", geometry_wkt=line, half_width_km=2))
    # 2 km each side of a 6.7 km line: area ≈ 2*2*6.67 + π*2² ≈ 39.2 km²
    area_km2 = shapely.area(corridors.corridor_metric(Route("T", "t", geometry_wkt=line, half_width_km=2))) / 1e6
    assert 37 < area_km2 < 41
    x0, y0, x1, y1 = poly.bounds
    assert 104.9 < x0 < x1 < 105.1 and 22.7 < y0 < y1 < 22.9  # degrees: EPSG:4326


def test_route_membership_matches_communes_on_route(routes, communes):
    member = corridors.route_membership(list(routes.values()), communes)
    assert set(member) == set(communes["code"])
    for rid, r in routes.items():
        assert sorted(c for c, ids in member.items() if rid in ids) == corridors.communes_on_route(r, communes)


def test_corridor_cache_keys_on_geometry_and_width():
    a = Route("Z", "z", geometry_wkt="LINESTRING (105 22.5, 105.1 22.6)", half_width_km=2)
    b = Route("Z", "z", geometry_wkt="LINESTRING (105 22.5, 105.1 22.6)", half_width_km=4)
    c = Route("Z", "z", geometry_wkt="LINESTRING (105 22.5, 105.2 22.6)", half_width_km=2)
    pa, pb, pc = (corridors.corridor_polygon(r) for r in (a, b, c))
    assert pa is corridors.corridor_polygon(a)
    assert pb.area > pa.area and not pc.equals(pa)
