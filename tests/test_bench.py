"""Smoke test of the benchmark: it runs end to end in quick mode and writes valid JSON with the
expected rows. No timing is asserted (the figures depend on the machine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from geo.paths import REPO_ROOT

EXPECTED_ROWS = {
    "html_kb", "html_gzip_kb", "py_build_cold_s", "py_build_warm_s", "data_build_s", "draw_file_ms",
    "ext_requests_file", "app_first_ms", "app_draw_ms", "app_year_s", "app_filter_s", "app_peak_rss_mb",
    "ext_requests_app",
}


def test_bench_quick_writes_json(tmp_path, boundaries_gpkg):
    out = tmp_path / "bench.json"
    r = subprocess.run([sys.executable, "-m", "geo", "bench", "--quick", "--out", str(out)], cwd=REPO_ROOT,
                       env={**os.environ}, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-4000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["quick"] is True
    assert data["machine"]["cores"] and data["machine"]["python"]
    rows = {row["id"]: row for row in data["rows"]}
    assert set(rows) == EXPECTED_ROWS
    for rid, row in rows.items():
        assert row["ours"]["n"] >= 1 and row["ours"]["median"] is not None, rid
        assert row["ours"]["min"] <= row["ours"]["median"] <= row["ours"]["max"], rid
        if rid != "data_build_s":
            assert row["naive"]["median"] is not None, rid
            assert row["ratio"] is not None, rid
    # facts, not timings: ours makes no external request; the naive page tries its CDNs
    assert rows["ext_requests_file"]["ours"]["median"] == 0
    assert rows["ext_requests_app"]["ours"]["median"] == 0
    assert rows["ext_requests_file"]["naive"]["median"] > 0
    assert rows["html_kb"]["ours"]["median"] < rows["html_kb"]["naive"]["median"]
    growth = data["growth"]
    assert [g["units"] for g in growth] == [124, 200]
    assert growth[0]["kind"] == "real" and growth[1]["kind"] == "synthetic"
    for g in growth:
        assert g["html_kb"] > 0 and g["draw_ms"]["n"] == 1 and g["vertices_web"] < g["vertices_full"]
    # the printed table
    assert "| Measure |" in r.stdout and "| Units |" in r.stdout


def test_synthetic_coverage_is_valid():
    import shapely

    from geo.bench.synthetic import generate

    g = generate(150, seed=3)
    assert len(g) == 150
    assert shapely.is_valid(g).all() and shapely.coverage_is_valid(g)
