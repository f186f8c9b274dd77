"""Property-based tests (hypothesis) over every importer entry point in geo/importer/:

    parse_status / import_status (.csv, .xlsx)            -> ImportReport, never an exception
    parse_routes / import_routes (.geojson .kml .gpx .zip) -> ImportReport, never an exception
    read_routes                                           -> list[Route] or RouteImportError only
    read_table (the shared reader)                        -> Sheets or TableError / UnsafeFile only
    python -m geo status import / routes import (in process) -> exit code, never an exception

and: an input the importer rejects leaves the SQLite file (and its WAL) byte-identical (sha256).
Inputs are structured (real headers, real commune names, hostile cell values, real-looking geometry)
and then optionally corrupted, so the properties reach past the first "not a zip" check.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import geo.audit  # noqa: F401  (register the audit/users migrations before any store is created)
import geo.auth  # noqa: F401
from geo.importer import ImportReport, import_routes, import_status, parse_routes, parse_status, read_routes
from geo.importer.routes_import import RouteImportError
from geo.importer.safety import UnsafeFile
from geo.importer.table import COLUMNS, TableError, read_table
from geo.store import open_store
from tests.conftest import db_hash

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

XSS = ["<img src=x onerror=alert(1)>", "<script>alert('x')</script>", "\"'><svg onload=alert(1)>"]
HOSTILE = ["=cmd|' /C calc'!A0", "+1+1", "-5", "1e309", "NaN", "inf", "٣", "１２", "\u202e", "\x00", "", " ",
           "0,5", "1.234.567", "31/02/2025", "2025-13-01", "Có", "Không", "co", "x", "I", "II", "III", "IV",
           "Xã", "Phường", "'; DROP TABLE assessments; --", "a" * 300, *XSS]


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def env(tmp_path_factory, boundaries_gpkg):
    """One real store for the module (each example compares the hash just before/after itself)."""
    from geo import boundaries

    from geo.cli import parser

    # Build the whole CLI first: it imports modules that register their own migrations (e.g. geo.present);
    # otherwise the first CLI call would migrate the file and the byte-identity check would see that.
    parser()
    d = tmp_path_factory.mktemp("hyp")
    store = open_store(d / "app.db")
    t = boundaries.commune_table()
    names = list(t["name"]) + list(t["short_name"]) + list(t["code"])
    yield Env({"dir": d, "store": store, "names": names})
    store.close()


class Env(dict):
    def __repr__(self) -> str:  # keep hypothesis' falsifying-example report short
        return f"Env({self['dir']})"


def _new_file(env, suffix: str, data: bytes) -> Path:
    env["n"] = env.get("n", 0) + 1
    p = env["dir"] / f"in{env['n']}{suffix}"
    p.write_bytes(data)
    return p


def _check_rejected_unchanged(store, before: str, rep: ImportReport) -> None:
    assert isinstance(rep, ImportReport)
    first = re.sub(r"[“\"].*?[”\"]", "…", rep.errors[0].message)[:40] if rep.errors else "no error"
    event(f"{rep.kind}: " + ("stored" if rep.stored else f"{'some' if rep.accepted else 'no'} rows accepted, {first}"))
    assert all(i.message for i in rep.errors)
    if rep.errors:
        assert not rep.stored
        assert db_hash(store.path) == before, rep.lines()


# --- strategies --------------------------------------------------------------------------------

HEADERS = [c.header for c in COLUMNS]


def cell(names):
    return st.one_of(st.sampled_from(names), st.sampled_from(HOSTILE), st.integers(-10, 10 ** 7).map(str),
                     st.floats(allow_nan=True, allow_infinity=True).map(str), st.text(max_size=20), st.none())


@st.composite
def grids(draw, names):
    """Mostly the template's header row (shuffled, some columns dropped) with rows whose cells fit
    their column often enough to reach row-level checks; sometimes a junk header."""
    if draw(st.integers(0, 4)):
        headers = list(draw(st.permutations(HEADERS))) if draw(st.booleans()) else list(HEADERS)
        drop = draw(st.sets(st.sampled_from(HEADERS), max_size=3))
        headers = [h for h in headers if h not in drop]
        if draw(st.integers(0, 5)) == 0:
            headers.append(draw(st.sampled_from(HEADERS)))  # a duplicated column
    else:
        headers = draw(st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=12)), min_size=1, max_size=14))
    typed = {"Mã xã": st.sampled_from([n for n in names if n.isdigit()]), "Tên xã/phường": st.sampled_from(names),
             "Năm": st.sampled_from(["2025", "2025", "2026"]), "Không ma túy (Có/Không)": st.sampled_from(["Có", "Không"]),
             "Loại trọng điểm (I/II/III)": st.sampled_from(["I", "II", "III", ""]),
             "Năm đăng ký không ma túy": st.sampled_from(["2026", "2030", ""]),
             "Ngày quyết định (dd/mm/yyyy)": st.sampled_from(["04/02/2025", ""]),
             "Số quyết định công nhận": st.sampled_from(["125/QĐ-UBND", *XSS, ""])}

    hostile = draw(st.sampled_from([0, 0, 0.02, 0.1, 0.5]))  # share of hostile cells in this file

    def value(h):
        good = typed.get(h, st.integers(0, 500).map(str) | st.none())
        return draw(cell(names) if draw(st.floats(0, 1)) < hostile else good)

    rows = [[value(h) for h in headers] for _ in range(draw(st.integers(0, 8)))]
    pre = draw(st.lists(st.lists(st.text(max_size=10), max_size=3), max_size=2))  # title lines above the header
    return pre + [headers] + rows


def corrupt(data: bytes, draw) -> bytes:
    how = draw(st.sampled_from(["none", "none", "truncate", "flip", "append"]))
    if how == "truncate" and data:
        return data[: draw(st.integers(0, len(data) - 1))]
    if how == "flip" and data:
        i = draw(st.integers(0, len(data) - 1))
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
    if how == "append":
        return data + draw(st.binary(max_size=64))
    return data


@st.composite
def csv_files(draw, names):
    grid = draw(grids(names))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    text = "\n".join(sep.join("" if v is None else str(v).replace(sep, " ") for v in row) for row in grid)
    enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1258", "utf-16", "latin-1"]))
    data = text.encode(enc, errors="replace")
    return corrupt(data, draw)


@st.composite
def xlsx_files(draw, names):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = draw(st.sampled_from(["Dữ liệu", "Sheet1", "x"]))
    for r, row in enumerate(draw(grids(names)), start=1):
        for c, v in enumerate(row, start=1):
            if v is None:
                continue
            v = "".join(ch for ch in str(v) if ch.isprintable())  # openpyxl refuses control characters
            ws.cell(r, c, int(v) if v.isascii() and v.lstrip("-").isdigit() and len(v) < 15 else v)
    if draw(st.booleans()):
        ws.merge_cells("A1:C1")
    if draw(st.booleans()):
        wb.create_sheet("Trang 2").append(draw(st.lists(st.sampled_from(HEADERS), max_size=5)))
    buf = io.BytesIO()
    wb.save(buf)
    return corrupt(buf.getvalue(), draw)


coord = st.tuples(st.one_of(st.floats(103.0, 107.0), st.floats(-1e7, 1e7), st.sampled_from([0.0, 180.0, 1e300])),
                  st.one_of(st.floats(20.5, 24.0), st.floats(-1e7, 1e7), st.sampled_from([0.0, 90.0])))
props = st.dictionaries(st.sampled_from(["id", "name", "kind", "half_width_km", "year_from", "year_to",
                                         "description", "x"]),
                        st.one_of(st.sampled_from(HOSTILE), st.integers(-5, 3000), st.floats(), st.none()),
                        max_size=6)


@st.composite
def geojson_files(draw):
    def geom():
        kind = draw(st.sampled_from(["LineString", "MultiLineString", "Polygon", "Point", "Bogus", None]))
        pts = draw(st.lists(coord, max_size=6))
        if kind == "MultiLineString":
            return {"type": kind, "coordinates": [pts, pts[::-1]]}
        if kind == "Polygon":
            return {"type": kind, "coordinates": [pts + pts[:1]]}
        if kind == "Point":
            return {"type": kind, "coordinates": list(pts[0]) if pts else []}
        return {"type": kind, "coordinates": pts} if kind else None

    obj = {"type": "FeatureCollection",
           "features": [{"type": "Feature", "properties": draw(props), "geometry": geom()}
                        for _ in range(draw(st.integers(0, 4)))]}
    crs = draw(st.sampled_from([None, "EPSG:4326", "EPSG:9209", "EPSG:9211", "EPSG:3857", "urn:ogc:def:crs:EPSG::99999",
                                "rác"]))
    if crs:
        obj["crs"] = {"type": "name", "properties": {"name": crs}}
    if draw(st.booleans()):
        obj = draw(st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=8),
                                lambda ch: st.lists(ch, max_size=3) | st.dictionaries(st.text(max_size=5), ch, max_size=3),
                                max_leaves=10)) if draw(st.booleans()) else obj
    text = json.dumps(obj, ensure_ascii=draw(st.booleans()), allow_nan=True)
    return corrupt(text.encode("utf-8"), draw)


def _xml_text(draw) -> str:
    return draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=15))).replace("]]>", "")


@st.composite
def kml_files(draw):
    pm = []
    for _ in range(draw(st.integers(0, 3))):
        pts = " ".join(f"{x},{y}" for x, y in draw(st.lists(coord, max_size=5)))
        g = draw(st.sampled_from(["LineString", "Polygon", "Point"]))
        body = (f"<{g}><coordinates>{pts}</coordinates></{g}>" if g != "Polygon" else
                f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{pts}</coordinates></LinearRing>"
                f"</outerBoundaryIs></Polygon>")
        pm.append(f"<Placemark><name><![CDATA[{_xml_text(draw)}]]></name>{body}</Placemark>")
    doctype = draw(st.sampled_from(["", '<!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
                                    '<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>']))
    text = (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<kml xmlns="http://www.opengis.net/kml/2.2">'
            f"<Document>{''.join(pm)}</Document></kml>")
    return corrupt(text.encode("utf-8"), draw)


@st.composite
def gpx_files(draw):
    trk = []
    for _ in range(draw(st.integers(0, 3))):
        pts = "".join(f'<trkpt lat="{y}" lon="{x}"></trkpt>' for x, y in draw(st.lists(coord, max_size=5)))
        trk.append(f"<trk><name><![CDATA[{_xml_text(draw)}]]></name><trkseg>{pts}</trkseg></trk>")
    wpt = "".join(f'<wpt lat="{y}" lon="{x}"/>' for x, y in draw(st.lists(coord, max_size=2)))
    text = (f'<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="t" '
            f'xmlns="http://www.topografix.com/GPX/1/1">{wpt}{"".join(trk)}</gpx>')
    return corrupt(text.encode("utf-8"), draw)


@st.composite
def zip_files(draw):
    """Zips with shapefile-like members, hostile member names, a bomb-like member or real shapefile parts."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        if draw(st.booleans()):
            import geopandas as gpd
            from shapely.geometry import LineString

            pts = [p for p in draw(st.lists(coord, min_size=2, max_size=4))]
            g = gpd.GeoDataFrame({"name": [_xml_text(draw)[:40] or "x"]}, geometry=[LineString(pts)],
                                 crs=draw(st.sampled_from([None, 4326, 9209])))
            d = Path(os.environ["HYP_TMP"]) / f"shp{draw(st.integers(0, 10 ** 9))}"
            d.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(Exception):
                g.to_file(d / "r.shp")
            drop = draw(st.sampled_from([None, ".prj", ".dbf", ".shx"]))
            for f in sorted(d.iterdir()):
                if f.suffix != drop:
                    zf.writestr(draw(st.sampled_from(["", "sub/"])) + f.name, corrupt(f.read_bytes(), draw))
        for _ in range(draw(st.integers(0, 3))):
            name = draw(st.sampled_from(["a.shp", "a.dbf", "a.shx", "a.prj", "../evil.shp", "/abs.shp",
                                         "C:/x.shp", "dir/../../x.prj", "x.txt", "b.geojson"]))
            data = b"\0" * 2_000_000 if draw(st.integers(0, 9)) == 0 else draw(st.binary(max_size=200))
            with contextlib.suppress(Exception):
                zf.writestr(name, data)
    return corrupt(buf.getvalue(), draw)


# --- properties --------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _hyp_tmp(env):
    os.environ["HYP_TMP"] = str(env["dir"])
    yield
    os.environ.pop("HYP_TMP", None)


@SETTINGS
@given(data=st.data(), ext=st.sampled_from([".csv", ".xlsx"]), year=st.sampled_from([2025, 2025, 2026, 2031]))
def test_status_import_never_crashes_and_rejections_change_nothing(env, data, ext, year):
    strat = csv_files(env["names"]) if ext == ".csv" else xlsx_files(env["names"])
    path = _new_file(env, ext, data.draw(strat))
    store = env["store"]
    rep = parse_status(path, year)
    assert isinstance(rep, ImportReport)
    if year == 2031:
        assert rep.errors
    before = db_hash(store.path)
    _check_rejected_unchanged(store, before, import_status(path, year, store, user="hyp", dry_run=True))
    assert db_hash(store.path) == before  # a dry run never writes
    _check_rejected_unchanged(store, before, import_status(path, year, store, user="hyp", dry_run=False))
    try:
        read_table(path)
    except (TableError, UnsafeFile) as exc:
        assert str(exc)


ROUTE_STRATS = {".geojson": geojson_files(), ".kml": kml_files(), ".gpx": gpx_files(), ".zip": zip_files()}


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), ext=st.sampled_from(sorted(ROUTE_STRATS)),
       crs=st.sampled_from([None, None, "EPSG:9209", "EPSG:4326", "không phải crs"]))
def test_route_import_never_crashes_and_rejections_change_nothing(env, data, ext, crs):
    path = _new_file(env, ext, data.draw(ROUTE_STRATS[ext]))
    store = env["store"]
    rep = parse_routes(path, crs)
    assert isinstance(rep, ImportReport)
    try:
        routes = read_routes(path, crs)
        assert not rep.errors and len(routes) == len(rep.items)
    except RouteImportError as exc:
        assert rep.errors and str(exc)
    before = db_hash(store.path)
    _check_rejected_unchanged(store, before, import_routes(path, store, user="hyp", crs=crs, dry_run=True))
    assert db_hash(store.path) == before
    _check_rejected_unchanged(store, before, import_routes(path, store, user="hyp", crs=crs, dry_run=False))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), ext=st.sampled_from([".csv", ".xlsx", ".geojson", ".kml", ".gpx", ".zip"]))
def test_cli_import_never_crashes(env, data, ext, monkeypatch_module, capsys):
    """``python -m geo status import`` / ``routes import`` in process: exit code 0 or 1, never a traceback."""
    from geo.cli import main

    strat = {".csv": csv_files(env["names"]), ".xlsx": xlsx_files(env["names"]), **ROUTE_STRATS}[ext]
    path = _new_file(env, ext, data.draw(strat))
    store_path = env["store"].path
    before = db_hash(store_path)
    args = (["status", "import", str(path), "--year", "2025"] if ext in (".csv", ".xlsx")
            else ["routes", "import", str(path)])
    code = main([*args, "--user", "hyp"])
    out = capsys.readouterr().out
    assert code in (0, 1)
    if code == 1:
        assert "LỖI" in out and db_hash(store_path) == before


@pytest.fixture(scope="module")
def monkeypatch_module(env):
    mp = pytest.MonkeyPatch()
    mp.setenv("TQMAP_DB", str(env["store"].path))
    yield mp
    mp.undo()
