"""Smoke test of the benchmark: it runs end to end in quick mode and writes valid JSON with the
expected rows. No timing is asserted (the figures depend on the machine), no fixed wait: every
wait in the benchmark is a condition with a generous limit. It starts three Streamlit servers
and Chromium, so it is marked ``slow`` (out of the fast tier)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from geo.paths import REPO_ROOT

EXPECTED_ROWS = {
    "html_kb", "html_gzip_kb", "py_build_cold_s", "py_build_warm_s", "data_build_s", "data_build_skip_s",
    "draw_file_ms", "ext_requests_file", "baseline_empty_ms", "baseline_rerun_s", "baseline_subpage_ms",
    "baseline_paired_ms", "baseline_paired_rerun_s", "baseline_paired_subpage_ms",
    "app_first_ms", "app_draw_ms",
    "app_year_s", "app_filter_s", "app_filter_settled_s", "app_change_kb", "app_year_kb", "app_peak_rss_mb",
    "ext_requests_app",
    "live_first_ms", "live_draw_ms", "live_year_s", "live_filter_s", "live_change_kb", "live_year_kb",
}
PAGE_ROWS = {"app_page_tuyen_ms", "app_page_xa_trong_diem_ms", "app_page_ho_so_xa_ms", "app_page_tien_do_ms"}
EXPECTED_ROWS |= PAGE_ROWS  # the app's other map pages (ours only)
EXPECTED_ROWS |= {"app_warm_start_s"}  # the app server's warm start (python -m ui.serve)
NO_NAIVE = {"data_build_s", "data_build_skip_s", "baseline_empty_ms", "baseline_rerun_s", "baseline_subpage_ms",
            "baseline_paired_ms", "baseline_paired_rerun_s", "baseline_paired_subpage_ms",
            "app_warm_start_s"} | PAGE_ROWS


@pytest.mark.slow
def test_bench_quick_writes_json(tmp_path, boundaries_gpkg):
    out = tmp_path / "bench.json"
    r = subprocess.run([sys.executable, "-m", "geo", "bench", "--quick", "--out", str(out)], cwd=REPO_ROOT,
                       env={**os.environ}, capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stderr[-4000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["quick"] is True
    assert data["machine"]["cores"] and data["machine"]["python"]
    assert data["failures"] == [], data["failures"]
    rows = {row["id"]: row for row in data["rows"]}
    assert set(rows) == EXPECTED_ROWS
    for rid, row in rows.items():
        assert row["ours"]["n"] >= 1 and row["ours"]["median"] is not None, rid
        assert row["ours"]["min"] <= row["ours"]["median"] <= row["ours"]["max"], rid
        if rid not in NO_NAIVE:
            assert row["naive"]["median"] is not None, rid
            assert row["ratio"] is not None, rid
    for rid in ("app_first_ms", "app_draw_ms", "app_year_s", "app_filter_s", *sorted(PAGE_ROWS)):
        assert rows[rid]["ratio_baseline"] is not None, rid
    for rid in sorted(PAGE_ROWS):  # opened at their paths: compared with the empty page opened at one too
        assert rows[rid]["ratio_baseline_path"] is not None, rid
    # the app's divisors are the empty page's visits made between the app's own (same minutes)
    assert rows["app_draw_ms"]["baseline_id"] == "baseline_paired_ms"
    assert rows["app_draw_ms"]["baseline"] == rows["baseline_paired_ms"]["ours"]
    assert rows["app_filter_s"]["baseline_id"] == "baseline_paired_rerun_s"
    assert rows["app_draw_ms"]["ours"]["n"] == 2  # quick: one visit before the year step, one before the filter step
    # facts, not timings: ours makes no external request; the naive page tries its CDNs
    assert rows["ext_requests_file"]["ours"]["median"] == 0
    assert rows["ext_requests_app"]["ours"]["median"] == 0
    assert rows["ext_requests_file"]["naive"]["median"] > 0
    assert rows["html_kb"]["ours"]["median"] < rows["html_kb"]["naive"]["median"]
    assert rows["app_change_kb"]["ours"]["median"] > 0
    assert rows["live_change_kb"]["ours"]["median"] < rows["app_change_kb"]["ours"]["median"]
    growth = data["growth"]
    assert [g["units"] for g in growth] == [124, 200]
    assert growth[0]["kind"] == "real" and growth[1]["kind"] == "synthetic"
    for g in growth:
        assert g["html_kb"] > 0 and g["draw_ms"]["n"] == 1 and g["vertices_web"] < g["vertices_full"]
    # the printed table, with both ratio columns
    assert "| Measure |" in r.stdout and "| Units |" in r.stdout and "Ours/baseline" in r.stdout


def test_a_failed_measure_is_recorded_and_the_run_keeps_the_rest(tmp_path):
    from geo.bench.run import _Run, _row

    result = {"failures": [], "rows": [], "_started": 0.0}
    rec = _Run(result, tmp_path / "b.json")

    def boom():
        raise TimeoutError("option detached")

    assert rec.attempt("app_filter_ours", boom) is None
    assert rec.attempt("ok", lambda: 3) == 3
    _row(result["rows"], "x", "X", "s", [1.0, 2.0, 3.0], [4.0], baseline=[0.5], baseline_id="b")
    rec.save()
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert data["failures"][0]["id"] == "app_filter_ours" and "option detached" in data["failures"][0]["error"]
    assert data["rows"][0]["ratio"] == 0.5 and data["rows"][0]["ratio_baseline"] == 4.0
    assert "_started" not in data


def test_synthetic_coverage_is_valid():
    import shapely

    from geo.bench.synthetic import generate

    g = generate(150, seed=3)
    assert len(g) == 150
    assert shapely.is_valid(g).all() and shapely.coverage_is_valid(g)


def test_real_density_scale_keeps_a_valid_coverage():
    import shapely

    from geo.bench.synthetic import REAL_DENSITY_SCALE, generate

    g = generate(40, seed=5, scale=REAL_DENSITY_SCALE)
    assert len(g) == 40 and shapely.coverage_is_valid(g)
