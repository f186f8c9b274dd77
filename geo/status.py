"""Status tables and KPIs from the store (used by every page and export; no streamlit).

Pure results are cached by the store's data version (corridor membership, the frames), so a page
rerun costs a dictionary lookup. Callers get copies.
"""

from __future__ import annotations

import functools
import threading

import geopandas as gpd
import pandas as pd

from . import boundaries
from .changes import CHANGES as CHANGE_KINDS
from .corridors import route_membership
from .model import (CLASSES, INDICATORS, YEARS, category, consistency_warnings, per_thousand,
                    share_pct)

GOAL_YEAR = YEARS[-1]
TARGET_PRIORITY = ("ministry", "province", "national")  # which target a year's KPI is measured against

_lock = threading.Lock()
_cache: dict = {}
_CACHE_MAX = 64


def _cached(key, fn):
    with _lock:
        if key in _cache:
            return _cache[key]
    val = fn()
    with _lock:
        if len(_cache) >= _CACHE_MAX:
            _cache.pop(next(iter(_cache)))
        _cache[key] = val
    return val


def _store_key(store) -> tuple:
    return (str(getattr(store, "path", id(store))), store.data_version())


@functools.lru_cache(maxsize=16)
def _membership(routes_sig: tuple, bpath: str, mtime: int) -> dict[str, tuple[str, ...]]:
    from .model import Route

    routes = [Route(id=i, name="", geometry_wkt=w, half_width_km=h) for i, w, h in routes_sig]
    return {c: tuple(v) for c, v in route_membership(routes, boundaries.communes(web=True)).items()}


def membership(routes) -> dict[str, tuple[str, ...]]:
    """{code: (route ids)} for the given routes, cached by (id, geometry, width) of each route."""
    from .paths import boundaries_path

    p = boundaries_path()
    sig = tuple((r.id, r.geometry_wkt, float(r.half_width_km)) for r in routes)
    return _membership(sig, str(p), p.stat().st_mtime_ns if p.exists() else 0)


def status_frame(store, year: int) -> gpd.GeoDataFrame:
    """The 124 web communes joined with ``year``'s assessments (see module docs for the columns)."""
    return _cached(("frame", *_store_key(store), year), lambda: _status_frame(store, year)).copy()


def _status_frame(store, year: int) -> gpd.GeoDataFrame:
    gdf = boundaries.communes(web=True)
    assessments = store.assessments(year)
    routes = store.routes(year)
    names = {r.id: r.name for r in routes}
    member = membership(routes)
    rows = []
    for code, pop in zip(gdf["code"], gdf["population"]):
        a = assessments.get(code)
        rids = list(member.get(code, ()))
        row = {"category": category(a), "routes": rids, "route_names": [names[r] for r in rids]}
        if a is None:
            row.update(complexity_class="", drug_free=False, decision_no="", decision_date=None,
                       target_year=None, note="", source_ref="", warnings=[],
                       **{k: None for k in INDICATORS}, addicts_users_per_1000=None, offenders_per_1000=None)
        else:
            row.update(complexity_class=a.complexity_class, drug_free=a.drug_free, decision_no=a.decision_no,
                       decision_date=a.decision_date, target_year=a.target_year, note=a.note,
                       source_ref=a.source_ref, warnings=consistency_warnings(a, int(pop), bool(rids)),
                       **{k: getattr(a, k) for k in INDICATORS},
                       addicts_users_per_1000=per_thousand(a.addicts + a.users, int(pop)),
                       offenders_per_1000=per_thousand(a.offenders, int(pop)))
        rows.append(row)
    extra = pd.DataFrame(rows, index=gdf.index)
    for k in INDICATORS:
        extra[k] = extra[k].astype("Float64" if k == "plant_area_m2" else "Int64")
    extra["target_year"] = extra["target_year"].astype("Int64")
    for k in ("addicts_users_per_1000", "offenders_per_1000"):
        extra[k] = extra[k].astype(float)
    cols = ["code", "name", "short_name", "kind", "population", "area_km2", "old_province", "former_districts"]
    out = pd.concat([gdf[cols], extra, gdf[["geometry"]]], axis=1)
    out["year"] = year
    return gpd.GeoDataFrame(out, geometry="geometry", crs=gdf.crs)


def _targets_by_year(store) -> dict[int, dict[str, object]]:
    out: dict[int, dict[str, object]] = {}
    for t in store.targets():
        out.setdefault(t.year, {})[t.scope] = t
    return out


def year_target(store, year: int, total: int):
    """(scope, share %, units) of the target ``year`` is measured against, or (None, None, None)."""
    ts = _targets_by_year(store).get(year, {})
    for scope in TARGET_PRIORITY:
        t = ts.get(scope)
        if t is not None:
            units = t.required_units(total)
            pct = t.share_pct if t.share_pct is not None else share_pct(units, total)
            return scope, float(pct), units
    return None, None, None


def goal_units(store, total: int) -> int:
    """Units the province's 2030 goal requires (100 % by default)."""
    t = _targets_by_year(store).get(GOAL_YEAR, {}).get("province")
    return t.required_units(total) if t is not None else total


def kpis(store, year: int) -> dict:
    return dict(_cached(("kpis", *_store_key(store), year), lambda: _kpis(store, year)))


def _kpis(store, year: int) -> dict:
    a = store.assessments(year)
    total = len(boundaries.commune_table())
    drug_free = sum(1 for x in a.values() if x.drug_free)
    key = [x for x in a.values() if not x.drug_free and x.is_key]
    by_class = {c: sum(1 for x in key if x.complexity_class == c) for c in CLASSES}
    by_cat = {c: 0 for c in ("drug_free", "class_I", "class_II", "class_III", "other")}
    for x in a.values():
        by_cat[category(x)] += 1
    by_cat["no_data"] = total - len(a)
    share = share_pct(drug_free, total)
    scope, tpct, tunits = year_target(store, year, total)
    goal = goal_units(store, total)
    need_2030 = max(0, goal - drug_free)
    remaining = [y for y in YEARS if y > year]
    per_year = []
    if remaining:
        base, extra = divmod(need_2030, len(remaining))
        per_year = [{"year": y, "needed": base + (1 if i < extra else 0)} for i, y in enumerate(remaining)]
    return {
        "year": year,
        "total_units": total,
        "with_data": len(a),
        "drug_free": drug_free,
        "share_pct": share,
        "target_scope": scope,
        "target_pct": tpct,
        "target_units": tunits,
        "target": None if scope is None else {"scope": scope, "share_pct": tpct, "units": tunits},
        "diff_points": None if tpct is None else round(share - tpct, 10),
        "key_count": len(key),
        "by_class": by_class,
        "by_category": by_cat,
        "routes_count": len(store.routes(year)),
        "needed_for_target": None if tunits is None else max(0, tunits - drug_free),
        "goal_2030_units": goal,
        "needed_for_2030": need_2030,
        "per_year_needed": per_year,
        "demo": store.is_demo(year),
    }


def progress(store) -> pd.DataFrame:
    """One row per year 2025–2030: has_data, drug_free, share_pct and the targets by scope (in %)."""
    total = len(boundaries.commune_table())
    tby = _targets_by_year(store)
    have = set(store.years())
    rows = []
    for y in YEARS:
        a = store.assessments(y) if y in have else {}
        n = sum(1 for x in a.values() if x.drug_free)
        row = {"year": y, "has_data": bool(a), "drug_free": n if a else None,
               "share_pct": share_pct(n, total) if a else None}
        for scope in ("ministry", "national", "province"):
            t = tby.get(y, {}).get(scope)
            row[f"target_{scope}_pct"] = (None if t is None else
                                          t.share_pct if t.share_pct is not None else share_pct(t.count, total))
        rows.append(row)
    df = pd.DataFrame(rows)
    for c in ("share_pct", "target_ministry_pct", "target_national_pct", "target_province_pct"):
        df[c] = df[c].astype(float)
    df["drug_free"] = df["drug_free"].astype("Int64")
    return df


def changes(store, year_a: int, year_b: int) -> pd.DataFrame:
    """Per commune between two years (:mod:`geo.changes`): category in each, the main change kind
    (``change``, recognition first, then key status) and one boolean column per kind."""
    from .changes import change_frame

    cf = change_frame(status_frame(store, year_a), status_frame(store, year_b))
    out = pd.DataFrame({"code": cf["code"], "name": cf["name"], "short_name": cf["short_name"],
                        "category_a": cf["category_before"].fillna("no_data"), "category_b": cf["category"],
                        "change": cf["change"], "has_data": cf["has_data"]})
    for kind in CHANGE_KINDS:
        out[kind] = [kind in lst for lst in cf["changes"]] if kind != "unchanged" else cf["change"] == "unchanged"
    return out.reset_index(drop=True)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
    _membership.cache_clear()


def route_summary(store, year: int) -> pd.DataFrame:
    """Per route in force in ``year``: length, communes crossed and their status, population."""
    from shapely import wkt as _wkt

    from .corridors import METRIC_CRS

    frame = status_frame(store, year)
    rows = []
    for r in store.routes(year):
        on = frame[[r.id in (rs or []) for rs in frame["routes"]]]
        line = gpd.GeoSeries([_wkt.loads(r.geometry_wkt)], crs="EPSG:4326").to_crs(METRIC_CRS)
        cats = on["category"].value_counts().to_dict()
        rows.append({
            "id": r.id, "name": r.name, "kind": r.kind, "half_width_km": r.half_width_km,
            "length_km": round(float(line.length.iloc[0]) / 1000, 1), "communes": len(on),
            "drug_free": int(cats.get("drug_free", 0)),
            "key": int(sum(cats.get(f"class_{c}", 0) for c in CLASSES)),
            "class_I": int(cats.get("class_I", 0)), "class_II": int(cats.get("class_II", 0)),
            "class_III": int(cats.get("class_III", 0)), "other": int(cats.get("other", 0)),
            "no_data": int(cats.get("no_data", 0)),
            "population": int(on["population"].sum()),
        })
    return pd.DataFrame(rows)
