"""Status import on real files and a real SQLite store: every bad input is reported with its place
and leaves the database byte-identical."""

import csv
import datetime as dt
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.importer import import_status, write_template
from geo.importer.encoding import unicode_to_tcvn3, unicode_to_vni
from geo.importer.template import DATA_SHEET, FIRST_ROW
from geo.store import open_store
from tests.conftest import db_hash

HEADERS = ["Mã xã", "Tên xã/phường", "Năm", "Không ma túy (Có/Không)", "Số quyết định công nhận",
           "Ngày quyết định (dd/mm/yyyy)", "Loại trọng điểm (I/II/III)", "Người nghiện có hồ sơ quản lý"]




@pytest.fixture()
def store(tmp_db, boundaries_gpkg):
    s = open_store(tmp_db)
    yield s
    s.close()


def xlsx(path, rows, headers=HEADERS, title_rows=0, merge=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Dữ liệu"
    for _ in range(title_rows):
        ws.append(["Tiêu đề"])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def csv_file(path, rows, headers=HEADERS, encoding="utf-8-sig", delimiter=","):
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f, delimiter=delimiter)
        w.writerow(headers)
        w.writerows(rows)
    return path


def assert_rejected(rep, store, before, *, sheet=None, row=None, column=None, text=""):
    assert rep.errors, rep
    assert not rep.stored
    hit = [e for e in rep.errors if text in e.message + e.suggestion
           and (row is None or e.row == row) and (column is None or e.column == column)
           and (sheet is None or e.sheet == sheet)]
    assert hit, str(rep)
    assert db_hash(store.path) == before
    return hit[0]


GOOD = [["02269", "Xã Thượng Lâm", 2025, "Có", "12/QĐ-UBND", "04/02/2025", "", 0],
        ["00694", "Phường Hà Giang 1", 2025, "Không", "", "", "II", 40]]


def test_good_xlsx_and_csv_are_stored(store, tmp_path):
    rep = import_status(xlsx(tmp_path / "a.xlsx", GOOD), 2025, store, user="t", dry_run=True)
    assert rep.ok and rep.accepted == 2 and rep.changed == 2 and not rep.stored
    assert store.assessments(2025) == {}
    rep = import_status(tmp_path / "a.xlsx", 2025, store, user="t", dry_run=False)
    assert rep.ok and rep.stored, rep
    got = store.assessments(2025)
    assert got["02269"].drug_free and got["02269"].decision_date == dt.date(2025, 2, 4)
    assert got["00694"].complexity_class == "II" and got["00694"].addicts == 40
    # CSV (UTF-8 with BOM, semicolons) of the same content: no change
    rep = import_status(csv_file(tmp_path / "a.csv", GOOD, delimiter=";"), 2025, store, user="t", dry_run=False)
    assert rep.ok and rep.changed == 0 and not rep.stored, rep


@pytest.mark.parametrize("case", [
    "wrong_year_cell", "unknown", "duplicate", "negative", "text_number", "split_old", "bad_class"])
def test_bad_rows_are_reported_and_nothing_stored(store, tmp_path, case):
    rows = [list(r) for r in GOOD]
    col, row, text = None, None, ""
    if case == "wrong_year_cell":
        rows[1][2] = 2026
        col, row, text = "C", 3, "2026"
    elif case == "unknown":
        rows[1][0], rows[1][1] = "", "Xã Thuong Lamm"
        col, row, text = "B", 3, "Có phải là"
    elif case == "duplicate":
        rows.append(["", "thuong lam", 2025, "Không", "", "", "", 0])
        col, row, text = "B", 4, "dòng 2"
    elif case == "negative":
        rows[0][7] = -5
        col, row, text = "H", 2, "âm"
    elif case == "text_number":
        rows[1][7] = "khoảng 40"
        col, row, text = "H", 3, "chữ"
    elif case == "split_old":
        rows[1][0], rows[1][1] = "", "Phường Quang Trung"
        col, row, text = "B", 3, "Phường Hà Giang 2"
    elif case == "bad_class":
        rows[1][6] = "IV"
        col, row, text = "G", 3, "I, II, III"
    store.upsert_assessments(2025, [], user="t", reason="init") if False else None
    before = db_hash(store.path)
    rep = import_status(xlsx(tmp_path / "bad.xlsx", rows), 2025, store, user="t", dry_run=False)
    issue = assert_rejected(rep, store, before, sheet="Dữ liệu", row=row, column=col, text=text)
    assert issue.header  # the column's header is named
    assert f"dòng {row}" in issue.text() and f"cột {col}" in issue.text()


def test_split_old_name_lists_both_candidates(store, tmp_path):
    rows = [["", "Phường Quang Trung", 2025, "Không", "", "", "", 0]]
    rep = import_status(xlsx(tmp_path / "s.xlsx", rows), 2025, store, user="t", dry_run=True)
    msg = rep.errors[0].message + rep.errors[0].suggestion
    assert "Phường Hà Giang 1" in msg and "Phường Hà Giang 2" in msg


def test_old_name_is_mapped_with_a_warning(store, tmp_path):
    rows = [["", "Thị trấn Vị Xuyên", 2025, "Không", "", "", "", 0]]
    rep = import_status(xlsx(tmp_path / "o.xlsx", rows), 2025, store, user="t", dry_run=False)
    assert rep.ok and rep.stored
    assert any("Xã Vị Xuyên" in w.message and w.row == 2 and w.column == "B" for w in rep.warnings), rep
    assert "00913" in store.assessments(2025)


def test_wrong_year_argument(store, tmp_path):
    before = db_hash(store.path)
    rep = import_status(xlsx(tmp_path / "a.xlsx", GOOD), 2024, store, user="t", dry_run=False)
    assert_rejected(rep, store, before, text="2025–2030")


def test_merged_header_cells(store, tmp_path):
    before = db_hash(store.path)
    path = xlsx(tmp_path / "m.xlsx", GOOD, title_rows=1, merge="D2:E2")
    rep = import_status(path, 2025, store, user="t", dry_run=False)
    issue = assert_rejected(rep, store, before, row=2, column="D", text="gộp")
    assert "D2:E2" in issue.message


@pytest.mark.parametrize("kind", ["empty", "huge", "not_zip", "xls", "bomb", "traversal"])
def test_bad_files(store, tmp_path, kind):
    p = tmp_path / "f.xlsx"
    text = ""
    if kind == "empty":
        p.write_bytes(b"")
        text = "rỗng"
    elif kind == "huge":
        with open(p, "wb") as f:
            f.seek(50 * 1024 * 1024 - 1)
            f.write(b"\0")
        text = "quá lớn"
    elif kind == "not_zip":
        p.write_text("Mã xã,Tên\n00694,Hà Giang 1\n")
        text = "không phải"
    elif kind == "xls":
        p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
        text = ".xls"
    elif kind == "bomb":
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", b"<a/>")
            z.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
        text = "bom nén"
    elif kind == "traversal":
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("../../evil.txt", b"x")
        text = "không an toàn"
    before = db_hash(store.path)
    rep = import_status(p, 2025, store, user="t", dry_run=False)
    assert_rejected(rep, store, before, text=text)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_empty_csv_and_csv_without_header(store, tmp_path):
    before = db_hash(store.path)
    p = tmp_path / "e.csv"
    p.write_bytes(b"\xef\xbb\xbf\n\n")
    assert_rejected(import_status(p, 2025, store, user="t", dry_run=False), store, before, text="trống")
    p.write_text("a,b\n1,2\n")
    assert_rejected(import_status(p, 2025, store, user="t", dry_run=False), store, before, text="tiêu đề")


@pytest.mark.parametrize("legacy", ["tcvn3", "vni"])
def test_legacy_encoded_csv_is_converted_with_a_warning(store, tmp_path, legacy):
    conv = unicode_to_tcvn3 if legacy == "tcvn3" else unicode_to_vni
    rows = [["", "Xã Thượng Lâm", 2025, "Có", "1/QĐ", "", "", 0],
            ["", "Xã Yên Nguyên", 2025, "Không", "", "", "III", 3]]
    p = tmp_path / "legacy.csv"
    with open(p, "w", newline="", encoding="cp1252") as f:
        w = csv.writer(f)
        w.writerow([conv(h) for h in HEADERS])
        w.writerows([[conv(str(c)) for c in r] for r in rows])
    assert b"\xc3" not in p.read_bytes()[:3]  # not UTF-8
    rep = import_status(p, 2025, store, user="t", dry_run=False)
    assert rep.ok and rep.stored, rep
    assert any(("TCVN3" in n or "VNI" in n) and "→ “Xã Thượng Lâm”" in n for n in rep.notes), rep
    got = store.assessments(2025)
    assert got["02269"].drug_free and len(got) == 2


def test_tcvn3_names_in_xlsx(store, tmp_path):
    rows = [["", unicode_to_tcvn3("Xã Thượng Lâm"), 2025, "Có", "1/QĐ", "", "", 0]]
    rep = import_status(xlsx(tmp_path / "t.xlsx", rows), 2025, store, user="t", dry_run=True)
    assert rep.ok and rep.items[0].code == "02269"
    assert any("TCVN3" in n and "Xã Thượng Lâm" in n for n in rep.notes), rep


def test_template_fill_import_round_trip(store, tmp_path):
    p = write_template(tmp_path / "mau.xlsx", 2026)
    wb = openpyxl.load_workbook(p)
    ws = wb[DATA_SHEET]
    assert ws.max_row == FIRST_ROW + 123
    names = {ws.cell(r, 2).value: r for r in range(FIRST_ROW, FIRST_ROW + 124)}
    r = names["Xã Thượng Lâm"]
    ws.cell(r, 6, "Có"), ws.cell(r, 7, "5/QĐ-UBND"), ws.cell(r, 8, "15/03/2026")
    r2 = names["Phường Hà Giang 1"]
    ws.cell(r2, 6, "Không"), ws.cell(r2, 9, "I"), ws.cell(r2, 11, 120), ws.cell(r2, 15, 3), ws.cell(r2, 19, 12.5)
    wb.save(p)
    rep = import_status(p, 2026, store, user="t", dry_run=False)
    assert rep.ok and rep.stored and rep.accepted == 2 and rep.skipped_rows == 122, rep
    got = store.assessments(2026)
    assert got["02269"].decision_no == "5/QĐ-UBND" and got["02269"].decision_date == dt.date(2026, 3, 15)
    assert got["00694"].complexity_class == "I" and got["00694"].addicts == 120
    assert got["00694"].harbour_places == 3 and got["00694"].plant_area_m2 == 12.5


def test_export_reimports_with_no_change(store, tmp_path):
    from geo.importer import export_year

    rows = [list(r) for r in GOOD] + [["02494", "", 2025, "Không", "", "", "III", 7]]
    assert import_status(xlsx(tmp_path / "a.xlsx", rows), 2025, store, user="t", dry_run=False).stored
    revs = len(store.revisions())
    before = db_hash(store.path)
    out = export_year(store, 2025, tmp_path / "export.xlsx")
    rep = import_status(out, 2025, store, user="t", dry_run=False)
    assert rep.ok and rep.accepted == 3 and rep.changed == 0 and not rep.stored, rep
    assert len(store.revisions()) == revs
    assert db_hash(store.path) == before


def test_two_imports_at_the_same_time_keep_both(tmp_db, boundaries_gpkg, tmp_path):
    import threading

    a = xlsx(tmp_path / "a.xlsx", [GOOD[0]])
    b = xlsx(tmp_path / "b.xlsx", [GOOD[1]])
    results = []

    def run(p):
        s = open_store(tmp_db)
        try:
            results.append(import_status(p, 2025, s, user="t", dry_run=False))
        finally:
            s.close()

    open_store(tmp_db).close()
    ts = [threading.Thread(target=run, args=(p,)) for p in (a, b)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert all(r.stored for r in results)
    s = open_store(tmp_db)
    assert set(s.assessments(2025)) == {"02269", "00694"}
    s.close()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=2000), ext=st.sampled_from([".csv", ".xlsx", ".xls", ".ods"]))
def test_arbitrary_bytes_never_crash(tmp_path_factory, boundaries_gpkg, data, ext):
    d = tmp_path_factory.mktemp("fuzz")
    s = open_store(d / "app.db")
    try:
        before = db_hash(s.path)
        p = d / f"x{ext}"
        p.write_bytes(data)
        rep = import_status(p, 2025, s, user="t", dry_run=False)
        if rep.errors:
            assert db_hash(s.path) == before
    finally:
        s.close()


def test_import_and_its_audit_entry_are_one_transaction(store, tmp_path):
    rep = import_status(xlsx(tmp_path / "a.xlsx", GOOD), 2025, store, user="cb", dry_run=False, reason="quý IV")
    assert rep.stored and rep.revision
    (entry,) = [e for e in store.audit_entries(action="import")]
    assert entry.user == "cb" and "a.xlsx" in entry.what
    # a refused import leaves neither data nor audit
    before = db_hash(store.path)
    bad = [list(r) for r in GOOD]
    bad[0][6] = "I"  # drug-free and class I
    rep = import_status(xlsx(tmp_path / "b.xlsx", bad), 2025, store, user="cb", dry_run=False)
    assert rep.errors and not rep.stored and db_hash(store.path) == before
    assert len(store.audit_entries(action="import")) == 1


def test_tan_thanh_in_a_file_is_never_stored_for_tan_thanh_02578(store, tmp_path):
    headers = ["Tên xã/phường", "Huyện cũ", "Không ma túy (Có/Không)", "Số quyết định công nhận"]
    rep = import_status(xlsx(tmp_path / "t.xlsx", [["Xã Tân Thành", "", "Có", "1/QĐ"]], headers=headers), 2025,
                        store, user="t", dry_run=False)
    assert rep.errors and rep.errors[0].row == 2 and "Xã Hàm Yên" in rep.errors[0].message
    assert store.assessments(2025) == {}
    rep = import_status(xlsx(tmp_path / "t.xlsx", [["Xã Tân Thành", "Hàm Yên", "Có", "1/QĐ"]], headers=headers),
                        2025, store, user="t", dry_run=False)
    assert rep.stored and set(store.assessments(2025)) == {"02374"}
    assert [m.code for m in rep.matches] == ["02374"] and "tên cũ" in rep.matches[0].why
