"""Status frame, KPIs, progress and changes on a real store holding the demo set."""

from __future__ import annotations

import pytest

from geo import status
from geo.demo import build_demo
from geo.i18n import fmt_pct, fmt_points
from geo.model import INDICATORS, Assessment, Target
from geo.store import open_store


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, boundaries_gpkg):
    s = open_store(tmp_path_factory.mktemp("status") / "app.db")
    build_demo(s)
    yield s
    s.close()


def test_kpis_demo_2025(demo_store):
    k = status.kpis(demo_store, 2025)
    assert k["total_units"] == 124 and k["drug_free"] == 35
    assert k["share_pct"] == pytest.approx(35 / 124 * 100)
    assert fmt_pct(k["share_pct"]) == "28,2%"
    assert (k["target_scope"], k["target_pct"]) == ("ministry", 20.0)
    assert round(k["diff_points"], 1) == 8.2 and fmt_points(k["diff_points"]) == "+8,2 điểm phần trăm"
    assert k["key_count"] == 71 and sum(k["by_class"].values()) == 71
    assert k["routes_count"] == 6
    assert k["needed_for_target"] == 0
    assert k["needed_for_2030"] == 124 - 35
    assert [p["year"] for p in k["per_year_needed"]] == [2026, 2027, 2028, 2029, 2030]
    assert sum(p["needed"] for p in k["per_year_needed"]) == 89
    assert max(p["needed"] for p in k["per_year_needed"]) - min(p["needed"] for p in k["per_year_needed"]) <= 1
    assert k["demo"] is True
    assert sum(k["by_category"].values()) == 124


def test_kpis_later_year_uses_province_target(demo_store):
    k = status.kpis(demo_store, 2027)
    assert k["drug_free"] == 0 and k["with_data"] == 0 and k["by_category"]["no_data"] == 124
    assert (k["target_scope"], k["target_pct"], k["target_units"]) == ("province", 50.0, 62)
    assert k["needed_for_target"] == 62


def test_status_frame(demo_store):
    f = status.status_frame(demo_store, 2025)
    assert len(f) == 124 and f.crs.to_epsg() == 4326
    for col in ["code", "name", "short_name", "kind", "population", "area_km2", "old_province", "former_districts",
                "category", "complexity_class", "drug_free", "decision_no", "decision_date", "target_year", "note",
                "routes", "route_names", "addicts_users_per_1000", "offenders_per_1000", "warnings", "geometry",
                *INDICATORS]:
        assert col in f.columns, col
    assert (f["category"] == "drug_free").sum() == 35
    assert f["complexity_class"].isin(["I", "II", "III"]).sum() == 71
    assert sum(bool(r) for r in f["routes"]) >= 60
    assert all(w == [] for w in f.loc[f["drug_free"], "warnings"])
    row = f[f["addicts"] > 0].iloc[0]
    assert row["addicts_users_per_1000"] == pytest.approx(1000 * (row["addicts"] + row["users"]) / row["population"])
    # a later year without data: every commune is no_data, routes still there
    g = status.status_frame(demo_store, 2028)
    assert (g["category"] == "no_data").all() and g["addicts"].isna().all()


def test_status_frame_follows_writes(tmp_path, boundaries_gpkg):
    s = open_store(tmp_path / "a.db")
    assert (status.status_frame(s, 2025)["category"] == "no_data").all()
    code = status.status_frame(s, 2025)["code"].iloc[3]
    s.upsert_assessments(2025, [Assessment(code, 2025, drug_free=True, decision_no="", spots=2)],
                         user="u", reason="r")
    f = status.status_frame(s, 2025).set_index("code")
    assert f.loc[code, "category"] == "drug_free"
    assert any("thiếu số quyết định" in w for w in f.loc[code, "warnings"])
    assert status.kpis(s, 2025)["drug_free"] == 1 and not status.kpis(s, 2025)["demo"]
    s.close()


def test_progress(demo_store):
    p = status.progress(demo_store).set_index("year")
    assert list(p.index) == [2025, 2026, 2027, 2028, 2029, 2030]
    assert p.loc[2025, "drug_free"] == 35 and p.loc[2026, "drug_free"] == 44
    assert p.loc[2025, "target_ministry_pct"] == 20.0
    assert list(p["target_province_pct"].iloc[1:]) == [35.0, 50.0, 65.0, 80.0, 100.0]
    assert p.loc[2030, "target_national_pct"] == 50.0
    assert not p.loc[2027, "has_data"]


def test_changes_columns(demo_store):
    ch = status.changes(demo_store, 2025, 2026)
    assert len(ch) == 124
    assert set(ch["change"]) <= set(status.CHANGE_KINDS)
    assert (ch["unchanged"] == (ch["change"] == "unchanged")).all()
    rec = ch[ch["newly_recognised"]]
    assert (rec["category_b"] == "drug_free").all() and (rec["category_a"] != "drug_free").all()


def test_count_target(tmp_path, boundaries_gpkg):
    s = open_store(tmp_path / "a.db")
    s.put_targets([Target(2026, "ministry", count=40)], user="u", reason="r")
    k = status.kpis(s, 2026)
    assert k["target_units"] == 40 and k["target_pct"] == pytest.approx(40 / 124 * 100)
    s.close()
