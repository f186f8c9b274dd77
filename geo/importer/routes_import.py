"""Import priority routes from GeoJSON, KML, GPX or a zipped Shapefile, in whatever CRS the file
declares (VN-2000 TM-3 included), reprojected to EPSG:4326.

A file without a CRS (a shapefile without .prj) is never guessed: the error asks which CRS it is,
listing those that put the lines inside the province; answer with ``crs=`` (CLI ``--crs``).
XML (KML, GPX) is first parsed with defusedxml (no entity expansion); zips are checked for bombs
and unsafe names and read in place through GDAL's /vsizip/ (nothing is extracted)."""

from __future__ import annotations

import re
from pathlib import Path

from ..crs import CRS_LABELS, PROVINCE_BBOX, detect_crs_problem, label, likely_crs
from ..model import YEARS, Route
from ..text import fold
from .report import ImportReport
from .safety import UnsafeFile, check_file, check_xml, check_zip

EXTENSIONS = (".geojson", ".json", ".kml", ".gpx", ".zip")
LINE_TYPES = {"LineString", "MultiLineString", "LinearRing"}
POLY_TYPES = {"Polygon", "MultiPolygon"}
POINT_TYPES = {"Point", "MultiPoint"}

_ATTR = {
    "id": ("id", "ma", "ma tuyen", "ref", "code", "route id"),
    "name": ("name", "ten", "ten tuyen", "tuyen", "title"),
    "kind": ("kind", "loai", "loai tuyen", "type"),
    "half_width_km": ("half width km", "half width", "ban kinh km", "ban kinh", "hanh lang km", "nua be rong km"),
    "description": ("description", "mo ta", "desc", "ghi chu"),
    "year_from": ("year from", "tu nam", "nam bat dau"),
    "year_to": ("year to", "den nam", "nam ket thuc"),
}
_KINDS = {"road": "road", "duong": "road", "duong bo": "road", "quoc lo": "road", "tinh lo": "road",
          "border": "border", "bien gioi": "border", "duong bien gioi": "border",
          "river": "river", "song": "river", "duong song": "river", "duong thuy": "river",
          "other": "other", "khac": "other"}


class RouteImportError(ValueError):
    """The file cannot give routes. Vietnamese message; ``candidates`` = CRSs to choose from, if asked."""

    def __init__(self, message: str, candidates: list[str] | None = None):
        super().__init__(message)
        self.candidates = candidates or []


def _key(s) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(str(s))).strip()


def _slug(s: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "", fold(s).upper())[:24]


def _layers(path: Path) -> list[tuple[str, str | None]]:
    """(GDAL dataset path, layer) pairs to read, after the safety checks for the file type."""
    import pyogrio

    ext = path.suffix.lower()
    if ext in (".kml", ".gpx"):
        check_xml(path.read_bytes(), path.name)
    if ext == ".zip":
        infos = check_zip(path, "tệp Shapefile nén (.zip)")
        names = [i.filename for i in infos if not i.is_dir()]
        shps = [n for n in names if n.lower().endswith(".shp") and "__MACOSX" not in n]
        if not shps:
            raise RouteImportError(f"Tệp nén “{path.name}” không chứa Shapefile (.shp).")
        out = []
        lower = {n.lower() for n in names}
        for shp in shps:
            stem = shp[:-4]
            missing = [e for e in (".shx", ".dbf") if (stem + e).lower() not in lower]
            if missing:
                raise RouteImportError(f"Shapefile “{shp}” trong “{path.name}” thiếu tệp {', '.join(missing)}.")
            out.append((f"/vsizip/{path.resolve()}/{shp}", None))
        return out
    if ext not in EXTENSIONS:
        raise RouteImportError(f"Không nhận loại tệp “{path.suffix or path.name}”: chỉ nhận GeoJSON (.geojson), "
                               "KML (.kml), GPX (.gpx) hoặc Shapefile nén (.zip).")
    try:
        layers = [str(n) for n, _ in pyogrio.list_layers(path)]
    except Exception:
        raise RouteImportError(f"Không đọc được “{path.name}” như tệp {ext[1:].upper()} (tệp hỏng hoặc sai định dạng).") from None
    if ext == ".gpx":
        layers = [n for n in layers if n in ("routes", "tracks")]
    return [(str(path), n) for n in layers]


def _read(path: Path, crs: str | None, rep: ImportReport):
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    frames = []
    for ds, layer in _layers(path):
        try:
            gdf = pyogrio.read_dataframe(ds, layer=layer) if layer else pyogrio.read_dataframe(ds)
        except Exception:
            raise RouteImportError(f"Không đọc được “{path.name}”" + (f" (lớp {layer})" if layer else "") +
                                   ": tệp hỏng hoặc sai định dạng.") from None
        gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty] if len(gdf) else gdf
        if len(gdf):
            frames.append(gdf)
    if not frames:
        raise RouteImportError(f"Tệp “{path.name}” không có đối tượng hình học nào.")
    crss = {str(f.crs) if f.crs else None for f in frames}
    declared = frames[0].crs
    if len(crss) > 1:
        raise RouteImportError(f"Các lớp trong “{path.name}” dùng nhiều hệ toạ độ khác nhau: {', '.join(map(str, crss))}.")
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=declared)
    if crs:
        from pyproj import CRS

        try:
            chosen = CRS.from_user_input(crs)
        except Exception:
            raise RouteImportError(f"Hệ toạ độ “{crs}” không hợp lệ. Ví dụ hợp lệ: EPSG:9209, EPSG:9211, EPSG:4326.") from None
        if declared is not None and not CRS.from_user_input(declared).equals(chosen):
            rep.warn(f"Tệp khai báo hệ toạ độ {label(declared)} nhưng đã dùng hệ do người nhập chỉ định: {label(chosen)}.")
        gdf = gdf.set_crs(chosen, allow_override=True)
    elif declared is None:
        b = tuple(float(v) for v in gdf.total_bounds)
        cands = likely_crs(b) or ["EPSG:9209", "EPSG:9211", "EPSG:4326"]
        raise RouteImportError(
            f"Tệp “{path.name}” không khai báo hệ toạ độ (ví dụ Shapefile thiếu tệp .prj); hệ thống không tự đoán. "
            "Toạ độ này là hệ nào? Theo giá trị toạ độ, có thể là: " +
            "; ".join(CRS_LABELS.get(c, c) for c in cands) +
            ". Hãy nhập lại và chỉ rõ hệ toạ độ (ví dụ --crs " + cands[0] + "), hoặc thêm tệp .prj.",
            candidates=cands)
    problem = detect_crs_problem(gdf)
    if problem:
        raise RouteImportError(problem, candidates=[c for c in likely_crs(tuple(gdf.total_bounds))
                                                    if c not in ("EPSG:4326", "EPSG:4756")])
    rep.notes.append(f"Hệ toạ độ của tệp: {label(gdf.crs)} → chuyển sang WGS 84 (EPSG:4326).")
    return gdf


def _routes_from(gdf, path: Path, rep: ImportReport) -> list[Route]:
    import shapely
    from shapely.geometry import MultiLineString

    types = gdf.geometry.geom_type
    if types.isin(POLY_TYPES).any():
        n = int(types.isin(POLY_TYPES).sum())
        raise RouteImportError(f"Tệp “{path.name}” chứa {n} vùng (polygon) chứ không phải đường: tuyến trọng điểm "
                               "phải là đường (LineString). Hãy vẽ tuyến dạng đường (path) rồi xuất lại.")
    other = ~types.isin(LINE_TYPES)
    if other.any():
        rep.warn(f"Bỏ qua {int(other.sum())} đối tượng không phải đường ({', '.join(sorted(set(types[other])))}).")
    lines = gdf[~other]
    if not len(lines):
        raise RouteImportError(f"Tệp “{path.name}” không có đường (LineString) nào để làm tuyến.")
    lines = lines.to_crs(4326)
    x0, y0, x1, y1 = (float(v) for v in lines.total_bounds)
    bb = PROVINCE_BBOX
    if x1 < bb[0] or x0 > bb[2] or y1 < bb[1] or y0 > bb[3]:
        raise RouteImportError(
            f"Các tuyến trong “{path.name}” nằm ngoài tỉnh Tuyên Quang (kinh độ {x0:.3f}–{x1:.3f}, vĩ độ {y0:.3f}–{y1:.3f}). "
            f"Hệ toạ độ {label(gdf.crs)} có đúng không?")
    cols = {c: _key(c) for c in lines.columns if c != "geometry"}

    def attr(row, field):
        for c, k in cols.items():
            if k in _ATTR[field]:
                v = row[c]
                if v is not None and str(v).strip() not in ("", "nan", "None", "<NA>"):
                    return str(v).strip() if not isinstance(v, (int, float)) else v
        return None

    merged: dict[str, dict] = {}
    for i, (_, row) in enumerate(lines.iterrows(), start=1):
        g = shapely.force_2d(row.geometry)
        if g.geom_type == "LinearRing":
            g = shapely.LineString(g.coords)
        name = attr(row, "name")
        rid = attr(row, "id")
        rid = str(int(rid)) if isinstance(rid, float) and rid.is_integer() else (str(rid) if rid is not None else None)
        where = f"Đối tượng thứ {i}" + (f" ({name or rid})" if (name or rid) else "")
        if not rid:
            rid = _slug(str(name)) if name else f"{_slug(path.stem) or 'TUYEN'}-{i}"
        name = str(name) if name else f"Tuyến {rid}"
        kind_raw = attr(row, "kind")
        kind = "road"
        if kind_raw is not None:
            kind = _KINDS.get(_key(kind_raw))
            if kind is None:
                raise RouteImportError(f"{where}: loại tuyến “{kind_raw}” không hợp lệ; chỉ nhận: road (đường bộ), "
                                       "border (biên giới), river (đường sông), other (khác).")
        hw_raw = attr(row, "half_width_km")
        hw = 2.0
        if hw_raw is not None:
            try:
                hw = float(str(hw_raw).replace(",", "."))
            except ValueError:
                raise RouteImportError(f"{where}: nửa bề rộng hành lang “{hw_raw}” không phải là số (km).") from None
            if not 0 < hw <= 50:
                raise RouteImportError(f"{where}: nửa bề rộng hành lang {hw_raw} km phải lớn hơn 0 và không quá 50 km.")
        yf, yt = attr(row, "year_from"), attr(row, "year_to")
        try:
            yf = int(float(yf)) if yf is not None else YEARS[0]
            yt = int(float(yt)) if yt is not None else None
        except ValueError:
            raise RouteImportError(f"{where}: năm hiệu lực không phải là số.") from None
        if yf not in YEARS or (yt is not None and (yt not in YEARS or yt < yf)):
            raise RouteImportError(f"{where}: năm hiệu lực {yf}–{yt or ''} phải trong {YEARS[0]}–{YEARS[-1]}.")
        desc = attr(row, "description") or ""
        if rid in merged:
            merged[rid]["parts"].append(g)
            merged[rid]["n"] += 1
        else:
            merged[rid] = dict(parts=[g], n=1, route=Route(id=str(rid)[:40], name=str(name)[:200],
                                                           description=str(desc)[:1000], kind=kind,
                                                           half_width_km=hw, year_from=yf, year_to=yt))
    out = []
    for rid, m in merged.items():
        parts = []
        for g in m["parts"]:
            parts += list(g.geoms) if g.geom_type == "MultiLineString" else [g]
        geom = parts[0] if len(parts) == 1 else MultiLineString(parts)
        if m["n"] > 1:
            rep.warn(f"Tuyến “{m['route'].name}” ({rid}) gồm {m['n']} đoạn trong tệp: đã gộp thành một tuyến.")
        r = m["route"]
        r.geometry_wkt = shapely.to_wkt(geom, rounding_precision=6, trim=True)
        out.append(r)
    return out


def parse_routes(path: str | Path, crs: str | None = None, report: ImportReport | None = None) -> ImportReport:
    """Read and validate routes without any store; ``report.items`` = the Routes."""
    path = Path(path)
    rep = report or ImportReport("routes", source=path.name)
    try:
        check_file(path)
        gdf = _read(path, crs, rep)
        rep.items = _routes_from(gdf, path, rep)
        rep.rows_read = len(rep.items)
    except RouteImportError as exc:
        rep.error(str(exc))
        rep.crs_candidates = list(exc.candidates)
    except UnsafeFile as exc:
        rep.error(str(exc))
    except Exception as exc:  # a GDAL/shapely failure on a malformed file
        rep.error(f"Không đọc được tệp “{path.name}” ({type(exc).__name__}): tệp hỏng hoặc sai định dạng.")
    return rep


def read_routes(path: str | Path, crs: str | None = None) -> list[Route]:
    """The routes of a GIS file in EPSG:4326. Raises RouteImportError (Vietnamese) on any problem."""
    rep = parse_routes(path, crs)
    if rep.errors:
        raise RouteImportError("\n".join(i.message for i in rep.errors))
    return rep.items


def import_routes(path: str | Path, store, *, user: str, crs: str | None = None, dry_run: bool = False,
                  replace: bool = False, reason: str = "") -> ImportReport:
    """Parse and (unless ``dry_run`` or any error) store the routes in one revision (upsert by id)."""
    path = Path(path)
    rep = ImportReport("routes", source=path.name, dry_run=dry_run)
    parse_routes(path, crs, rep)
    if rep.errors:
        return rep
    current = {r.id: r for r in store.routes()}
    changed = [r for r in rep.items if current.get(r.id) != r]
    rep.changed, rep.unchanged = len(changed), len(rep.items) - len(changed)
    if dry_run or (not changed and not replace):
        return rep
    from ..store import StoreError

    try:
        store.put_routes(rep.items if replace else changed, user=user, reason=reason or f"Nhập tệp {path.name}",
                         replace=replace)
    except StoreError as exc:
        rep.error(f"Cơ sở dữ liệu từ chối: {exc}")
        return rep
    rep.stored = True
    return rep
