"""The built GeoPackage, checked on the real data from the mirror."""

from __future__ import annotations

import json

import numpy as np
import pyogrio
import pytest
import shapely

from geo import boundaries
from geo.build import UTM, official_units
from geo.text import canonical, fold


@pytest.fixture(scope="module")
def communes(boundaries_gpkg):
    return boundaries.communes(web=False, path=boundaries_gpkg)


@pytest.fixture(scope="module")
def web(boundaries_gpkg):
    return boundaries.communes(web=True, path=boundaries_gpkg)


def test_all_layers_present(boundaries_gpkg):
    names = {name for name, _ in pyogrio.list_layers(boundaries_gpkg)}
    assert set(boundaries.LAYERS) | {"meta"} <= names


def test_124_units_with_official_codes_and_names(communes):
    official = official_units()
    assert len(communes) == 124
    assert list(communes["code"]) == sorted(official)
    for row in communes.itertuples():
        assert fold(row.name) == fold(official[row.code][0]), row.code
        assert row.kind == official[row.code][1]
    assert communes.loc[communes.code == "00694", "name"].item() == "Phường Hà Giang 1"
    assert communes.loc[communes.code == "00694", "short_name"].item() == "Hà Giang 1"


def test_kinds_117_xa_7_phuong(communes):
    assert communes["kind"].value_counts().to_dict() == {"xã": 117, "phường": 7}


def test_total_area_and_population(communes):
    assert 13_700 <= communes["area_km2"].sum() <= 13_900
    assert communes["population"].notna().all() and (communes["population"] > 0).all()
    assert int(communes["population"].sum()) == 1_858_056


def test_old_province_split(communes):
    assert communes["old_province"].value_counts().to_dict() == {"Hà Giang": 73, "Tuyên Quang": 51}


def test_former_units_from_official_mapping(communes):
    row = communes.set_index("code").loc["00694"]
    former = json.loads(row["former_units"])
    codes = {f["code"]: f["type"] for f in former}
    assert codes == {"00688": "partial", "00694": "full", "00946": "full", "00949": "full"}
    assert "Thành phố Hà Giang" in row["former_districts"]
    # 330 old communes in all (193 from Hà Giang + 137 from Tuyên Quang), 5 split between two units
    all_old = [f["code"] for v in communes["former_units"] for f in json.loads(v)]
    assert len(set(all_old)) == 330
    assert len(all_old) - len(set(all_old)) == 5


def test_full_geometry_valid_no_overlaps(communes):
    geoms = communes.geometry.values
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(communes.to_crs(UTM).geometry.values)


def test_web_coverage_valid_rounded_and_light(web, communes):
    geoms = web.geometry.values
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)
    # no gaps: the union is one polygon without holes
    union = shapely.coverage_union_all(geoms)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0
    coords = shapely.get_coordinates(geoms)
    assert np.allclose(coords, np.round(coords, 5), atol=1e-9, rtol=0)
    assert shapely.get_num_coordinates(geoms).sum() < shapely.get_num_coordinates(communes.geometry.values).sum() / 8
    assert list(web["code"]) == list(communes["code"])


def test_web_displacement_recorded_under_one_pixel(boundaries_gpkg):
    meta = boundaries.meta(boundaries_gpkg)
    assert float(meta["max_displacement_m"]) < float(meta["metres_per_px"])
    assert "thanglequoc" in meta["attribution"]


def test_border_with_china(boundaries_gpkg, communes):
    border = boundaries.layer("border_cn", boundaries_gpkg)
    assert len(border) == 1
    assert "không phải đường biên giới đo đạc" in border["note"].item()
    line_m = border.to_crs(UTM).geometry.item()
    assert 200 < line_m.length / 1000 < 320  # Hà Giang's border with China is about 274 km
    touching = shapely.dwithin(communes.to_crs(UTM).geometry.values, line_m, 1.0)
    assert touching.sum() >= 15
    # all of it lies in the north (old Hà Giang), none along old Tuyên Quang
    assert border.total_bounds[1] > 22.5
    names = set(communes.loc[touching, "name"])
    assert {"Xã Lũng Cú", "Xã Sơn Vĩ", "Xã Xín Mần", "Xã Thanh Thủy"} <= names


def test_roads_clipped_and_indicative(boundaries_gpkg):
    roads = boundaries.layer("roads", boundaries_gpkg)
    province = boundaries.layer("province", boundaries_gpkg).geometry.item()
    assert {"Quốc lộ 2", "Quốc lộ 2C", "Quốc lộ 4C", "Quốc lộ 34", "Quốc lộ 37", "Tỉnh lộ 279"} <= set(roads["name"])
    assert roads["indicative"].all()
    assert all(province.buffer(1e-6).contains(g) for g in roads.geometry)


def test_former_districts_layer(boundaries_gpkg):
    districts = boundaries.layer("former_districts", boundaries_gpkg)
    assert districts["old_province"].value_counts().to_dict() == {"Hà Giang": 11, "Tuyên Quang": 7}
    # the Overview's filter lists the districts the units name, read once per file version
    names = boundaries.former_district_names(boundaries_gpkg)
    assert len(names) == 18 and names == sorted(names) and "Huyện Bắc Mê" in names
    names.append("x")  # a copy: the cached list is not changed
    assert boundaries.former_district_names(boundaries_gpkg) == names[:-1]


def test_canonical_spellings():
    assert canonical("Xã Thuỷ Hoà") == "Xã Thủy Hòa"
    assert canonical("Xã Quý") == "Xã Quý"
    assert canonical("Xã Hoàn Long") == "Xã Hoàn Long"
