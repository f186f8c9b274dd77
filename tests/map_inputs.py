"""Plain inputs for the map and export tests: the real 124 communes with statuses set here
(deterministically, no store) and six routes drawn along the real road lines."""

from __future__ import annotations

import pytest

import datetime as dt

from geo import boundaries
from geo.model import CATEGORIES, Route

XSS_IMG = '<img src=x onerror=alert(1)><img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "<script>window.__xss=2</script>"
CLASS_OF = {"class_I": "I", "class_II": "II", "class_III": "III"}
ROUTE_REFS = ("QL2", "QL2C", "QL34", "QL37", "QL4C", "ĐT279")


def make_routes(xss: bool = True) -> list[Route]:
    roads = boundaries.layer("roads").set_index("ref")
    out = []
    for ref in ROUTE_REFS:
        row = roads.loc[ref]
        out.append(Route(id=ref, name=f"Tuyến {row['name']}", description="Tuyến minh họa",
                         geometry_wkt=row.geometry.wkt, half_width_km=2.0))
    if xss:
        out[1].name = "Tuyến " + XSS_SCRIPT + XSS_IMG
    return out


def make_frame(routes: list[Route] | None = None, xss: bool = True):
    """The status frame contract (subset the maps use), categories assigned by position."""
    import shapely
    from geo.maps.routes import corridor

    f = boundaries.communes(web=True)
    cats = [CATEGORIES[(i * 7) % len(CATEGORIES)] for i in range(len(f))]
    f["category"] = cats
    f["complexity_class"] = [CLASS_OF.get(c, "") for c in cats]
    f["drug_free"] = [c == "drug_free" for c in cats]
    f["decision_no"] = [f"{100 + i}/QĐ-UBND" if c == "drug_free" else "" for i, c in enumerate(cats)]
    f["decision_date"] = [dt.date(2025, 12, 15) if c == "drug_free" else None for c in cats]
    f["target_year"] = 2027
    f["note"] = ""
    route_ids, route_names = [], []
    routes = routes or []
    for g in f.geometry.values:
        hit = [r for r in routes if shapely.intersects(g, corridor(r))]
        route_ids.append([r.id for r in hit])
        route_names.append([r.name for r in hit])
    f["routes"] = route_ids
    f["route_names"] = route_names
    if xss:
        f.loc[0, "note"] = XSS_IMG + XSS_SCRIPT
        f.loc[1, "decision_no"] = XSS_SCRIPT
    return f


def category_counts(frame) -> dict[str, int]:
    counts = {c: 0 for c in CATEGORIES}
    for c in frame["category"]:
        counts[c] += 1
    return counts


# Shared fixtures of the map and export tests (a pytest plugin: see conftest.py).
@pytest.fixture(scope="module")
def routes(boundaries_gpkg):
    return make_routes()


@pytest.fixture(scope="module")
def frame(routes):
    return make_frame(routes)
