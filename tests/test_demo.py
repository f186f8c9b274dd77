"""The demo data set: exact counts, consistent indicators, flagged as demo, loaded by the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

import pytest

from geo import boundaries, status
from geo.corridors import route_membership
from geo.demo import DemoNotEmpty, build_demo, demo_data
from geo.model import CLASS_I_MIN_CRITERIA, INDICATORS, Assessment, category, class_i_criteria, consistency_warnings
from geo.paths import REPO_ROOT
from geo.store import open_store


@pytest.fixture(scope="module")
def data(boundaries_gpkg):
    return demo_data()


@pytest.fixture(scope="module")
def info(boundaries_gpkg):
    return boundaries.commune_table().set_index("code")


def test_demo_is_deterministic(data):
    again = demo_data()
    assert again[1][2025] == data[1][2025] and again[1][2026] == data[1][2026] and again[0] == data[0]


def test_2025_counts(data, info):
    y = data[1][2025]
    assert len(y) == 124 and {a.code for a in y} == set(info.index)
    cats = Counter(category(a) for a in y)
    assert cats["drug_free"] == 35
    assert cats["class_I"] + cats["class_II"] + cats["class_III"] == 71
    assert cats["other"] == 18
    assert min(cats["class_I"], cats["class_II"], cats["class_III"]) >= 8
    df = [a for a in y if a.drug_free]
    assert all(info.loc[a.code, "kind"] == "xã" for a in df)
    for a in df:
        num, rest = a.decision_no.split("/", 1)
        assert num.isdigit() and rest == "QĐ-UBND"
        assert a.decision_date.year == 2025
    assert len({a.decision_no for a in df}) == 35


def test_indicators_consistent(data, info):
    routes, years, _ = data
    member = route_membership(routes, boundaries.communes(web=True))
    for year, items in years.items():
        for a in items:
            pop = int(info.loc[a.code, "population"])
            on_route = bool(member[a.code])
            for k in INDICATORS:
                v = getattr(a, k)
                limit = 10_000 if k in ("plants", "plant_area_m2") else 1000
                assert 0 <= v < limit and (k == "plant_area_m2" or isinstance(v, int)), (a.code, k, v)
            crit = class_i_criteria(a, pop, on_route)
            if a.complexity_class == "I":
                assert sum(crit.values()) >= CLASS_I_MIN_CRITERIA, a.code
            if a.drug_free:
                assert consistency_warnings(a, pop, on_route) == [], a.code
            assert consistency_warnings(a, pop, on_route) == [], (year, a.code)


def test_key_communes_concentrated_along_routes_and_border(data):
    routes, years, _ = data
    member = route_membership(routes, boundaries.communes(web=True))
    key = [a.code for a in years[2025] if a.is_key]
    on = sum(1 for c in key if member[c])
    assert on >= 0.75 * len(key)
    assert sum(1 for c in key if "BIEN-GIOI" in member[c]) >= 15


def test_routes(data):
    routes = {r.id: r for r in data[0]}
    assert list(routes) == ["QL2", "QL2C", "QL4C", "QL34", "QL37-279", "BIEN-GIOI"]
    assert routes["BIEN-GIOI"].kind == "border" and routes["BIEN-GIOI"].half_width_km == 5
    assert routes["QL2"].name.startswith("Tuyến Quốc lộ 2 (")
    assert all(r.kind == "road" and r.half_width_km == 2 for k, r in routes.items() if k != "BIEN-GIOI")
    assert routes["QL37-279"].geometry_wkt.startswith("MULTILINESTRING")


def test_2026_changes(tmp_path, data):
    s = open_store(tmp_path / "a.db")
    build_demo(s)
    ch = status.changes(s, 2025, 2026)
    assert ch["newly_recognised"].sum() == 12
    assert ch["lost_recognition"].sum() == 3
    assert ch["newly_key"].sum() >= 3 and ch["no_longer_key"].sum() >= 3
    assert status.kpis(s, 2026)["drug_free"] == 44
    s.close()


def test_build_demo_flags_everything_and_targets(tmp_path, boundaries_gpkg):
    s = open_store(tmp_path / "a.db")
    assert not s.is_demo()
    build_demo(s)
    assert s.is_demo() and s.is_demo(2025) and s.is_demo(2026)
    assert s.is_demo(2027)  # no assessments that year, but the demo routes are shown
    assert s.years() == [2025, 2026]
    revs = [r for r in s.revisions() if r.kind != "seed"]
    assert revs and all(r.demo and r.user == "demo" and r.reason == "Dữ liệu minh họa" for r in revs)
    tg = {(t.year, t.scope): t.share_pct for t in s.targets()}
    assert tg == {(2025, "ministry"): 20.0, (2030, "national"): 50.0, (2030, "province"): 100.0,
                  (2026, "province"): 35.0, (2027, "province"): 50.0, (2028, "province"): 65.0,
                  (2029, "province"): 80.0}
    with pytest.raises(DemoNotEmpty):
        build_demo(s)
    v = s.data_version()
    assert build_demo(s, if_empty=True) is None and s.data_version() == v
    s.close()


def test_cli_demo_if_empty(tmp_path, boundaries_gpkg):
    db = tmp_path / "app.db"
    env = {**os.environ, "TQMAP_DB": str(db)}
    run = lambda *a: subprocess.run([sys.executable, "-m", "geo", "demo", *a], cwd=REPO_ROOT, env=env,
                                    capture_output=True, text=True)
    p = run()
    assert p.returncode == 0 and "MINH HỌA" in p.stdout
    v = open_store(db).data_version()
    p = run("--if-empty")
    assert p.returncode == 0 and open_store(db).data_version() == v
    p = run()
    assert p.returncode == 1 and "đã có dữ liệu" in p.stderr


def test_demo_flags_per_item_and_real_statuses_over_demo_routes(tmp_path, data):
    from geo import yearview
    from geo.maps.demo_mark import demo_suffix, demo_text
    from geo.model import DemoFlags

    s = open_store(tmp_path / "a.db")
    build_demo(s)
    assert s.demo_flags(2025) == DemoFlags(statuses=True, routes=True, targets=False)  # 2025: the ministry's
    assert s.demo_flags(2026) == DemoFlags(statuses=True, routes=True, targets=True)  # demo province target
    assert s.demo_flags(2027) == DemoFlags(statuses=False, routes=True, targets=True)
    # real statuses for every unit of 2025: the year is real, its routes still illustrative
    real = [Assessment(a.code, 2025, drug_free=a.drug_free, decision_no=a.decision_no,
                       decision_date=a.decision_date, complexity_class=a.complexity_class) for a in data[1][2025]]
    s.replace_year(2025, real, user="u", reason="số liệu thật")
    yv = yearview.year_view(s, 2025)
    assert yv.demo == DemoFlags(statuses=False, routes=True, targets=False)
    assert yv.kpis["demo_flags"] == {"statuses": False, "routes": True, "targets": False}
    assert demo_suffix(yv.demo) == "_tuyen-minh-hoa"
    assert demo_text(yv.demo, "vi").startswith("Trạng thái các xã: số liệu thật; tuyến trọng điểm: MINH HỌA")
    s.close()
