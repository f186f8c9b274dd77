"""One source of truth: every surface built from one year view shows the same counts.

Surfaces: the KPI dict, the legend (overview and key map, app and export), the key map's
highlighted communes, the change map, the HTML export (legend parsed from the page), the PDF sheet
(pdftotext) and the route summary. Fixtures:

- ``demo_store``: a real SQLite store holding the demo set (35 drug-free, 71 key, 18 other);
- ``contra``: the demo year with ONE commune both recognised drug-free and class I. The store
  refuses it (shown by ``test_store_refuses_the_contradiction``), so it is served by a small
  in-memory store: every surface must say 36 drug-free and 70 key (the old key map said 71);
- ``subtle``: a year where counts differ between surfaces in small ways if a surface used its own
  rule: a commune without an assessment (no data), a class III commune not on any route, a route
  that ended the year before (not drawn, not counted), demo routes over real statuses.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import shutil
import subprocess

import pytest

from geo import status, yearview
from geo.demo import build_demo, demo_data
from geo.export import html as export_html
from geo.export.sheet import write_sheet
from geo.maps import compact, style, views
from geo.maps.demo_mark import demo_suffix, demo_text
from geo.model import (CATEGORIES, DEFAULT_TARGETS, KEY_CATEGORIES, Assessment, DemoFlags, Route, category,
                       contradiction, is_key)
from geo.store import StoreError, open_store

DATE = dt.date(2026, 2, 4)


class MemStore:
    """The read side of the Store interface, in memory (for states the real store refuses)."""

    def __init__(self, years: dict[int, dict[str, Assessment]], routes, targets, demo: DemoFlags, url: str):
        self._years, self._routes, self._targets, self._demo = years, list(routes), list(targets), demo
        self.url, self.version = url, 1

    def data_version(self) -> int:
        return self.version

    def years(self) -> list[int]:
        return sorted(y for y, a in self._years.items() if a)

    def assessments(self, year: int) -> dict[str, Assessment]:
        return dict(self._years.get(year, {}))

    def routes(self, year: int | None = None) -> list[Route]:
        return [r for r in self._routes if year is None or r.in_force(year)]

    def targets(self):
        return list(self._targets)

    def demo_flags(self, year: int | None = None) -> DemoFlags:
        return self._demo


@pytest.fixture(scope="module")
def demo_set(boundaries_gpkg):
    return demo_data()


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, boundaries_gpkg):
    s = open_store(tmp_path_factory.mktemp("surfaces") / "app.db")
    build_demo(s)
    yield s
    s.close()


def _contradictory(items: list[Assessment]) -> tuple[dict[str, Assessment], str]:
    by_code = {a.code: copy.deepcopy(a) for a in items}
    code = sorted(c for c, a in by_code.items() if a.complexity_class == "I")[0]
    a = by_code[code]
    a.drug_free, a.decision_no, a.decision_date = True, "1/QĐ-UBND", dt.date(2025, 12, 1)
    assert contradiction(a) and not is_key(a) and category(a) == "drug_free"
    return by_code, code


@pytest.fixture(scope="module")
def contra(demo_set):
    routes, years, targets = demo_set
    by_code, code = _contradictory(years[2025])
    store = MemStore({2025: by_code}, routes, [*DEFAULT_TARGETS, *targets], DemoFlags(True, True, False),
                     "mem://contra")
    return store, code


@pytest.fixture(scope="module")
def subtle(demo_set):
    """2026: statuses real (flag), one commune without data, one route that ended in 2025."""
    routes, years, targets = demo_set
    items = {a.code: copy.deepcopy(a) for a in years[2026]}
    gone = sorted(items)[5]
    del items[gone]
    routes = [copy.deepcopy(r) for r in routes]
    ended = next(r for r in routes if r.id == "QL34")
    ended.year_to = 2025
    store = MemStore({2026: items, 2025: {a.code: a for a in years[2025]}}, routes, [*DEFAULT_TARGETS, *targets],
                     DemoFlags(statuses=False, routes=True, targets=False), "mem://subtle")
    return store, gone


def _legend(text: str, escaped: bool) -> dict[str, int]:
    q = r'\\"' if escaped else '"'
    return {k: int(n) for k, n in re.findall(rf'data-key={q}([\w:-]+){q} data-count={q}(\d+){q}', text)}


def _communes(page: str) -> dict[str, dict]:
    assert 'window.tqGeo.make("communes", ' in page, "commune layer not found"
    return {f[2]["code"]: f[2] for f in compact.layer_features(page, "communes")}


def _pdf_text(path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed: .ci/run installs it"
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def _surfaces(yv, tmp_path) -> dict[str, dict[str, int]]:
    """Counts per category (and key total) as each surface shows them."""
    out = {}
    k = yv.kpis
    out["kpis"] = {**{c: k["by_category"][c] for c in CATEGORIES}, "key": k["key_count"]}
    out["yearview"] = {**yv.counts, "key": len(yv.key_codes)}
    # the key-communes table's rows (status-frame column ``key``, geo.model.is_key)
    assert set(yv.frame.loc[yv.frame["key"].astype(bool), "code"].astype(str)) == set(yv.key_codes)
    ov = views.view_map(yv, "overview", app=True)
    leg = _legend(ov.legend_html, escaped=False)
    out["legend_app"] = {**{c: leg[c] for c in CATEGORIES}, "key": sum(leg[c] for c in KEY_CATEGORIES)}
    km = views.view_map(yv, "key", app=False)
    page = km.map.get_root().render()
    kleg = _legend(page, escaped=True)
    lit = {c for c, p in _communes(page).items() if p["st"].get("fillOpacity") != style.FADED["fillOpacity"]}
    out["key_map"] = {c: kleg[c] for c in KEY_CATEGORIES}
    out["key_map"]["key"] = len(lit)
    out["key_map"]["key_legend_total"] = kleg["total"]
    assert lit == set(yv.key_codes)
    page = export_html.export_view(yv, "overview", lang="vi", date=DATE)
    hleg = _legend(page, escaped=True)
    out["html_export"] = {**{c: hleg[c] for c in CATEGORIES}, "key": sum(hleg[c] for c in KEY_CATEGORIES)}
    empty = yearview.from_frame(yv.frame.assign(category="no_data"), list(yv.routes), yv.year)
    ch = views.change_view_map(empty, yv, app=False)
    out["change_map"] = {"drug_free": ch.counts["newly_recognised"], "key": ch.counts["newly_key"]}
    pdf = write_sheet(tmp_path / "sheet.pdf", "pdf", yv, "overview", date=DATE)
    text = _pdf_text(pdf)
    out["pdf"] = {c: int(re.search(re.escape(views.category_label(c, "vi")) + r": (\d+)", text).group(1))
                  for c in CATEGORIES if re.search(re.escape(views.category_label(c, "vi")) + r": \d+", text)}
    out["pdf"]["key"] = int(re.search(r"Xã trọng điểm phức tạp (\d+)", text).group(1))
    return out


def _assert_same(s: dict[str, dict[str, int]]):
    ref = s["kpis"]
    for name, got in s.items():
        for c, n in got.items():
            if c in ref:
                assert n == ref[c], f"{name}: {c} = {n}, KPI says {ref[c]}"
    assert s["key_map"]["key_legend_total"] == ref["key"]
    assert s["change_map"] == {"drug_free": ref["drug_free"], "key": ref["key"]}


def test_demo_store_same_counts_everywhere(demo_store, tmp_path):
    yv = yearview.year_view(demo_store, 2025)
    s = _surfaces(yv, tmp_path)
    _assert_same(s)
    assert s["kpis"]["drug_free"] == 35 and s["kpis"]["key"] == 71 and s["kpis"]["other"] == 18
    assert set(s["pdf"]) - {"key"} == {c for c in CATEGORIES if s["kpis"][c]}  # the sheet lists what is shown
    # the route summary and the route map agree with the membership of the year view
    summary = status.route_summary(yv).set_index("id")
    for r in yv.routes:
        res = views.view_map(yv, f"route:{r.id}", app=True)
        leg = _legend(res.legend_html, escaped=False)
        assert leg["total"] == summary.loc[r.id, "communes"] == len(yv.on_route(r.id))
        assert sum(leg[c] for c in KEY_CATEGORIES) == summary.loc[r.id, "key"]


def test_contradictory_commune_counts_once_everywhere(contra, tmp_path):
    store, code = contra
    yv = yearview.build(store, 2025)
    s = _surfaces(yv, tmp_path)
    _assert_same(s)
    assert s["kpis"]["drug_free"] == 36 and s["kpis"]["key"] == 70 and s["kpis"]["class_I"] == 11
    assert code not in yv.key_codes  # the old key map highlighted it (71 against 70)
    assert yv.frame.set_index("code").loc[code, "category"] == "drug_free"


def test_subtle_differences_agree(subtle, tmp_path):
    store, gone = subtle
    yv = yearview.build(store, 2026)
    s = _surfaces(yv, tmp_path)
    _assert_same(s)
    assert s["kpis"]["no_data"] == 1 and yv.frame.set_index("code").loc[gone, "category"] == "no_data"
    assert yv.kpis["routes_count"] == 5 and "QL34" not in {r.id for r in yv.routes}
    assert all("QL34" not in rs for rs in yv.membership.values())
    # demo per item: real statuses under demo routes say exactly that, everywhere
    assert demo_text(yv.demo, "vi") == ("Trạng thái các xã: số liệu thật; tuyến trọng điểm: MINH HỌA; "
                                        "chỉ tiêu: số liệu thật.")
    assert demo_suffix(yv.demo) == "_tuyen-minh-hoa"
    page = export_html.export_view(yv, "overview", lang="vi", date=DATE)
    decoded = page.replace("\\u003c", "<").replace("\\u003e", ">")
    assert "tuyến trọng điểm: MINH HỌA" in decoded and "DỮ LIỆU MINH HỌA" not in decoded
    text = _pdf_text(write_sheet(tmp_path / "s.pdf", "pdf", yv, "overview", date=DATE))
    assert "tuyến trọng điểm: MINH HỌA" in text and "DỮ LIỆU MINH HỌA" not in text


def test_store_refuses_the_contradiction(tmp_path, boundaries_gpkg, demo_set):
    """The store (geo/store, other owner) refuses a commune both drug-free and classed, with a
    located Vietnamese message, and the file stays byte-identical."""
    from tests.conftest import db_hash

    s = open_store(tmp_path / "app.db")
    _routes, years, _ = demo_set
    s.replace_year(2025, years[2025], user="u", reason="r")
    by_code, code = _contradictory(years[2025])
    before = db_hash(tmp_path / "app.db")
    with pytest.raises(StoreError, match=code):
        s.upsert_assessments(2025, [by_code[code]], user="u", reason="r")
    assert db_hash(tmp_path / "app.db") == before
    s.close()


def test_year_view_cached_per_version_and_invalidated(tmp_path, boundaries_gpkg):
    s = open_store(tmp_path / "a.db")
    yearview.invalidate()
    a = yearview.year_view(s, 2025)
    assert yearview.year_view(s, 2025) is a
    code = a.codes[0]
    s.upsert_assessments(2025, [Assessment(code, 2025, drug_free=True, decision_no="1/QĐ")], user="u", reason="r")
    b = yearview.year_view(s, 2025)  # new data version: rebuilt
    assert b is not a and b.kpis["drug_free"] == 1 and a.kpis["drug_free"] == 0
    assert status.kpis(s, 2025)["drug_free"] == 1 and status.status_frame(s, 2025) is not b.frame
    yearview.invalidate()
    assert yearview.year_view(s, 2025) is not b
    with pytest.raises(TypeError):
        b.kpis["drug_free"] = 5  # read-only
    s.close()


def test_year_view_pickles(demo_store):
    import pickle

    yv = yearview.year_view(demo_store, 2025)
    back = pickle.loads(pickle.dumps(yv))
    assert dict(back.kpis) == dict(yv.kpis) and back.demo == yv.demo and len(back.frame) == 124
    assert back.key_codes == yv.key_codes and dict(back.membership) == dict(yv.membership)


def test_core_layers_import_no_map_or_ui_code():
    """geo.model, geo.yearview, geo.status and geo.changes sit under the maps and exporters."""
    import sys

    from geo.paths import REPO_ROOT

    code = ("import sys, geo.model, geo.yearview, geo.status, geo.changes; "
            "bad = sorted(m for m in sys.modules if m.startswith(('geo.maps', 'geo.export', 'folium', "
            "'streamlit', 'matplotlib', 'ui'))); print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=REPO_ROOT).stdout.strip()
    assert out == ""
