"""Where things live. Every generated file goes under the git-ignored data/ folders."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
BOUNDARIES_DIR = DATA_DIR / "boundaries"
BOUNDARIES_GPKG = BOUNDARIES_DIR / "tuyen_quang_2025.gpkg"


def boundaries_path() -> Path:
    """The built GeoPackage; ``TQMAP_BOUNDARIES`` overrides it (tests build into a temp folder)."""
    return Path(os.environ.get("TQMAP_BOUNDARIES", BOUNDARIES_GPKG))
