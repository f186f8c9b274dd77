import openpyxl

from geo.importer import export_year, write_template
from geo.importer.table import COLUMNS
from geo.importer.template import DATA_SHEET, DEMO_MARK, FIRST_ROW, HEADER_ROW, HELP_SHEET
from geo.store import open_store


def test_template_layout(tmp_path, boundaries_gpkg):
    p = write_template(tmp_path / "mau.xlsx")
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == [DATA_SHEET, HELP_SHEET]
    ws = wb[DATA_SHEET]
    assert [c.value for c in ws[HEADER_ROW]] == [c.header for c in COLUMNS]
    codes = [ws.cell(r, 1).value for r in range(FIRST_ROW, FIRST_ROW + 124)]
    assert len(set(codes)) == 124 and all(isinstance(c, str) and len(c) == 5 for c in codes)
    assert ws.cell(FIRST_ROW + 124, 1).value is None
    assert {ws.cell(r, 3).value for r in range(FIRST_ROW, FIRST_ROW + 124)} == {"Hà Giang", "Tuyên Quang"}
    assert all(ws.cell(r, 4).value for r in range(FIRST_ROW, FIRST_ROW + 124))
    dvs = {dv.formula1: str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert '"Có,Không"' in dvs and dvs['"Có,Không"'].startswith("F")
    assert '"I,II,III"' in dvs and dvs['"I,II,III"'].startswith("I")
    types = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "whole", "decimal"} <= types
    assert DEMO_MARK not in str([c.value for row in ws.iter_rows(max_row=2) for c in row])


def test_demo_export_is_marked(tmp_path, tmp_db, boundaries_gpkg):
    from geo.model import Assessment

    s = open_store(tmp_db)
    s.upsert_assessments(2025, [Assessment("02269", 2025, drug_free=True, decision_no="1/QĐ")], user="t",
                         reason="demo", demo=True)
    p = export_year(s, 2025, tmp_path / "e.xlsx")
    s.close()
    wb = openpyxl.load_workbook(p)
    assert DEMO_MARK in (wb[DATA_SHEET].cell(2, 1).value or "")
    assert DEMO_MARK in wb[HELP_SHEET].cell(2, 1).value
