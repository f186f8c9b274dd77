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


def half_width(raw, where: str | None = None) -> float:
    """A corridor half-width in km ("2", "2,5"); ``where`` (e.g. the file's route) leads the message."""
    what = f"{where}: nửa bề rộng hành lang" if where else "Nửa bề rộng hành lang"
    try:
        hw = float(str(raw).replace(",", "."))
    except ValueError:
        raise RouteImportError(f"{what} “{raw}” không phải là số (km).") from None
    if not 0 < hw <= 50:
        raise RouteImportError(f"{what} {raw} km phải lớn hơn 0 và không quá 50 km.")
    return hw


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
    explicit: set[str] = set()  # ids given by the file (an id or name attribute), not made up here
    for i, (_, row) in enumerate(lines.iterrows(), start=1):
        g = shapely.force_2d(row.geometry)
        if g.geom_type == "LinearRing":
            g = shapely.LineString(g.coords)
        name = attr(row, "name")
        rid = attr(row, "id")
        rid = str(int(rid)) if isinstance(rid, float) and rid.is_integer() else (str(rid) if rid is not None else None)
        where = f"Đối tượng thứ {i}" + (f" ({name or rid})" if (name or rid) else "")
        if rid or name:
            explicit.add(rid or _slug(str(name)))
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
        hw = 2.0 if hw_raw is None else half_width(hw_raw, where)
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
    return out, explicit


def _apply_options(routes: list[Route], explicit: set[str], path: Path, rep: ImportReport, route_id: str | None,
                   name: str | None, width_km: float | None) -> list[Route]:
    """The command line's --id, --name, --width-km over the file's own attributes (its defaults)."""
    import shapely
    from shapely.geometry import MultiLineString

    if width_km is not None:
        hw = half_width(width_km)
        for r in routes:
            r.half_width_km = hw
    if route_id is not None and not str(route_id).strip():
        raise RouteImportError("Mã tuyến (--id) không được để trống.")
    if name is not None and not str(name).strip():
        raise RouteImportError("Tên tuyến (--name) không được để trống.")
    if (route_id or name) and len(routes) > 1:
        named = [r for r in routes if r.id in explicit]
        if len(named) > 1:
            raise RouteImportError(
                f"Tệp “{path.name}” có {len(named)} tuyến khác nhau ({', '.join(r.id for r in named[:5])}): "
                "--id và --name chỉ dùng cho tệp có một tuyến. Hãy tách tệp, hoặc bỏ --id/--name để dùng mã, "
                "tên ghi trong tệp.")
        parts = []
        for r in routes:
            g = shapely.from_wkt(r.geometry_wkt)
            parts += list(g.geoms) if g.geom_type == "MultiLineString" else [g]
        first = named[0] if named else routes[0]
        merged = Route(**{**first.__dict__})
        merged.geometry_wkt = shapely.to_wkt(MultiLineString(parts), rounding_precision=6, trim=True)
        rep.warn(f"Tệp có {len(routes)} đoạn đường: đã gộp thành một tuyến.")
        routes = [merged]
    for r in routes:
        if route_id:
            r.id = str(route_id).strip()[:40]
        if name:
            r.name = str(name).strip()[:200]
    return routes


def parse_routes(path: str | Path, crs: str | None = None, report: ImportReport | None = None, *,
                 route_id: str | None = None, name: str | None = None,
                 width_km: float | None = None) -> ImportReport:
    """Read and validate routes without any store; ``report.items`` = the Routes. ``route_id``,
    ``name`` and ``width_km`` (half-width of the corridor) override the file's attributes."""
    path = Path(path)
    rep = report or ImportReport("routes", source=path.name)
    try:
        check_file(path)
        gdf = _read(path, crs, rep)
        routes, explicit = _routes_from(gdf, path, rep)
        rep.items = _apply_options(routes, explicit, path, rep, route_id, name, width_km)
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


REPLACE = "replace"
KEEP_BOTH = "keep_both"


def _conflicts(items: list[Route], current: list[Route]) -> list[tuple[Route, Route, str]]:
    """(incoming, stored, 'id' | 'name') for each incoming route whose id or name is already used
    by a different stored route. An identical re-import is no conflict."""
    by_id = {r.id: r for r in current}
    out = []
    for r in items:
        old = by_id.get(r.id)
        if old is not None and old != r:
            out.append((r, old, "id"))
        for o in current:
            if o.id != r.id and _key(o.name) == _key(r.name):
                out.append((r, o, "name"))
    return out


def _conflict_text(r: Route, o: Route, what: str) -> str:
    if what == "id":
        return f"Mã tuyến {r.id} đã có trong dữ liệu (“{o.name}”), khác với tuyến trong tệp."
    return f"Tên tuyến “{r.name}” đã có trong dữ liệu (mã {o.id})."


def _resolve(items: list[Route], current: list[Route], conflicts, on_conflict: str, rep: ImportReport):
    """(routes to write, stored ids to delete) for the chosen answer."""
    delete: list[str] = []
    if on_conflict == REPLACE:
        for r, o, what in conflicts:
            if what == "name" and o.id not in delete:
                delete.append(o.id)
                rep.notes.append(f"Thay tuyến {o.id} (“{o.name}”) bằng tuyến {r.id} trong tệp.")
            elif what == "id":
                rep.notes.append(f"Thay tuyến {o.id} (“{o.name}”) bằng tuyến cùng mã trong tệp.")
        return items, delete
    ids = {r.id for r in current}
    names = {_key(r.name) for r in current}
    out = []
    for r in items:
        r2 = Route(**r.__dict__)
        if any(x is r and w == "id" for x, _, w in conflicts):
            n = 2
            while f"{r.id}-{n}" in ids:
                n += 1
            r2.id = f"{r.id}-{n}"[:40]
        if any(x is r and w == "name" for x, _, w in conflicts) or (
                r2.id != r.id and _key(r.name) in names):
            n = 2
            while _key(f"{r.name} ({n})") in names:
                n += 1
            r2.name = f"{r.name} ({n})"
        if (r2.id, r2.name) != (r.id, r.name):
            rep.notes.append(f"Giữ cả hai: tuyến trong tệp được lưu với mã {r2.id}, tên “{r2.name}”.")
        ids.add(r2.id)
        names.add(_key(r2.name))
        out.append(r2)
    return out, delete


def import_routes(path: str | Path, store, *, user: str, crs: str | None = None, dry_run: bool = False,
                  replace_all: bool = False, on_conflict: str | None = None, route_id: str | None = None,
                  name: str | None = None, width_km: float | None = None, reason: str = "") -> ImportReport:
    """Parse and (unless ``dry_run`` or any error) store the routes in one revision (upsert by id).

    A route whose id or name is already used by a different stored route is a conflict: the dry
    run warns and asks; the import needs ``on_conflict`` = "replace" (the file's route takes the
    place of the stored one) or "keep_both" (stored under a new id/name); without it nothing is
    stored. ``replace_all`` deletes the stored routes that are not in the file."""
    path = Path(path)
    rep = ImportReport("routes", source=path.name, dry_run=dry_run)
    if on_conflict not in (None, REPLACE, KEEP_BOTH):
        rep.error(f"Lựa chọn “{on_conflict}” không hợp lệ: chỉ “replace” (thay thế) hoặc “keep_both” (giữ cả hai).")
        return rep
    parse_routes(path, crs, rep, route_id=route_id, name=name, width_km=width_km)
    return commit_routes(rep, store, user=user, dry_run=dry_run, replace_all=replace_all, on_conflict=on_conflict,
                         reason=reason)


def commit_routes(rep: ImportReport, store, *, user: str, dry_run: bool = False, replace_all: bool = False,
                  on_conflict: str | None = None, reason: str = "") -> ImportReport:
    """Compare a parsed route report with ``store`` (None: no store yet) and, unless ``dry_run``,
    write it (see import_routes)."""
    rep.dry_run = dry_run
    if rep.errors:
        return rep
    current = store.routes() if store is not None else []
    conflicts = _conflicts(rep.items, current)
    rep.conflicts = [_conflict_text(*c) for c in conflicts]
    if conflicts and on_conflict is None:
        ask = ("Chọn “thay thế” (--replace: tuyến trong tệp thay tuyến đã có) hoặc “giữ cả hai” "
               "(--keep-both: tuyến trong tệp được lưu với mã, tên mới).")
        for text in rep.conflicts:
            (rep.warn if dry_run else rep.error)(text, suggestion=ask)
        if not dry_run:
            return rep
    items, delete = (_resolve(rep.items, current, conflicts, on_conflict, rep) if conflicts and on_conflict
                     else (rep.items, []))
    by_id = {r.id: r for r in current}
    changed = [r for r in items if by_id.get(r.id) != r]
    rep.changed, rep.unchanged = len(changed) + len(delete), len(items) - len(changed)
    if dry_run or (not changed and not delete and not replace_all):
        return rep
    from .. import service
    from ..store import StoreError

    reason = reason or f"Nhập tệp {rep.source}"
    try:
        with store.batch():  # deletions, the routes and their audit entries: one transaction
            for rid in delete:
                service.delete_route(store, rid, user=user, reason=reason)
            rep.revision = service.put_routes(
                store, items if replace_all else changed, user=user, reason=reason, replace=replace_all,
                source=rep.source, what=f"Nhập {len(changed)} tuyến từ tệp {rep.source}",
                detail={"conflict": on_conflict, "replaced": delete})
    except StoreError as exc:
        rep.error(f"Cơ sở dữ liệu từ chối: {exc}")
        return rep
    rep.items = items
    rep.stored = True
    return rep
