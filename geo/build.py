"""``python -m geo data``: builds data/boundaries/tuyen_quang_2025.gpkg from the pinned sources.

Steps: fetch and verify every file; read the 124 unit polygons; repair the coverage
(``coverage_clean`` in UTM 48N); join population, the old→new mapping and old districts; derive the
province, old provinces, the China border and national roads; simplify the coverage for the web
with a tolerance chosen by measurement; validate everything; write a temporary GeoPackage and
rename it over the previous one only when it is complete.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from shapely import ops
from shapely.geometry import shape

from . import manifest, sources
from .paths import boundaries_path
from .text import canonical, fold, short_name

UTM = "EPSG:32648"  # metric CRS for cleaning, simplifying and measuring
LAEA = "+proj=laea +lat_0=22.4 +lon_0=105.2 +datum=WGS84 +units=m"  # equal-area, centred on the province
PROVINCE_CODE = 8
EXPECTED_UNITS = 124
EXPECTED_KINDS = {"xã": 117, "phường": 7}
AREA_RANGE_KM2 = (13_700.0, 13_900.0)
GAP_WIDTH_M = 100.0  # slivers between published polygons narrower than this are closed
PRECISION_DEG = 1e-5  # ≈ 1.1 m
# Tolerances tried for the web layer, largest first; the largest whose measured displacement stays
# under the pixel budget wins.
TOLERANCES_M = (100.0, 80.0, 60.0, 45.0, 30.0, 20.0)
SCREEN_PX = (1920, 1080)
MAX_DISPLACEMENT_PX = 0.75
BORDER_NEIGHBOUR_KM = 15.0  # no Vietnamese commune centre within this distance: foreign neighbour
BORDER_MIN_RUN_KM = 10.0
BORDER_STEP_M = 500.0
ROAD_PREFIXES = ("Quốc lộ", "Tỉnh lộ 279")
OLD_PROVINCE_NAMES = {"02": "Hà Giang", "08": "Tuyên Quang"}


class BuildError(RuntimeError):
    """The data failed a check; nothing was written."""


@dataclass
class BuildReport:
    path: Path
    seconds: float = 0.0
    tolerance_m: float = 0.0
    max_displacement_m: float = 0.0
    metres_per_px: float = 0.0
    vertices_full: int = 0
    vertices_web: int = 0
    border_km: float = 0.0
    communes_on_border: int = 0
    notes: list[str] = field(default_factory=list)
    skipped: bool = False  # the file was already built from the same sources by the same code

    def lines(self) -> list[str]:
        if self.skipped:
            return [f"{self.path} đã được dựng từ đúng các tệp nguồn này bằng đúng mã dựng này: không dựng lại "
                    f"(kiểm tra trong {self.seconds:.1f} s; xoá tệp để dựng lại)"]
        return [
            f"Đã dựng {self.path} trong {self.seconds:.1f} s",
            f"  124 đơn vị; đỉnh: {self.vertices_full:,} (đầy đủ) → {self.vertices_web:,} (web)",
            f"  dung sai đơn giản hoá {self.tolerance_m:g} m; dịch chuyển lớn nhất {self.max_displacement_m:.0f} m "
            f"(= {self.max_displacement_m / self.metres_per_px:.2f} px khi cả tỉnh vừa màn hình "
            f"{SCREEN_PX[0]}×{SCREEN_PX[1]}, {self.metres_per_px:.0f} m/px)",
            f"  biên giới Việt – Trung (suy ra): {self.border_km:.0f} km, {self.communes_on_border} xã giáp biên",
        ] + [f"  {n}" for n in self.notes]


def _to(crs_from, crs_to):
    tr = pyproj.Transformer.from_crs(crs_from, crs_to, always_xy=True)
    return lambda geoms: shapely.transform(geoms, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))


def _read_json(path: Path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# --- reading -----------------------------------------------------------------------------------


def read_units(mirror) -> gpd.GeoDataFrame:
    rows = []
    for code, (fname, _digest) in sorted(manifest.WARD_FILES.items()):
        fc = _read_json(sources.fetch(manifest.WARDS_DIR + fname, mirror))
        feats = fc.get("features") or []
        if len(feats) != 1:
            raise BuildError(f"{fname}: cần đúng 1 đối tượng, có {len(feats)}")
        props = feats[0]["properties"]
        if props.get("code") != code:
            raise BuildError(f"{fname}: mã {props.get('code')!r} khác tên tệp {code}")
        full = canonical(props["fullName"])
        rows.append({"code": code, "name": full, "short_name": short_name(full),
                     "kind": "phường" if full.startswith("Phường") else "xã",
                     "geometry": shape(feats[0]["geometry"])})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def official_units() -> dict[str, tuple[str, str]]:
    """code -> (name, kind) from the vietnam-provinces package (province 08)."""
    from vietnam_provinces import Ward

    out = {}
    for w in Ward.iter_all():
        if int(w.province_code) == PROVINCE_CODE:
            out[f"{int(w.code):05d}"] = (canonical(w.name), str(w.division_type.value))
    return out


def read_population(mirror) -> dict[str, int]:
    data = _read_json(sources.fetch(sources.POPULATION, mirror))
    return {w["id"]: int(w["population"]) for w in data["wards"]}


def read_mapping(mirror) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """new code -> former units [{code, name, type}], and old code -> old province name."""
    merges = _read_json(sources.fetch(sources.MERGES, mirror))
    splits = _read_json(sources.fetch(sources.SPLITS, mirror))
    former: dict[str, list[dict]] = {}
    for prov in merges["data"]:
        if prov["level1_id"] == f"{PROVINCE_CODE:02d}":
            for unit in prov["level2s"]:
                former[unit["level2_id"]] = [
                    {"code": m["old_id"], "name": canonical(m["name"]), "type": m["type"]} for m in unit["merges"]]
    old_prov: dict[str, str] = {}
    for prov in splits["data"]:
        if prov["level1_id"] in OLD_PROVINCE_NAMES:
            for unit in prov["level3s"]:
                old_prov[unit["level3_id"]] = OLD_PROVINCE_NAMES[prov["level1_id"]]
    return former, old_prov


def _admin_units_db() -> sqlite3.Connection:
    db = importlib.resources.files("vietnamadminunits") / "data" / "dataset.db"
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def old_commune_districts() -> dict[str, str]:
    """Pre-2025 commune code -> its district's full name (vietnamadminunits, legacy table)."""
    with _admin_units_db() as con:
        rows = con.execute(
            "SELECT wardCode, district FROM admin_units_legacy WHERE provinceCode IN ('02', '08')").fetchall()
    return {code: canonical(district) for code, district in rows}


def foreign_side_centres() -> np.ndarray:
    """Lon/lat of the 2025 commune centres of every other Vietnamese province."""
    with _admin_units_db() as con:
        rows = con.execute(
            "SELECT wardLon, wardLat FROM admin_units WHERE provinceCode != ? AND wardLon IS NOT NULL",
            (f"{PROVINCE_CODE:02d}",)).fetchall()
    return np.array(rows, dtype=float)


def read_old_districts(mirror) -> gpd.GeoDataFrame:
    rows = []
    for prov_name, rel in sources.OLD_DISTRICTS.items():
        data = _read_json(sources.fetch(rel, mirror))
        for d in data["level2s"]:
            geom = shape({"type": d["type"], "coordinates": d["coordinates"]})
            rows.append({"district_code": d["level2_id"], "name": canonical(d["name"]),
                         "old_province": prov_name, "geometry": shapely.make_valid(geom)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def read_roads(mirror, province_4326) -> gpd.GeoDataFrame:
    data = _read_json(sources.fetch(sources.ROAD_LINES, mirror))
    rows = []
    for f in data["features"]:
        name = (f["properties"].get("ten") or "").strip()
        if not name.startswith(ROAD_PREFIXES):
            continue
        geom = shape(f["geometry"])
        if not geom.intersects(province_4326):
            continue
        clipped = geom.intersection(province_4326)
        if clipped.is_empty or clipped.length == 0:
            continue
        rows.append({"name": name, "ref": name.replace("Quốc lộ ", "QL").replace("Tỉnh lộ ", "ĐT"),
                     "indicative": True, "geometry": ops.linemerge(clipped) if clipped.geom_type == "MultiLineString" else clipped})
    roads = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    roads = roads.dissolve(by="name", as_index=False, aggfunc="first")
    roads["geometry"] = [ops.linemerge(g) if g.geom_type == "MultiLineString" else g for g in roads.geometry]
    return roads[["name", "ref", "indicative", "geometry"]]


# --- geometry ----------------------------------------------------------------------------------


def metres_per_pixel(bounds_m: tuple[float, float, float, float]) -> float:
    """Ground metres per screen pixel when the extent fills a 1920×1080 screen."""
    minx, miny, maxx, maxy = bounds_m
    return max((maxx - minx) / SCREEN_PX[0], (maxy - miny) / SCREEN_PX[1])


def simplify_for_web(clean_m: np.ndarray, px_m: float) -> tuple[np.ndarray, float, float]:
    """coverage_simplify with the largest tolerance whose displacement stays under budget."""
    boundaries = shapely.boundary(clean_m)
    budget = MAX_DISPLACEMENT_PX * px_m
    for tol in TOLERANCES_M:
        simple = shapely.coverage_simplify(clean_m, tol)
        disp = float(shapely.hausdorff_distance(boundaries, shapely.boundary(simple)).max())
        if disp <= budget:
            return simple, tol, disp
    raise BuildError(f"Không dung sai nào giữ dịch chuyển dưới {budget:.0f} m")


def round_coverage(geoms_4326: np.ndarray) -> np.ndarray:
    """Coordinates on a 1e-5° grid with the coverage still valid (snap, re-clean, snap)."""
    out = shapely.set_precision(geoms_4326, PRECISION_DEG)
    for _ in range(3):
        if shapely.coverage_is_valid(out) and shapely.is_valid(out).all():
            return out
        out = shapely.set_precision(shapely.coverage_clean(out), PRECISION_DEG)
    raise BuildError("Làm tròn toạ độ làm hỏng tính liên tục của ranh giới (coverage)")


def derive_border(province_m, centres_lonlat: np.ndarray) -> shapely.MultiLineString:
    """The parts of the province outline with no Vietnamese commune centre within 15 km outside.

    An approximation derived from the administrative map, not a surveyed line.
    """
    ring = province_m.exterior
    length = ring.length
    dists = np.arange(0.0, length, BORDER_STEP_M)
    samples = shapely.line_interpolate_point(ring, dists)
    centres = _to("EPSG:4326", UTM)(shapely.points(centres_lonlat))
    _, nearest = shapely.STRtree(centres).query_nearest(samples, return_distance=True, all_matches=False)
    far = nearest > BORDER_NEIGHBOUR_KM * 1000
    runs, start = [], None
    for i, f in enumerate(far):
        if f and start is None:
            start = i
        elif not f and start is not None:
            runs.append([start, i])
            start = None
    if start is not None:
        if runs and runs[0][0] == 0:  # the run wraps around the ring's start
            runs[0][0] = start - len(far)
        else:
            runs.append([start, len(far)])
    parts = []
    for a, b in runs:
        if (b - a) * BORDER_STEP_M < BORDER_MIN_RUN_KM * 1000:
            continue
        a_m, b_m = a * BORDER_STEP_M, min(b * BORDER_STEP_M, length)
        if a_m < 0:
            pieces = [ops.substring(ring, length + a_m, length), ops.substring(ring, 0, b_m)]
            parts.append(ops.linemerge(shapely.MultiLineString(pieces)))
        else:
            parts.append(ops.substring(ring, a_m, b_m))
    lines = []
    for p in parts:
        lines.extend(p.geoms if p.geom_type == "MultiLineString" else [p])
    return shapely.MultiLineString(lines)


# --- validation --------------------------------------------------------------------------------


def validate(communes: gpd.GeoDataFrame, web: np.ndarray, official: dict[str, tuple[str, str]]) -> None:
    problems = []
    if len(communes) != EXPECTED_UNITS:
        problems.append(f"có {len(communes)} đơn vị, cần {EXPECTED_UNITS}")
    ours = set(communes["code"])
    if ours != set(official):
        problems.append(f"mã khác danh mục vietnam-provinces: thừa {sorted(ours - set(official))}, "
                        f"thiếu {sorted(set(official) - ours)}")
    for row in communes.itertuples():
        want = official.get(row.code)
        if want and fold(want[0]) != fold(row.name):
            problems.append(f"{row.code}: tên {row.name!r} khác danh mục {want[0]!r}")
        if want and want[1] != row.kind:
            problems.append(f"{row.code}: loại {row.kind!r} khác danh mục {want[1]!r}")
    kinds = communes["kind"].value_counts().to_dict()
    if kinds != EXPECTED_KINDS:
        problems.append(f"số xã/phường {kinds}, cần {EXPECTED_KINDS}")
    if not shapely.is_valid(communes.geometry.values).all():
        problems.append("có hình không hợp lệ")
    if not shapely.coverage_is_valid(communes.to_crs(UTM).geometry.values):
        problems.append("các xã chồng lấn nhau (bản đầy đủ)")
    if not (shapely.is_valid(web).all() and shapely.coverage_is_valid(web)):
        problems.append("các xã chồng lấn nhau (bản web)")
    total = communes["area_km2"].sum()
    if not AREA_RANGE_KM2[0] <= total <= AREA_RANGE_KM2[1]:
        problems.append(f"tổng diện tích {total:,.0f} km² ngoài khoảng {AREA_RANGE_KM2}")
    missing_pop = communes.loc[communes["population"].isna() | (communes["population"] <= 0), "code"]
    if len(missing_pop):
        problems.append(f"thiếu dân số: {list(missing_pop)}")
    if problems:
        raise BuildError("Dữ liệu không qua kiểm tra, không ghi gì:\n  - " + "\n  - ".join(problems))


# --- the build ---------------------------------------------------------------------------------


# What the GeoPackage depends on besides the source files: this code and the geometry libraries.
_BUILD_CODE = ("build.py", "manifest.py", "sources.py", "text.py", "paths.py")
_BUILD_LIBS = ("shapely", "geopandas", "pyproj", "pyogrio", "numpy", "pandas")


def build_stamp() -> str:
    """SHA-256 over the pinned sources' SHA-256s (verified by :func:`sources.fetch`), the build
    code's files and the geometry libraries' versions (GEOS/PROJ included): equal stamps, equal
    GeoPackage. Stored in the ``meta`` layer as ``build_stamp``."""
    import hashlib
    import importlib.metadata

    h = hashlib.sha256()
    for rel, digest in sorted(sources.all_files().items()):
        h.update(f"src {rel} {digest}\n".encode())
    here = Path(__file__).resolve().parent
    for name in _BUILD_CODE:
        h.update(f"code {name} ".encode() + hashlib.sha256((here / name).read_bytes()).hexdigest().encode() + b"\n")
    for lib in _BUILD_LIBS:
        try:
            h.update(f"lib {lib} {importlib.metadata.version(lib)}\n".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"lib {lib} -\n".encode())
    h.update(f"geos {shapely.geos_version_string} proj {pyproj.proj_version_str}\n".encode())
    return h.hexdigest()


def stored_stamp(path: Path) -> str | None:
    """The ``build_stamp`` of a built GeoPackage (None if absent, unreadable or from older code)."""
    if not Path(path).is_file():
        return None
    try:
        meta = pyogrio.read_dataframe(path, layer="meta")
    except Exception:  # noqa: BLE001 - any unreadable file is rebuilt
        return None
    hit = meta.loc[meta["key"] == "build_stamp", "value"]
    return str(hit.iloc[0]) if len(hit) else None


def build(out: Path | None = None, mirror: Path | None = None, *, force: bool = False) -> BuildReport:
    """Build the GeoPackage; skipped (``report.skipped``) when ``out`` already holds the build of
    the same sources by the same code (see :func:`build_stamp`), unless ``force``."""
    t0 = time.perf_counter()
    out = Path(out or boundaries_path())
    mirror = mirror if mirror is not None else sources.default_mirror()
    report = BuildReport(path=out)

    # Fetch everything first, so a missing or corrupt file stops the build before any work.
    for rel in sources.all_files():
        sources.fetch(rel, mirror)
    stamp = build_stamp()
    if not force and stored_stamp(out) == stamp:
        report.skipped = True
        report.seconds = time.perf_counter() - t0
        return report

    units = read_units(mirror)
    report.vertices_full = int(shapely.get_num_coordinates(units.geometry.values).sum())
    to_m, to_deg = _to("EPSG:4326", UTM), _to(UTM, "EPSG:4326")
    clean_m = shapely.coverage_clean(to_m(units.geometry.values), gap_width=GAP_WIDTH_M)
    units["geometry"] = round_coverage(to_deg(clean_m))
    units["area_km2"] = (units.to_crs(LAEA).area / 1e6).round(2)

    population = read_population(mirror)
    units["population"] = units["code"].map(population).astype("Int64")

    former, old_prov = read_mapping(mirror)
    districts_of = old_commune_districts()
    old_province, former_units, former_districts = [], [], []
    for code in units["code"]:
        members = former.get(code, [])
        provs = sorted({old_prov.get(m["code"], "?") for m in members})
        if len(provs) != 1 or provs[0] == "?":
            raise BuildError(f"{code}: không xác định được tỉnh cũ từ bảng chuyển đổi ({provs})")
        old_province.append(provs[0])
        for m in members:
            m["district"] = districts_of.get(m["code"], "")
        former_units.append(json.dumps(members, ensure_ascii=False))
        former_districts.append("; ".join(sorted({m["district"] for m in members if m["district"]})))
    units["old_province"] = old_province
    units["former_units"] = former_units
    units["former_districts"] = former_districts

    province_m = shapely.coverage_union_all(clean_m)
    if province_m.geom_type != "Polygon":
        raise BuildError(f"Ranh giới tỉnh không liền một khối ({province_m.geom_type})")
    px_m = metres_per_pixel(province_m.bounds)
    web_m, tol, disp = simplify_for_web(clean_m, px_m)
    web = round_coverage(to_deg(web_m))
    report.tolerance_m, report.max_displacement_m, report.metres_per_px = tol, disp, px_m
    report.vertices_web = int(shapely.get_num_coordinates(web).sum())

    validate(units, web, official_units())

    communes_web = units.copy()
    communes_web["geometry"] = web
    communes_web = gpd.GeoDataFrame(communes_web, geometry="geometry", crs="EPSG:4326")

    province = gpd.GeoDataFrame({"name": ["Tỉnh Tuyên Quang"], "code": ["08"]},
                                geometry=[to_deg(province_m)], crs="EPSG:4326")
    province_web = gpd.GeoDataFrame({"name": ["Tỉnh Tuyên Quang"], "code": ["08"]},
                                    geometry=[shapely.coverage_union_all(web)], crs="EPSG:4326")
    old_provinces = communes_web.dissolve(by="old_province", as_index=False)[["old_province", "geometry"]]
    old_provinces = old_provinces.rename(columns={"old_province": "name"})

    border_m = derive_border(province_m, foreign_side_centres())
    border = gpd.GeoDataFrame(
        {"name": ["Biên giới Việt Nam – Trung Quốc"], "note": [
            "Suy ra từ bản đồ hành chính (đoạn ranh giới tỉnh không giáp tỉnh nào của Việt Nam); "
            "không phải đường biên giới đo đạc"], "length_km": [round(border_m.length / 1000, 1)]},
        geometry=[to_deg(border_m)], crs="EPSG:4326")
    border_web = border.copy()
    border_web["geometry"] = [to_deg(shapely.simplify(border_m, tol))]
    report.border_km = border_m.length / 1000
    report.communes_on_border = int(shapely.dwithin(clean_m, border_m, 1.0).sum())

    roads = read_roads(mirror, province.geometry.iloc[0])
    old_districts = read_old_districts(mirror)
    old_districts_web = old_districts.copy()
    old_districts_web["geometry"] = to_deg(shapely.simplify(to_m(old_districts.geometry.values), tol))

    meta = pd.DataFrame([
        ("built_at", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")),
        ("tolerance_m", str(tol)), ("max_displacement_m", f"{disp:.1f}"), ("metres_per_px", f"{px_m:.1f}"),
        ("vertices_full", str(report.vertices_full)), ("vertices_web", str(report.vertices_web)),
        ("attribution", sources.ATTRIBUTION), ("build_stamp", stamp),
    ], columns=["key", "value"])

    layers = {
        "communes": units, "communes_web": communes_web, "province": province, "province_web": province_web,
        "old_provinces": old_provinces, "border_cn": border, "border_cn_web": border_web, "roads": roads,
        "former_districts": old_districts, "former_districts_web": old_districts_web,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.{os.getpid()}.tmp{out.suffix}")
    try:
        for name, layer in layers.items():
            layer.to_file(tmp, layer=name, driver="GPKG")
        pyogrio.write_dataframe(meta, tmp, layer="meta", driver="GPKG")
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    report.seconds = time.perf_counter() - t0
    return report
