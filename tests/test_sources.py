"""Fetching and verifying the pinned sources; a bad mirror never touches a previous good build."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo import sources
from geo.paths import REPO_ROOT


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def mirror_copy(tmp_path) -> Path:
    """A private mirror: symlinks to the team mirror, so single files can be replaced or removed."""
    real = sources.default_mirror()
    assert real is not None and real.is_dir(), "the team mirror (../shared/data) is needed"
    root = tmp_path / "mirror"
    for rel in sources.all_files():
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(real / rel, dest)
    return root


@pytest.fixture()
def previous_build(tmp_path, boundaries_gpkg) -> Path:
    out = tmp_path / "out" / "tuyen_quang_2025.gpkg"
    out.parent.mkdir()
    shutil.copyfile(boundaries_gpkg, out)
    return out


def _run_build(mirror: Path, out: Path):
    env = {**os.environ, "TQMAP_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "geo", "data", "--mirror", str(mirror), "--out", str(out)],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_manifest_lists_every_source():
    files = sources.all_files()
    assert sum("/wards/" in p and p.endswith(".geojson") for p in files) == 124
    for needed in (sources.PROVINCE_OUTLINE, sources.MERGES, sources.POPULATION, sources.ROAD_LINES,
                   *sources.OLD_DISTRICTS.values()):
        assert needed in files
    assert all(len(d) == 64 for d in files.values())


def test_mirror_files_match_pins():
    mirror = sources.default_mirror()
    for rel, digest in sources.all_files().items():
        assert sources.fetch(rel, mirror) == mirror / rel


def test_corrupted_mirror_file_stops_build_and_keeps_previous(mirror_copy, previous_build):
    victim = mirror_copy / sources.MERGES
    data = victim.read_bytes()
    victim.unlink()
    victim.write_bytes(data[:-10] + b"corrupted!")
    before = _sha(previous_build)

    result = _run_build(mirror_copy, previous_build)

    assert result.returncode != 0
    assert "merges.json" in result.stderr
    assert "SHA-256" in result.stderr and "bị hỏng" in result.stderr
    assert str(victim) in result.stderr  # where it looked
    assert "Cách xử lý" in result.stderr  # what to do
    assert _sha(previous_build) == before
    assert sorted(p.name for p in previous_build.parent.iterdir()) == [previous_build.name]


def test_missing_mirror_file_stops_build_and_keeps_previous(mirror_copy, previous_build):
    victim = mirror_copy / sources.POPULATION
    victim.unlink()
    before = _sha(previous_build)

    result = _run_build(mirror_copy, previous_build)

    assert result.returncode != 0
    assert "Thiếu tệp nguồn" in result.stderr and "08.json" in result.stderr
    assert str(victim) in result.stderr
    assert "raw.githubusercontent.com" in result.stderr  # the URL it would download from
    assert "--mirror" in result.stderr
    assert _sha(previous_build) == before


def test_download_cache_used_when_mirror_lacks_a_file(tmp_path, monkeypatch):
    """A verified copy in the download cache is used; a corrupted cached copy is not."""
    rel = sources.POPULATION
    real = sources.default_mirror() / rel
    monkeypatch.setattr(sources, "SOURCES_CACHE", tmp_path / "cache")
    cached = tmp_path / "cache" / rel
    cached.parent.mkdir(parents=True)
    shutil.copyfile(real, cached)
    assert sources.fetch(rel, mirror=tmp_path / "empty", offline=True) == cached
    cached.write_bytes(b"{}")
    with pytest.raises(sources.SourceError, match="Thiếu tệp nguồn"):
        sources.fetch(rel, mirror=tmp_path / "empty", offline=True)


def test_rebuild_is_idempotent(tmp_path, boundaries_gpkg):
    import pyogrio

    out = tmp_path / "again.gpkg"
    result = _run_build(sources.default_mirror(), out)
    assert result.returncode == 0, result.stderr
    for layer in ("communes", "communes_web", "border_cn"):
        a = pyogrio.read_dataframe(boundaries_gpkg, layer=layer)
        b = pyogrio.read_dataframe(out, layer=layer)
        assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))
        assert all(x.equals_exact(y, 0) for x, y in zip(a.geometry, b.geometry))
