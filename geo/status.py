"""Status tables from the year view (no streamlit; no cache of its own).

:func:`build_frame` (re-exported from :mod:`geo.frame`) is the pure builder of a year's status
frame; :mod:`geo.yearview` calls it once per (store, data version, year). The other functions are
thin wrappers kept for callers that hold a store: they read :func:`geo.yearview.year_view` and
return copies.

Status frame columns: ``code, name, short_name, kind, population, area_km2, old_province,
former_districts`` (boundaries), ``category`` (geo.model.category), ``key`` (geo.model.is_key),
``routes``/``route_names`` (routes in force crossing it), ``complexity_class, drug_free,
decision_no, decision_date, target_year, note, source_ref, warnings``, the indicators, the two
ratios per 1000 residents, ``year`` and ``geometry`` (EPSG:4326, web geometry).
"""

from __future__ import annotations


import geopandas as gpd
import pandas as pd

from .changes import CHANGES as CHANGE_KINDS
from .frame import build_frame  # noqa: F401  (kept for callers)
from .model import (CLASSES, GOAL_YEAR, INDICATORS, KEY_CATEGORIES, TARGET_PRIORITY, TARGET_SCOPES,  # noqa: F401
                    YEARS, Assessment, category, consistency_warnings, goal_units as _goal_units, is_key,
                    per_thousand, share_pct, target_pct, targets_by_year, year_target as _year_target)


def _yv(store, year: int):
    from .yearview import year_view

    return year_view(store, year)


def status_frame(store, year: int) -> gpd.GeoDataFrame:
    """A copy of the year view's frame (prefer ``year_view(store, year).frame``, read-only)."""
    return _yv(store, year).frame.copy()


def kpis(store, year: int) -> dict:
    """A copy of the year view's KPIs (:func:`geo.model.year_kpis`)."""
    from .yearview import kpis_copy

    return kpis_copy(_yv(store, year))


def year_target(store, year: int, total: int):
    """(scope, share %, units) of the target ``year`` is measured against, or (None, None, None)."""
    return _year_target(store.targets(), year, total)[1:]


def goal_units(store, total: int) -> int:
    """Units the province's 2030 goal requires (100 % by default)."""
    return _goal_units(store.targets(), total)


def progress(store) -> pd.DataFrame:
    """One row per year 2025–2030: has_data, drug_free, share_pct and the targets by scope (in %).

    Years with data read their year view (the same KPIs as every other surface)."""
    have = set(store.years())
    targets = store.targets()
    tby = targets_by_year(targets)
    total = None
    rows = []
    for y in YEARS:
        k = _yv(store, y).kpis if y in have else None
        if k is not None:
            total = k["total_units"]
        rows.append({"year": y, "k": k})
    if total is None:
        from . import boundaries

        total = len(boundaries.commune_table())
    out = []
    for r in rows:
        y, k = r["year"], r["k"]
        row = {"year": y, "has_data": k is not None and k["with_data"] > 0,
               "drug_free": k["drug_free"] if k else None, "share_pct": k["share_pct"] if k else None}
        for scope in TARGET_SCOPES:
            row[f"target_{scope}_pct"] = target_pct(tby.get(y, {}).get(scope), total)
        out.append(row)
    df = pd.DataFrame(out)
    for c in ("share_pct", "target_ministry_pct", "target_national_pct", "target_province_pct"):
        df[c] = df[c].astype(float)
    df["drug_free"] = df["drug_free"].astype("Int64")
    return df


def changes_of(yv_a, yv_b) -> pd.DataFrame:
    """Per commune between two year views (:mod:`geo.changes`): category in each, the main change
    kind (``change``) and one boolean column per kind."""
    from .changes import change_frame

    cf = change_frame(yv_a.frame, yv_b.frame)
    out = pd.DataFrame({"code": cf["code"], "name": cf["name"], "short_name": cf["short_name"],
                        "category_a": cf["category_before"].fillna("no_data"), "category_b": cf["category"],
                        "change": cf["change"], "has_data": cf["has_data"]})
    for kind in CHANGE_KINDS:
        out[kind] = [kind in lst for lst in cf["changes"]] if kind != "unchanged" else cf["change"] == "unchanged"
    return out.reset_index(drop=True)


def changes(store, year_a: int, year_b: int) -> pd.DataFrame:
    """:func:`changes_of` the two years' views."""
    return changes_of(_yv(store, year_a), _yv(store, year_b))


def clear_cache() -> None:
    """Kept for old callers: the one invalidation is :func:`geo.yearview.invalidate`."""
    from .yearview import invalidate

    invalidate()


def route_length_km(route) -> float:
    from shapely import wkt as _wkt

    from .crs import METRIC_CRS, WGS84

    line = gpd.GeoSeries([_wkt.loads(route.geometry_wkt)], crs=WGS84).to_crs(METRIC_CRS)
    return round(float(line.length.iloc[0]) / 1000, 1)


def route_figures(yv, route) -> dict:
    """One route's figures in a year view: communes crossed, by category, key, drug-free, population."""
    from .model import count_categories, key_count

    on = yv.on_route(route.id)
    sel = yv.frame[yv.frame["code"].astype(str).isin(on)]
    cats = count_categories(sel["category"])
    return {
        "id": route.id, "name": route.name, "kind": route.kind, "half_width_km": route.half_width_km,
        "length_km": route_length_km(route), "communes": len(sel),
        "drug_free": cats["drug_free"], "key": key_count(cats),
        "class_I": cats["class_I"], "class_II": cats["class_II"], "class_III": cats["class_III"],
        "other": cats["other"], "no_data": cats["no_data"],
        "population": int(sel["population"].sum()),
    }


def route_summary(store_or_yv, year: int | None = None) -> pd.DataFrame:
    """Per route in force: length, communes crossed and their status, population.

    ``route_summary(yv)`` (a YearView) or, for old callers, ``route_summary(store, year)``."""
    yv = store_or_yv if year is None else _yv(store_or_yv, year)
    return pd.DataFrame([route_figures(yv, r) for r in yv.routes])
