"""The data build is skipped when neither a source nor the build code changed (geo.build stamp)."""

from __future__ import annotations

import shutil

import pytest

from geo import build


class _Reached(Exception):
    pass


def test_unchanged_build_is_skipped_and_a_change_rebuilds(boundaries_gpkg, tmp_path, monkeypatch):
    out = tmp_path / "b.gpkg"
    shutil.copyfile(boundaries_gpkg, out)
    if build.stored_stamp(out) != build.build_stamp():
        pytest.fail("the built GeoPackage has no current stamp: run `python -m geo data` first")
    before = out.read_bytes()
    report = build.build(out=out)
    assert report.skipped and "không dựng lại" in report.lines()[0]
    assert out.read_bytes() == before

    # any change of the stamp (a source digest, a build file, a library version) goes on to build;
    # the build itself is cut short right after the check
    def stop(*_a, **_k):
        raise _Reached

    monkeypatch.setattr(build, "read_units", stop)
    with pytest.raises(_Reached):
        build.build(out=out, force=True)
    monkeypatch.setattr(build, "build_stamp", lambda: "0" * 64)
    with pytest.raises(_Reached):
        build.build(out=out)
    assert out.read_bytes() == before


def test_stamp_depends_on_code_and_sources(monkeypatch):
    base = build.build_stamp()
    assert len(base) == 64 and base == build.build_stamp()
    files = dict(build.sources.all_files())
    first = next(iter(files))
    files[first] = "f" * 64
    monkeypatch.setattr(build.sources, "all_files", lambda: files)
    assert build.build_stamp() != base
    monkeypatch.undo()
    monkeypatch.setattr(build, "_BUILD_CODE", build._BUILD_CODE[:-1])
    assert build.build_stamp() != base


def test_missing_or_foreign_file_has_no_stamp(tmp_path):
    assert build.stored_stamp(tmp_path / "none.gpkg") is None
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"not a geopackage")
    assert build.stored_stamp(bad) is None
