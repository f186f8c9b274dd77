"""Route import from real GIS files written with geopandas/zipfile; rejected files leave the DB identical."""

import zipfile

import geopandas as gpd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import wkt
from shapely.geometry import LineString, Polygon

from geo.crs import tm3_proj
from geo.importer import import_routes, parse_routes, read_routes
from geo.importer.routes_import import RouteImportError
from geo.store import open_store
from tests.conftest import db_hash

QL2 = LineString([(104.98, 22.82), (104.99, 22.6), (105.05, 22.3)])
QL37 = LineString([(105.2, 21.8), (105.35, 21.95)])




@pytest.fixture()
def store(tmp_db, boundaries_gpkg):
    s = open_store(tmp_db)
    yield s
    s.close()


def gdf(crs=4326, geoms=(QL2, QL37)):
    g = gpd.GeoDataFrame({"id": ["QL2", "QL37"][: len(geoms)], "name": ["Quốc lộ 2", "Quốc lộ 37"][: len(geoms)],
                          "kind": ["road", "đường bộ"][: len(geoms)], "half_width_km": [3.0, 2.5][: len(geoms)]},
                         geometry=list(geoms), crs=4326)
    return g.to_crs(crs)


def zipped_shp(tmp_path, g, with_prj=True, name="routes"):
    d = tmp_path / "shp"
    d.mkdir(exist_ok=True)
    g.to_file(d / f"{name}.shp")
    z = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in d.iterdir():
            if with_prj or p.suffix != ".prj":
                zf.write(p, p.name)
    return z


def close(a, b, tol=1e-6):
    return wkt.loads(a).equals_exact(b, tol)


def test_geojson_kml_gpx(tmp_path):
    g = gdf()
    g.to_file(tmp_path / "r.geojson")
    routes = read_routes(tmp_path / "r.geojson")
    assert [r.id for r in routes] == ["QL2", "QL37"] and routes[0].half_width_km == 3.0
    assert routes[1].kind == "road" and close(routes[0].geometry_wkt, QL2)
    g[["name", "geometry"]].to_file(tmp_path / "r.kml", driver="KML")
    routes = read_routes(tmp_path / "r.kml")
    assert {r.name for r in routes} == {"Quốc lộ 2", "Quốc lộ 37"} and all(r.half_width_km == 2.0 for r in routes)
    gpx = tmp_path / "r.gpx"
    pts = "".join(f'<trkpt lat="{y}" lon="{x}"/>' for x, y in QL2.coords)
    gpx.write_text(f'<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
                   f'<trk><name>QL2</name><trkseg>{pts}</trkseg></trk></gpx>')
    routes = read_routes(gpx)
    assert len(routes) == 1 and routes[0].name == "QL2"
    assert wkt.loads(routes[0].geometry_wkt).hausdorff_distance(QL2) < 1e-6


@pytest.mark.parametrize("epsg,lon0", [("EPSG:9209", 105.5), ("EPSG:9211", 106.0)])
def test_vn2000_shapefile_lands_within_a_metre(tmp_path, epsg, lon0):
    g = gdf(epsg)
    routes = read_routes(zipped_shp(tmp_path, g))
    got = wkt.loads(routes[0].geometry_wkt)
    # the same metres through the explicit TM-3 + EPSG:6960 towgs84 definition
    ref = gpd.GeoSeries([g.geometry.iloc[0]], crs=tm3_proj(lon0)).to_crs(4326).to_crs(32648).iloc[0]
    got_m = gpd.GeoSeries([got], crs=4326).to_crs(32648).iloc[0]
    assert got_m.hausdorff_distance(ref) < 1.0


def test_shapefile_without_prj_asks_and_crs_answers(store, tmp_path):
    z = zipped_shp(tmp_path, gdf("EPSG:9211"), with_prj=False)
    before = db_hash(store.path)
    rep = import_routes(z, store, user="t")
    assert rep.errors and "không khai báo hệ toạ độ" in rep.errors[0].message
    assert "EPSG:9211" in rep.errors[0].message and "--crs" in rep.errors[0].message
    assert db_hash(store.path) == before
    rep = import_routes(z, store, user="t", crs="EPSG:9211")
    assert rep.ok and rep.stored, rep
    assert {r.id for r in store.routes()} == {"QL2", "QL37"}
    # re-import: no change, no new revision
    n = len(store.revisions())
    rep = import_routes(z, store, user="t", crs="EPSG:9211")
    assert rep.ok and rep.changed == 0 and len(store.revisions()) == n


def test_metres_declared_wgs84_geojson(store, tmp_path):
    g = gdf("EPSG:9209").set_crs(4326, allow_override=True)
    g.to_file(tmp_path / "bad.geojson")
    before = db_hash(store.path)
    rep = import_routes(tmp_path / "bad.geojson", store, user="t")
    assert rep.errors and "mét" in rep.errors[0].message and "EPSG:9209" in rep.errors[0].message
    assert db_hash(store.path) == before


def test_kml_polygons_rejected(store, tmp_path):
    g = gpd.GeoDataFrame({"name": ["vùng"]}, geometry=[Polygon([(105, 22), (105.1, 22), (105.1, 22.1)])], crs=4326)
    g.to_file(tmp_path / "p.kml", driver="KML")
    before = db_hash(store.path)
    rep = import_routes(tmp_path / "p.kml", store, user="t")
    assert rep.errors and "polygon" in rep.errors[0].message
    assert db_hash(store.path) == before


@pytest.mark.parametrize("kind", ["entities", "bomb", "traversal", "huge", "bad_kind"])
def test_unsafe_or_bad_files(store, tmp_path, kind):
    if kind == "entities":
        p = tmp_path / "lol.kml"
        p.write_text('<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                     '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&b;</name></Document></kml>')
        text = "thực thể"
    elif kind == "bomb":
        p = tmp_path / "b.zip"
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("r.shp", b"\0" * (300 * 1024 * 1024))
        text = "bom nén"
    elif kind == "traversal":
        p = tmp_path / "t.zip"
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("../r.shp", b"x")
        text = "không an toàn"
    elif kind == "huge":
        p = tmp_path / "h.geojson"
        with open(p, "wb") as f:
            f.seek(50 * 1024 * 1024)
            f.write(b"}")
        text = "quá lớn"
    else:
        g = gdf()
        g["kind"] = ["road", "máy bay"]
        p = tmp_path / "k.geojson"
        g.to_file(p)
        text = "máy bay"
    before = db_hash(store.path)
    rep = import_routes(p, store, user="t")
    assert rep.errors and any(text in e.message for e in rep.errors), rep
    assert db_hash(store.path) == before
    with pytest.raises(RouteImportError):
        read_routes(p)


def test_outside_the_province(tmp_path):
    g = gpd.GeoDataFrame({"name": ["x"]}, geometry=[LineString([(2.3, 48.8), (2.4, 48.9)])], crs=4326)
    g.to_file(tmp_path / "paris.geojson")
    rep = parse_routes(tmp_path / "paris.geojson")
    assert rep.errors and "ngoài tỉnh" in rep.errors[0].message


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=2000), ext=st.sampled_from([".geojson", ".kml", ".gpx", ".zip"]))
def test_arbitrary_bytes_never_crash(tmp_path_factory, data, ext):
    p = tmp_path_factory.mktemp("fz") / f"x{ext}"
    p.write_bytes(data)
    rep = parse_routes(p)
    assert rep.errors or rep.items
    try:
        read_routes(p)
    except RouteImportError:
        pass


# --- issue 11: --id/--name/--width-km, and a choice when the id or name is taken ------------------

def test_options_override_the_file_and_several_segments_become_one_route(store, tmp_path):
    g = gpd.GeoDataFrame({"note": ["a", "b"]}, geometry=[QL2, QL37], crs=4326)  # no id, no name
    g.to_file(tmp_path / "seg.geojson")
    rep = import_routes(tmp_path / "seg.geojson", store, user="t", route_id="QL2", name="Quốc lộ 2 (đoạn)",
                        width_km=1.5)
    assert rep.ok and rep.stored, rep
    (r,) = store.routes()
    assert (r.id, r.name, r.half_width_km) == ("QL2", "Quốc lộ 2 (đoạn)", 1.5)
    assert wkt.loads(r.geometry_wkt).geom_type == "MultiLineString"
    # the file's attributes are the defaults; --width-km alone keeps them
    gdf().to_file(tmp_path / "r.geojson")
    rep = parse_routes(tmp_path / "r.geojson", width_km="2,5")
    assert [(x.id, x.half_width_km) for x in rep.items] == [("QL2", 2.5), ("QL37", 2.5)]
    rep = parse_routes(tmp_path / "r.geojson", route_id="X")  # two named routes: refused, not merged
    assert rep.errors and "một tuyến" in rep.errors[0].message
    assert "lớn hơn 0" in parse_routes(tmp_path / "r.geojson", width_km=0).errors[0].message


def test_same_id_or_name_warns_and_asks(store, tmp_path):
    one = gdf(geoms=(QL2,))
    one.to_file(tmp_path / "a.geojson")
    assert import_routes(tmp_path / "a.geojson", store, user="t").stored
    # the same route again: no conflict, nothing to do
    again = import_routes(tmp_path / "a.geojson", store, user="t")
    assert again.ok and again.changed == 0 and not again.conflicts
    # same name, another id (e.g. imported again under a new id): dry run warns, import refuses
    moved = one.assign(id=["QL2B"], geometry=[QL37])
    moved.to_file(tmp_path / "b.geojson")
    rep = import_routes(tmp_path / "b.geojson", store, user="t", dry_run=True)
    assert rep.ok and rep.conflicts and any("Quốc lộ 2" in w.message and "--keep-both" in w.suggestion
                                            for w in rep.warnings), rep
    before = db_hash(store.path)
    rep = import_routes(tmp_path / "b.geojson", store, user="t")
    assert rep.errors and not rep.stored and "--replace" in rep.errors[0].suggestion
    assert db_hash(store.path) == before
    # keep both: stored under a new name
    rep = import_routes(tmp_path / "b.geojson", store, user="t", on_conflict="keep_both")
    assert rep.stored, rep
    assert sorted((r.id, r.name) for r in store.routes()) == [("QL2", "Quốc lộ 2"), ("QL2B", "Quốc lộ 2 (2)")]
    # replace: the file's route takes the place of the one with the same name
    other = one.assign(id=["QL2C"])
    other.to_file(tmp_path / "c.geojson")
    rep = import_routes(tmp_path / "c.geojson", store, user="t", on_conflict="replace")
    assert rep.stored, rep
    assert sorted((r.id, r.name) for r in store.routes()) == [("QL2B", "Quốc lộ 2 (2)"), ("QL2C", "Quốc lộ 2")]
    # same id, different line: keep both gives a new id
    changed = one.assign(id=["QL2C"], name=["Quốc lộ 2 mới"], geometry=[QL37])
    changed.to_file(tmp_path / "d.geojson")
    assert import_routes(tmp_path / "d.geojson", store, user="t").errors
    rep = import_routes(tmp_path / "d.geojson", store, user="t", on_conflict="keep_both")
    assert rep.stored and "QL2C-2" in {r.id for r in store.routes()}


def test_cli_routes_import_options(tmp_path, tmp_db, boundaries_gpkg):
    import os
    import subprocess
    import sys

    from geo.paths import REPO_ROOT

    gdf(geoms=(QL2,))[["geometry"]].to_file(tmp_path / "ql2.geojson")
    env = {**os.environ, "TQMAP_DB": str(tmp_db)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "geo", "routes", "import", str(tmp_path / "ql2.geojson"), *args],
                              cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)

    out = run("--id", "QL2", "--name", "Quốc lộ 2", "--width-km", "2", "--dry-run")
    assert out.returncode == 0 and not tmp_db.exists(), out.stdout + out.stderr
    assert run("--id", "QL2", "--name", "Quốc lộ 2", "--width-km", "2").returncode == 0
    out = run("--id", "QL2B", "--name", "Quốc lộ 2")
    assert out.returncode == 1 and "--keep-both" in out.stdout
    assert run("--id", "QL2B", "--name", "Quốc lộ 2", "--keep-both").returncode == 0
    s = open_store(tmp_db)
    assert sorted((r.id, r.name, r.half_width_km) for r in s.routes()) == [
        ("QL2", "Quốc lộ 2", 2.0), ("QL2B", "Quốc lộ 2 (2)", 2.0)]
    s.close()
