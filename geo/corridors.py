"""Route corridors: the communes on a route are computed from its line, never typed in.

A corridor is the route line buffered by ``half_width_km`` in a metric CRS (UTM 48N, EPSG:32648,
which covers the province). Corridors are cached by (route id, geometry, width).
"""

from __future__ import annotations

import functools

import geopandas as gpd
import shapely
from pyproj import Transformer
from shapely import wkt
from shapely.ops import transform

from .crs import METRIC_CRS, WGS84  # one definition of the CRSs: geo.crs
from .model import Route

_TO_M = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
_TO_LL = Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True)


@functools.lru_cache(maxsize=256)
def _corridor_m(route_id: str, geometry_wkt: str, half_width_km: float):
    line = transform(_TO_M.transform, wkt.loads(geometry_wkt))
    # Not prepared: this polygon is cached and shared by the server's threads, and a prepared GEOS
    # geometry used by two threads at once aborts the process (seen with the warm-up thread).
    return line.buffer(float(half_width_km) * 1000.0, quad_segs=8)


def corridor_metric(route: Route):
    """The corridor polygon in EPSG:32648 (metres)."""
    return _corridor_m(route.id, route.geometry_wkt, float(route.half_width_km))


@functools.lru_cache(maxsize=256)
def _corridor_ll(route_id: str, geometry_wkt: str, half_width_km: float):
    return transform(_TO_LL.transform, _corridor_m(route_id, geometry_wkt, half_width_km))


def corridor_polygon(route: Route):
    """The corridor polygon in EPSG:4326 (for maps)."""
    return _corridor_ll(route.id, route.geometry_wkt, float(route.half_width_km))


def communes_on_route(route: Route, communes_gdf: gpd.GeoDataFrame) -> list[str]:
    """Codes (sorted) of the communes whose polygon intersects the route's corridor."""
    poly = corridor_metric(route)
    m = communes_gdf.to_crs(METRIC_CRS) if str(communes_gdf.crs) != METRIC_CRS else communes_gdf
    hit = shapely.intersects(poly, m.geometry.values)
    return sorted(m.loc[hit, "code"].astype(str))


def route_membership(routes: list[Route], communes_gdf: gpd.GeoDataFrame) -> dict[str, list[str]]:
    """{commune code: [route ids whose corridor crosses it]} for every commune (possibly empty)."""
    m = communes_gdf.to_crs(METRIC_CRS)
    codes = list(m["code"].astype(str))
    out: dict[str, list[str]] = {c: [] for c in codes}
    geoms = m.geometry.values
    for r in routes:
        hit = shapely.intersects(corridor_metric(r), geoms)
        for c, h in zip(codes, hit):
            if h:
                out[c].append(r.id)
    return out
