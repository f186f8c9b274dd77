"""Synthetic commune coverages of N units for the growth curve of the benchmark.

A Voronoi tessellation of N seeded random points, clipped to a rectangle whose area gives each unit
the real mean area (≈111 km², like Tuyên Quang's 124 units and Vietnam's 3,321), every shared
edge densified to the real vertex spacing (the raw published boundaries have one vertex every
≈22 m of boundary) and bent by a smooth multi-scale displacement field, so the boundaries wiggle
at all scales like rivers and ridges do. The displacement is a function of position only, so a
vertex shared by two units moves identically for both and the coverage stays valid (checked).

The result then goes through the SAME build steps as the real data (:func:`geo.build.simplify_for_web`
= ``coverage_simplify`` in EPSG:32648 with the tolerance chosen by the displacement budget, then
:func:`geo.build.round_coverage` to 1e-5°) and is written as a GeoPackage with the layers the map
pipeline reads (``communes_web``, ``province_web``, ``border_cn_web``, ``former_districts_web``), so
``TQMAP_BOUNDARIES=<that file>`` runs the product's own map and export code on it unchanged.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

UNIT_AREA_KM2 = 13_784.5 / 124  # the real mean unit area
VERTEX_SPACING_M = 22.0  # the real raw boundaries: 7,761 km of unit outlines, 358,979 vertices
CENTRE_M = (500_000.0, 2_300_000.0)  # EPSG:32648, northern Vietnam
ASPECT = 2.0  # height / width of the region (Vietnam is long and narrow)
# Displacement octaves: (wavelength m, amplitude m). Sum of 2*pi*A/lambda stays < 1, so the
# mapping is one-to-one and no unit can fold over its neighbour.
OCTAVES = ((12_000.0, 800.0), (3_000.0, 200.0), (800.0, 40.0), (250.0, 4.0))
# The real boundaries keep ~212 web vertices per unit (26,281 for 124) after the build's web
# simplification; the synthetic ones ~77. Enlarging every synthetic edge 3.7x (bends included,
# vertex spacing 22 m x 3.7) gives 208-217 per unit (measured on 150 units, 2026-11-29).
REAL_DENSITY_SCALE = 3.7


@dataclass
class SyntheticReport:
    units: int
    seconds_generate: float = 0.0
    seconds_build: float = 0.0  # simplify_for_web + round_coverage (the real build's web steps)
    vertices_full: int = 0
    vertices_web: int = 0
    tolerance_m: float = 0.0
    notes: list[str] = field(default_factory=list)


def _displace(coords: np.ndarray, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
    x, y = coords[:, 0], coords[:, 1]
    dx = np.zeros_like(x)
    dy = np.zeros_like(y)
    for lam, amp in OCTAVES:
        lam, amp = lam * scale, amp * scale
        for out in (dx, dy):
            for _ in range(2):
                th = rng.uniform(0, 2 * math.pi)
                ph = rng.uniform(0, 2 * math.pi)
                out += (amp / 2) * np.sin(2 * math.pi * (x * math.cos(th) + y * math.sin(th)) / lam + ph)
    return np.column_stack([x + dx, y + dy])


def generate(n: int, seed: int = 7, tries: int = 6, scale: float = 1.0) -> np.ndarray:
    """N polygons (EPSG:32648 metres) forming a valid coverage with realistic vertex density.

    Rarely the bending pinches a sharp Voronoi corner so two units merge; then the next seed is
    tried (deterministic), so the result has exactly N units."""
    out = None
    for k in range(tries):
        out = _generate(n, seed + 97 * k, scale)
        if len(out) == n:
            return out
    return out


def _generate(n: int, seed: int, scale: float = 1.0) -> np.ndarray:
    import shapely

    rng = np.random.default_rng(seed)
    area_m2 = n * UNIT_AREA_KM2 * 1e6 * scale * scale
    w = math.sqrt(area_m2 / ASPECT)
    h = w * ASPECT
    x0, y0 = CENTRE_M[0] - w / 2, CENTRE_M[1] - h / 2
    region = shapely.box(x0, y0, x0 + w, y0 + h)
    # Points with a little repulsion (jittered grid) so units have commune-like size spread.
    nx = max(1, round(math.sqrt(n / ASPECT)))
    ny = math.ceil(n / nx)
    gx, gy = np.meshgrid((np.arange(nx) + 0.5) / nx, (np.arange(ny) + 0.5) / ny)
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    pts = pts[rng.permutation(len(pts))[:n]]
    pts += rng.uniform(-0.45, 0.45, pts.shape) / np.array([nx, ny])
    pts = np.column_stack([x0 + pts[:, 0] * w, y0 + pts[:, 1] * h])
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=region.buffer(w)))
    cells = shapely.intersection(cells, region)
    cells = shapely.set_precision(cells, 0.01)
    # Densify and bend each shared edge ONCE (the noded union of all cell outlines), then rebuild
    # the polygons from the bent edges: neighbours share their vertices exactly.
    edges = shapely.get_parts(shapely.line_merge(shapely.union_all(shapely.boundary(cells))))
    edges = shapely.segmentize(edges, VERTEX_SPACING_M * scale)
    field_rng = np.random.default_rng(seed + 1)
    state = field_rng.bit_generator.state

    def move(c):
        field_rng.bit_generator.state = state  # the same field for every call
        return _displace(c, field_rng, scale)

    bent = shapely.transform(edges, move)
    polys = shapely.get_parts(shapely.polygonize(bent))
    return polys


def write_gpkg(path: Path, n: int, seed: int = 7, scale: float = 1.0) -> SyntheticReport:
    """Generate, run the real build's web steps, write the layers the map pipeline reads.

    ``scale`` > 1 enlarges every edge (and the bends along it) by that factor, at the same
    relative vertex spacing: after the same 100 m web simplification, each unit keeps more
    vertices. :data:`REAL_DENSITY_SCALE` gives the real data's ~212 web vertices per unit."""
    import geopandas as gpd
    import shapely

    from .. import build

    rep = SyntheticReport(units=n)
    t0 = time.perf_counter()
    geoms_m = generate(n, seed, scale=scale)
    rep.seconds_generate = time.perf_counter() - t0
    rep.vertices_full = int(shapely.get_num_coordinates(geoms_m).sum())
    if not shapely.coverage_is_valid(geoms_m):
        rep.notes.append("coverage invalid after displacement: coverage_clean applied")
        geoms_m = shapely.coverage_clean(geoms_m)

    to_deg = build._to(build.UTM, "EPSG:4326")
    t1 = time.perf_counter()
    outline = shapely.coverage_union_all(geoms_m)
    px_m = build.metres_per_pixel(outline.bounds)
    web_m, tol, _disp = build.simplify_for_web(geoms_m, px_m)
    web = build.round_coverage(to_deg(web_m))
    rep.seconds_build = time.perf_counter() - t1
    rep.tolerance_m = tol
    rep.vertices_web = int(shapely.get_num_coordinates(web).sum())

    codes = [f"{90000 + i:05d}" if n < 10000 else f"{i:06d}" for i in range(n)]
    communes = gpd.GeoDataFrame({
        "code": codes, "name": [f"Xã Tổng Hợp {i + 1}" for i in range(n)],
        "short_name": [f"Tổng Hợp {i + 1}" for i in range(n)], "kind": ["xã"] * n,
        "area_km2": np.round(shapely.area(web_m) / 1e6, 2),
        "population": np.full(n, 15_000, dtype="int64"),
        "old_province": ["Hà Giang" if i % 2 else "Tuyên Quang" for i in range(n)],
        "former_units": [json.dumps([]) for _ in range(n)], "former_districts": [""] * n,
    }, geometry=list(web), crs="EPSG:4326")
    province_web = gpd.GeoDataFrame({"name": ["Vùng tổng hợp"], "code": ["99"]},
                                    geometry=[shapely.coverage_union_all(web)], crs="EPSG:4326")
    # Border: the top edge of the outline; former districts: groups of ~8 units.
    ring = shapely.simplify(outline, tol).exterior
    minx, miny, maxx, maxy = outline.bounds
    top = shapely.intersection(ring, shapely.box(minx - 1, maxy - (maxy - miny) * 0.02, maxx + 1, maxy + 1))
    border = gpd.GeoDataFrame({"name": ["Biên giới (tổng hợp)"], "note": ["tổng hợp"], "length_km": [0.0]},
                              geometry=[to_deg(top)], crs="EPSG:4326")
    centroids = shapely.centroid(web_m)
    k = max(1, n // 8)
    cx, cy = shapely.get_x(centroids), shapely.get_y(centroids)
    order = np.lexsort((cx, np.floor((cy - cy.min()) / max(1.0, (cy.max() - cy.min()) / math.sqrt(k)))))
    group = np.empty(n, dtype=int)
    group[order] = np.arange(n) // 8
    districts = [shapely.coverage_union_all(web_m[group == g]) for g in range(group.max() + 1)]
    districts_web = gpd.GeoDataFrame({"district_code": [str(g) for g in range(len(districts))],
                                      "name": [f"Huyện {g}" for g in range(len(districts))],
                                      "old_province": ["-"] * len(districts)},
                                     geometry=list(to_deg(np.array(shapely.simplify(districts, tol)))),
                                     crs="EPSG:4326")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    for name, gdf in (("communes_web", communes), ("communes", communes), ("province_web", province_web),
                      ("province", province_web), ("border_cn_web", border), ("border_cn", border),
                      ("former_districts_web", districts_web)):
        gdf.to_file(path, layer=name, driver="GPKG")
    return rep


def status_frame_like(real_frame, communes):
    """A status frame for ``communes`` whose attribute rows repeat the real demo frame's rows
    (category mix, indicators, tooltip text lengths), with the synthetic codes and names."""
    import geopandas as gpd

    attrs = real_frame.drop(columns="geometry").reset_index(drop=True)
    idx = np.arange(len(communes)) % len(attrs)
    out = attrs.iloc[idx].reset_index(drop=True)
    for col in ("code", "name", "short_name", "area_km2", "population", "former_districts"):
        out[col] = communes[col].to_numpy()
    out["routes"] = [[] for _ in range(len(out))]
    out["route_names"] = [[] for _ in range(len(out))]
    return gpd.GeoDataFrame(out, geometry=communes.geometry.to_numpy(), crs="EPSG:4326")
