"""The one loader for the built boundary GeoPackage. Pages never read files themselves.

Layers are read once per process and kept (keyed by the file's path and modification time, so a
rebuild is picked up without a restart). Callers get copies they may modify freely.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from .config import boundaries_path

LAYERS = ("communes", "communes_web", "province", "province_web", "old_provinces", "border_cn",
          "border_cn_web", "roads", "former_districts", "former_districts_web")


class BoundariesMissing(RuntimeError):
    """The GeoPackage has not been built yet."""


def _stamp(path: Path) -> tuple[str, int]:
    if not path.is_file():
        raise BoundariesMissing(
            f"Chưa có dữ liệu ranh giới ({path}). Chạy `python -m geo data` (hoặc `make run`) để dựng.")
    return str(path), path.stat().st_mtime_ns


@functools.lru_cache(maxsize=32)
def _read(path: str, mtime: int, layer: str) -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(path, layer=layer)


@functools.lru_cache(maxsize=4)
def _meta(path: str, mtime: int) -> dict[str, str]:
    df = pyogrio.read_dataframe(path, layer="meta", read_geometry=False)
    return dict(zip(df["key"], df["value"]))


def layer(name: str, path: Path | None = None) -> gpd.GeoDataFrame:
    """A copy of one layer of the built GeoPackage."""
    if name not in LAYERS:
        raise KeyError(f"unknown layer {name!r}")
    return _read(*_stamp(Path(path or boundaries_path())), name).copy()


def communes(web: bool = True, path: Path | None = None) -> gpd.GeoDataFrame:
    """The 124 units, sorted by code; ``web=True`` gives the simplified geometry for maps."""
    gdf = layer("communes_web" if web else "communes", path)
    return gdf.sort_values("code").reset_index(drop=True)


def commune_table(path: Path | None = None) -> pd.DataFrame:
    """The 124 units' attributes without geometry (code, name, short_name, kind, population, …)."""
    return pd.DataFrame(communes(True, path).drop(columns="geometry"))


def former_district_names(path: Path | None = None) -> list[str]:
    """The pre-2025 districts the units' ``former_districts`` name (the Overview's filter), sorted."""
    return list(_former_districts(*_stamp(Path(path or boundaries_path()))))


@functools.lru_cache(maxsize=4)
def _former_districts(path: str, mtime: int) -> tuple[str, ...]:
    names = set()
    for v in _read(path, mtime, "communes_web")["former_districts"]:
        names.update(split_districts(v))
    return tuple(sorted(names))


def split_districts(value) -> set[str]:
    """The former districts a unit's ``former_districts`` value names ("Huyện A; Huyện B")."""
    return {x.strip() for x in str(value).split(";") if x.strip()}


def former_units(code: str, path: Path | None = None) -> list[dict]:
    """The pre-2025 communes a unit was formed from: [{code, name, type, district}]."""
    row = commune_table(path).set_index("code").loc[code]
    return json.loads(row["former_units"])


def meta(path: Path | None = None) -> dict[str, str]:
    """Build metadata: built_at, tolerance_m, max_displacement_m, attribution, …"""
    return dict(_meta(*_stamp(Path(path or boundaries_path()))))


def clear_cache() -> None:
    _read.cache_clear()
    _meta.cache_clear()
    _former_districts.cache_clear()
