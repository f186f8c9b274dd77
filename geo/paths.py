"""Where things live. Every generated file goes under the git-ignored data/ folders."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
BOUNDARIES_DIR = DATA_DIR / "boundaries"
BOUNDARIES_GPKG = BOUNDARIES_DIR / "tuyen_quang_2025.gpkg"

# The built GeoPackage's path (TQMAP_BOUNDARIES may override it) is geo.config.boundaries_path().
