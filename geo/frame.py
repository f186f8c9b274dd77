"""The status frame of one year: the 124 communes (web geometry) joined with the year's
assessments and route membership. Pure; :mod:`geo.yearview` calls it once per (store, data
version, year).

Columns: ``code, name, short_name, kind, population, area_km2, old_province, former_districts``
(boundaries), ``category`` (geo.model.category), ``key`` (geo.model.is_key), ``routes``/``route_names``
(routes in force crossing it), ``complexity_class, drug_free, decision_no, decision_date,
target_year, note, source_ref, warnings``, the indicators, the two ratios per 1000 residents,
``year`` and ``geometry`` (EPSG:4326, web geometry).
"""

from __future__ import annotations

from typing import Mapping

import geopandas as gpd
import pandas as pd

from .model import INDICATORS, Assessment, category, consistency_warnings, is_key, per_thousand


def build_frame(communes: gpd.GeoDataFrame, assessments: Mapping[str, Assessment], routes, membership,
                year: int) -> gpd.GeoDataFrame:
    """The communes (web geometry) joined with ``year``'s assessments and route membership."""
    names = {r.id: r.name for r in routes}
    rows = []
    for code, pop in zip(communes["code"], communes["population"]):
        a = assessments.get(code)
        rids = list(membership.get(str(code), ()))
        row = {"category": category(a), "key": is_key(a), "routes": rids, "route_names": [names[r] for r in rids]}
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
    extra = pd.DataFrame(rows, index=communes.index)
    for k in INDICATORS:
        extra[k] = extra[k].astype("Float64" if k == "plant_area_m2" else "Int64")
    extra["target_year"] = extra["target_year"].astype("Int64")
    for k in ("addicts_users_per_1000", "offenders_per_1000"):
        extra[k] = extra[k].astype(float)
    cols = ["code", "name", "short_name", "kind", "population", "area_km2", "old_province", "former_districts"]
    out = pd.concat([communes[cols], extra, communes[["geometry"]]], axis=1)
    out["year"] = year
    return gpd.GeoDataFrame(out, geometry="geometry", crs=communes.crs)
