"""Commune names and symbols on the interactive maps, route labels in Vietnamese, the text style."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from geo.export.html import export_view
from geo.i18n import fmt_class_counts, fmt_datetime, fmt_dec, fmt_measure, fmt_points, fmt_pop
from geo.maps import labels, symbols
from geo.maps.routes import short_label
from geo.model import Route
from tests.map_inputs import make_frame, make_routes


@pytest.fixture(scope="module")
def inputs(boundaries_gpkg):
    routes = make_routes(xss=True)
    return make_frame(routes, xss=True), routes


def _marks(page: str) -> tuple[list, dict]:
    m = re.search(r"window\.tqMarks\.make\([^,]+, (\{.*?\}), (\{.*?\})\);", page, re.S)
    assert m, "no commune marks in the page"
    return labels.unpack_rows(json.loads(m.group(1))), json.loads(m.group(2))


def test_packed_rows_are_lossless(inputs):
    """The document carries the marks as columns (labels.pack_rows); unpacked they are the rows."""
    frame, _routes = inputs
    rows = labels.mark_rows(frame, always={str(frame["code"].iloc[3])})
    assert labels.unpack_rows(labels.pack_rows(rows)) == rows
    assert labels.unpack_rows(labels.pack_rows([])) == []


def test_route_labels_are_vietnamese_names_not_ids():
    border = Route(id="BIEN-GIOI", name="Tuyến biên giới Việt Nam – Trung Quốc (khu vực Hà Giang cũ)", kind="border")
    assert short_label(border) == "Biên giới Việt Nam"
    assert short_label(Route(id="QL2", name="Tuyến Quốc lộ 2 (cửa khẩu Thanh Thủy – TP Hà Giang – Tuyên Quang)")) == "Quốc lộ 2"
    assert short_label(Route(id="QL37-279", name="Tuyến Quốc lộ 37 – Tỉnh lộ 279 (Xã A – Xã B)")) == "Quốc lộ 37 – Tỉnh lộ 279"
    assert short_label(Route(id="X1", name="")) == "X1"


def test_overview_export_has_every_commune_symbol_once(inputs):
    frame, routes = inputs
    page = export_view(frame, routes, "overview", year=2025, date=dt.date(2026, 2, 4))
    rows, opts = _marks(page)
    assert page.count("window.tqMarks = ") == 1  # the placing script is declared once per document
    assert opts["names"] is True and opts["minZoom"] == labels.MIN_ZOOM
    by_code = {r[6]: r for r in rows}
    assert len(by_code) == len(frame) == 124
    for code, cat in zip(frame["code"], frame["category"]):
        assert by_code[str(code)][3] == cat
        # the row says only whether the commune has a symbol; the markup is written once per document
        assert by_code[str(code)][2] == (1 if symbols.symbol_html(cat) else 0)
    assert page.count("focusable") == 1  # the check mark's SVG written once per document
    assert not any(r[5] for r in rows)  # overview: names only from MIN_ZOOM on
    # every anchor lies inside its commune
    import shapely

    geoms = dict(zip(map(str, frame["code"]), frame.geometry.values))
    for r in rows:
        assert geoms[r[6]].contains(shapely.Point(r[1], r[0]))


def test_route_and_commune_views_always_name_their_communes(inputs):
    frame, routes = inputs
    page = export_view(frame, routes, f"route:{routes[0].id}", year=2025, date=dt.date(2026, 2, 4))
    rows, _ = _marks(page)
    assert rows and all(r[5] == 1 for r in rows)
    names = {r[4] for r in rows}
    assert len(names) == len(rows) and all(n for n in names)
    code = str(frame["code"].iloc[0])
    page = export_view(frame, routes, f"commune:{code}", year=2025, date=dt.date(2026, 2, 4))
    rows, _ = _marks(page)
    assert code in {r[6] for r in rows} and all(r[5] == 1 for r in rows)
    # the commune itself is placed first: its name wins over its (larger) neighbours'
    assert rows[0][6] == code, (rows[0][6], code)


def test_names_are_escaped(inputs):
    frame, routes = inputs
    f = frame.copy()
    f.loc[f.index[0], "name"] = "<img src=x onerror=alert(1)>"
    rows = labels.mark_rows(f, always={str(f["code"].iloc[0])})
    assert rows[0][4] == "&lt;img src=x onerror=alert(1)&gt;"


def test_matplotlib_symbols_and_hatches(inputs):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frame, _ = inputs
    fig, ax = plt.subplots()
    n = symbols.draw_symbols(ax, frame)
    assert n == sum(1 for c in frame["category"] if symbols.symbol(c))
    assert {t.get_text() for t in ax.texts} == {"✓", "I", "II", "III"}
    assert symbols.mpl_hatch("class_I") and symbols.mpl_hatch("no_data") and symbols.mpl_hatch("drug_free") is None
    plt.close(fig)


def test_text_style():
    assert fmt_points(8.2) == "+8,2 điểm phần trăm"
    assert fmt_points(-3.0) == "−3,0 điểm phần trăm"
    assert fmt_measure(80.0, "m") == "80 m" and fmt_measure(12.5, "m/px") == "12,5 m/px"
    assert fmt_dec(1234.0) == "1.234"
    assert fmt_pop(33100) == "33.100" and fmt_pop(505862) == "505.862"
    assert fmt_datetime("2026-02-04T07:30:00+00:00") == "04/02/2026 14:30"  # shown in Vietnam time
    assert fmt_datetime(dt.datetime(2026, 2, 4, 9, 5)) == "04/02/2026 09:05"
    assert fmt_datetime("không phải ngày") == "không phải ngày"
    assert "↑" not in fmt_class_counts({"I": 3, "II": 5, "III": 1})
    assert fmt_class_counts({"I": 3, "II": 5, "III": 1}) == "Loại I: 3 · Loại II: 5 · Loại III: 1"
