"""One hostile corpus through every field that reaches an export, a sheet, a slide or a spreadsheet
(issue 15): route id, name and description; commune note, decision number and source; the source
of an import (revision and audit); slide titles; user names. Asserts: no script runs and no request
leaves the file in Chromium, no live formula in any spreadsheet, no crash of any PDF/PNG sheet.
(The app's own pages are covered with the same kind of payloads by tests/test_xss_app.py.)"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import replace

import pytest

from geo import audit, auth, demo, service
from geo.store import open_store

MARK = "window.__pwned"
CORPUS = [
    "<script>window.__pwned=1</script>",
    "</title><script>window.__pwned=2</script>",
    '"><img src=x onerror="window.__pwned=3">',
    "<svg onload=window.__pwned=4>",
    "javascript:window.__pwned=5",
    "![t](http://127.0.0.1:9/track.png) [x](javascript:window.__pwned=6)",
    "$\\frac{a}{$ 5$ giá",
    '=HYPERLINK("http://127.0.0.1:9/x","bấm")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "</script><script>window.__pwned=7</script>",
    "{{7*7}} ${7*7} %s \\u003c",
]
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
DAY = dt.date(2025, 12, 20)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, boundaries_gpkg):
    """A demo store whose routes, notes, decisions, sources, import source and slide titles carry
    the corpus. Route ids keep only characters a route id may have, plus quotes and tags."""
    path = tmp_path_factory.mktemp("hostile") / "app.db"
    store = open_store(path)
    demo.build_demo(store)
    routes = store.routes()
    new = [replace(r, name=f"{CORPUS[i % len(CORPUS)]} {r.name}", description=CORPUS[(i + 1) % len(CORPUS)])
           for i, r in enumerate(routes)]
    extra = replace(routes[0], id='R"<b>1</b>', name=CORPUS[1], description=CORPUS[5])
    service.put_routes(store, new + [extra], user="kiem-thu", reason="hostile corpus", source=CORPUS[7], demo=True)
    a = store.assessments(2025)
    codes = sorted(a)
    items = []
    for j, h in enumerate(CORPUS):
        x = a[codes[j * 3]]
        items.append(replace(x, note=h, source_ref=CORPUS[(j + 3) % len(CORPUS)],
                             decision_no=CORPUS[(j + 5) % len(CORPUS)] if x.drug_free else x.decision_no))
    service.import_assessments(store, 2025, items, user="kiem-thu", reason=CORPUS[2], source=CORPUS[8],
                               replace=False, demo=True)
    from geo.present import slides as slides_mod

    slides = [{"kind": "overview", "arg": None, "title": CORPUS[0]},
              {"kind": "route", "arg": extra.id, "title": CORPUS[1]},
              {"kind": "key", "arg": None, "title": CORPUS[2]},
              {"kind": "progress", "arg": None, "title": CORPUS[6]}]
    slides_mod.save_slides(store, slides, user="kiem-thu")
    yield {"store": store, "codes": [codes[j * 3] for j in range(len(CORPUS))],
           "routes": [r.id for r in new] + [extra.id], "slides": slides}
    store.close()


def _views(h):
    return (["overview", "key"] + [f"route:{rid}" for rid in h["routes"]]
            + [f"commune:{c}" for c in h["codes"][:4]])


def _executed_or_requested(browser, path, tmp_path):
    from tests.conftest import open_offline_file

    pg, attempts, errors, ctx = open_offline_file(
        browser, path, "() => document.readyState === 'complete' && "
                       "document.querySelectorAll('path.leaflet-interactive').length > 0")
    try:
        pwned = pg.evaluate(f"() => {MARK} === undefined ? null : String({MARK})")
        injected = pg.evaluate("() => document.querySelectorAll('img[src=\"x\"], svg[onload], "
                               "a[href^=\"javascript\"]').length")
    finally:
        ctx.close()
    return pwned, attempts, injected


@pytest.mark.slow
def test_html_exports_run_nothing_and_request_nothing(hostile, browser, tmp_path):
    from geo.export.html import export_view, write_html
    from geo.yearview import year_view

    yv = year_view(hostile["store"], 2025)
    for view in _views(hostile):
        doc = export_view(yv, view, lang="vi", date=DAY)
        assert "__pwned" in doc, f"{view}: the hostile text does not reach the export"
        out = write_html(tmp_path / f"{view.replace(':', '_').replace('/', '_')[:40]}.html", doc)
        pwned, attempts, injected = _executed_or_requested(browser, out, tmp_path)
        assert pwned is None, f"{view}: script ran ({pwned})"
        assert attempts == [], f"{view}: requests {attempts}"
        assert injected == 0, f"{view}: {injected} injected elements"


@pytest.mark.slow
def test_slides_run_nothing_and_request_nothing(hostile, browser, tmp_path):
    from geo.present.deck import slides_html

    page = slides_html(hostile["store"], 2025, hostile["slides"], lang="vi", date=DAY)
    assert "__pwned" in page
    out = tmp_path / "slides.html"
    out.write_text(page, encoding="utf-8")
    pwned, attempts, injected = _executed_or_requested(browser, out, tmp_path)
    assert (pwned, attempts, injected) == (None, [], 0)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["pdf", "png"])
def test_sheets_of_every_view_draw(hostile, tmp_path, fmt):
    from geo.export.sheet import write_sheet
    from geo.yearview import year_view

    yv = year_view(hostile["store"], 2025)
    for view in _views(hostile):
        out = write_sheet(tmp_path / f"s.{fmt}", fmt, yv, view, lang="vi", date=DAY, dpi=60)
        assert out.stat().st_size > 1000, view


def _cells(book):
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                yield ws.title, c


def _no_live_formula(data: bytes) -> int:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    n = 0
    for title, c in _cells(book):
        assert c.data_type != "f", f"{title}!{c.coordinate} is a formula: {c.value!r}"
        if isinstance(c.value, str):
            assert not c.value.startswith(FORMULA_LEAD), f"{title}!{c.coordinate}: {c.value!r}"
            n += "__pwned" in c.value or "HYPERLINK" in c.value or "calc" in c.value
    return n


def test_year_export_holds_the_text_and_no_formula(hostile, tmp_path):
    from geo.importer.template import export_year

    out = export_year(hostile["store"], 2025, tmp_path / "nam-2025.xlsx")
    assert _no_live_formula(out.read_bytes()) >= 5  # the hostile texts are there, as text


def test_key_communes_download_has_no_formula(hostile):
    import pandas as pd

    from ui.mapview import excel_bytes

    a = hostile["store"].assessments(2025)
    df = pd.DataFrame({"Mã": list(hostile["codes"]), "Ghi chú": [a[c].note for c in hostile["codes"]],
                       "Nguồn": [a[c].source_ref for c in hostile["codes"]]})
    assert _no_live_formula(excel_bytes(df, "Xa trong diem", False)) >= 5


def test_audit_csv_has_no_formula(hostile):
    text = audit.csv_bytes(hostile["store"]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 2
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_LEAD), cell


@pytest.mark.parametrize("name", CORPUS)
def test_hostile_user_names_are_refused_and_nothing_is_written(hostile, name):
    store = hostile["store"]
    before = (store.data_version(), len(store.audit_entries(limit=None)), len(store.users()))
    with pytest.raises(auth.AuthError):
        auth.add_user(store, name, "mot-mat-khau-dai-2025", "viewer", by="kiem-thu")
    assert (store.data_version(), len(store.audit_entries(limit=None)), len(store.users())) == before
