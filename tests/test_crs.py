import geopandas as gpd
import pytest
from shapely.geometry import LineString

from geo.crs import VN2000_TM3, detect_crs_problem, likely_crs, tm3_proj, to_wgs84

# metres between two lon/lat points (small distances)
def _m(a, b):
    from pyproj import Geod

    return Geod(ellps="WGS84").inv(a[0], a[1], b[0], b[1])[2]


@pytest.mark.parametrize("epsg", sorted(VN2000_TM3))
def test_pyproj_applies_the_6960_shift(epsg):
    lon0 = VN2000_TM3[epsg]
    for x, y in [(450000, 2500000), (520000, 2420000), (480000, 2560000)]:
        official = to_wgs84(x, y, epsg)
        explicit = to_wgs84(x, y, tm3_proj(lon0))
        no_shift = to_wgs84(x, y, tm3_proj(lon0, datum_shift=False))
        assert _m(official, explicit) < 1.0
        assert 150 < _m(official, no_shift) < 300


def test_metres_declared_as_wgs84_are_detected():
    line = gpd.GeoSeries([LineString([(105.0, 22.8), (105.2, 22.2)])], crs=4326).to_crs("EPSG:9209")
    bad = gpd.GeoDataFrame(geometry=list(line.values)).set_crs(4326)  # metres, declared as degrees
    msg = detect_crs_problem(bad)
    assert msg and "mét" in msg and "EPSG:9209" in msg and "EPSG:9211" in msg
    assert detect_crs_problem(gpd.GeoDataFrame(geometry=[LineString([(105.0, 22.8), (105.2, 22.2)])], crs=4326)) is None
    assert "EPSG:9209" in likely_crs(tuple(line.total_bounds))
