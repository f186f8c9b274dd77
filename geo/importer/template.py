"""The Excel template (124 units pre-filled, drop-down lists) and a year's export in the same layout.

An export re-imports with no change: every stored field has its column and is written in a form
the importer reads back to the same value."""

from __future__ import annotations

from pathlib import Path

from ..escape import excel_cell
from ..model import INDICATORS, YEARS, Assessment
from .table import COLUMNS


def _text_cell(v):
    """Every text cell goes through geo.escape.excel_cell (no live formula). Text that already
    starts with apostrophes before a formula character gets one more, so the importer's
    status_import.unprotect (strip one apostrophe only there) gives back exactly the stored text."""
    if isinstance(v, str):
        core = v.lstrip("'")
        if core != v and core and excel_cell(core) != core:
            return "'" + v
        return excel_cell(v)
    return v

DATA_SHEET = "Dữ liệu"
HELP_SHEET = "Hướng dẫn"
DEMO_MARK = "DỮ LIỆU MINH HỌA"
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1


def _cell_value(a: Assessment | None, field: str, year: int | None):
    if a is None:
        return year if field == "year" and year else None
    if field == "year":
        return a.year
    v = getattr(a, field)
    if field == "drug_free":
        return "Có" if v else "Không"
    if field == "decision_date":
        return v.strftime("%d/%m/%Y") if v else None
    if field in ("decision_no", "note", "source_ref", "complexity_class"):
        return v or None
    if field == "plant_area_m2":
        return int(v) if float(v).is_integer() else float(v)
    return v


def write_template(path: str | Path, year: int | None = None, *,
                   assessments: dict[str, Assessment] | None = None, demo: bool = False,
                   boundaries_path=None) -> Path:
    """Write the .xlsx template (or, with ``assessments``, a filled export) to ``path``."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from .. import boundaries

    path = Path(path)
    table = boundaries.commune_table(boundaries_path).sort_values(["old_province", "code"])
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    title = "Tình trạng ma túy các xã, phường tỉnh Tuyên Quang" + (f" — năm {year}" if year else "")
    ws.cell(1, 1, _text_cell(title)).font = Font(bold=True, size=14)
    if demo:
        c = ws.cell(2, 1, _text_cell(f"{DEMO_MARK}: số liệu minh họa do máy tạo ra, không phải số liệu thật."))
        c.font = Font(bold=True, color="C62828", size=12)
    else:
        ws.cell(2, 1, _text_cell("Điền từ dòng 4; không đổi tên, thứ tự cột; không gộp ô. Xem trang “Hướng dẫn”.")).font = \
            Font(italic=True, color="555555")
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for j, col in enumerate(COLUMNS, start=1):
        c = ws.cell(HEADER_ROW, j, _text_cell(col.header))
        c.font = Font(bold=True)
        c.fill = head_fill
        c.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = col.width
    ws.row_dimensions[HEADER_ROW].height = 48
    ws.freeze_panes = ws.cell(FIRST_ROW, 3)
    info_fill = PatternFill("solid", fgColor="F2F2F2")
    for i, row in enumerate(table.itertuples(index=False), start=FIRST_ROW):
        a = (assessments or {}).get(row.code)
        for j, col in enumerate(COLUMNS, start=1):
            if col.field == "code":
                v = row.code
            elif col.field == "name":
                v = row.name
            elif col.field == "old_province":
                v = row.old_province
            elif col.field == "former_districts":
                v = row.former_districts
            else:
                v = _cell_value(a, col.field, year)
            c = ws.cell(i, j, _text_cell(v))
            if col.field == "code":
                c.number_format = "@"  # keep the leading zeros
            if col.kind in ("code", "info") or col.field == "name":
                c.fill = info_fill
    last = FIRST_ROW + len(table) - 1
    letter = {col.field: get_column_letter(j) for j, col in enumerate(COLUMNS, start=1)}

    def rng(f):
        return f"{letter[f]}{FIRST_ROW}:{letter[f]}{last + 200}"

    dv_bool = DataValidation(type="list", formula1='"Có,Không"', allow_blank=True, showErrorMessage=True,
                             errorTitle="Giá trị không hợp lệ", error="Chọn Có hoặc Không.")
    dv_bool.add(rng("drug_free"))
    dv_class = DataValidation(type="list", formula1='"I,II,III"', allow_blank=True, showErrorMessage=True,
                              errorTitle="Giá trị không hợp lệ", error="Chọn I, II, III hoặc để trống.")
    dv_class.add(rng("complexity_class"))
    dv_int = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="Giá trị không hợp lệ", error="Nhập số nguyên ≥ 0.")
    for k in INDICATORS:
        if k != "plant_area_m2":
            dv_int.add(rng(k))
    dv_dec = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="Giá trị không hợp lệ", error="Nhập số ≥ 0.")
    dv_dec.add(rng("plant_area_m2"))
    dv_year = DataValidation(type="whole", operator="between", formula1=str(YEARS[0]), formula2=str(YEARS[-1]),
                             allow_blank=True, showErrorMessage=True, error=f"Năm từ {YEARS[0]} đến {YEARS[-1]}.")
    dv_year.add(rng("year"))
    dv_ty = DataValidation(type="whole", operator="between", formula1="2020", formula2="2035", allow_blank=True,
                           showErrorMessage=True, error="Năm từ 2020 đến 2035.")
    dv_ty.add(rng("target_year"))
    for dv in (dv_bool, dv_class, dv_int, dv_dec, dv_year, dv_ty):
        ws.add_data_validation(dv)
    ws.cell(HEADER_ROW, 1).comment = Comment("Mã 5 chữ số của đơn vị hành chính cấp xã năm 2025.", "mẫu")
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}{last}"

    h = wb.create_sheet(HELP_SHEET)
    lines = [
        ("Hướng dẫn điền mẫu nhập tình trạng ma túy cấp xã", True),
        (f"{DEMO_MARK}: tệp này chứa số liệu minh họa, không dùng để báo cáo." if demo else "", True),
        ("1. Mỗi dòng là một xã/phường (124 đơn vị từ 01/7/2025). Các cột nền xám (mã, tên, tỉnh cũ, huyện cũ) "
         "đã điền sẵn, không sửa.", False),
        ("2. Có thể ghi tên mới, tên cũ trước sắp xếp hoặc tên không dấu; mã xã luôn được ưu tiên.", False),
        ("3. “Không ma túy”: chọn Có/Không. “Loại trọng điểm”: I, II, III hoặc để trống.", False),
        ("4. Các cột số liệu: số nguyên ≥ 0 (diện tích cây có chất ma túy tính bằng m², có thể có phần thập phân). "
         "Để trống nghĩa là 0.", False),
        ("5. Ngày quyết định ghi dạng ngày/tháng/năm, ví dụ 04/02/2026.", False),
        ("6. Dòng để trống toàn bộ các cột tình trạng thì bỏ qua (xã đó giữ nguyên dữ liệu cũ).", False),
        ("7. Không gộp ô, không thêm dòng tiêu đề; không ghi một xã hai lần.", False),
        ("8. Nhập thử trước (chạy thử) để xem báo cáo lỗi, cảnh báo theo trang, dòng, cột; có lỗi thì không lưu gì.",
         False),
        ("Chỉ ghi số liệu tổng hợp theo xã, không ghi thông tin về cá nhân.", True),
    ]
    for i, (t, bold) in enumerate(lines, start=1):
        c = h.cell(i, 1, _text_cell(t))
        c.font = Font(bold=bold, color="C62828" if t.startswith(DEMO_MARK) else None)
    h.column_dimensions["A"].width = 120
    wb.properties.title = title + (f" ({DEMO_MARK})" if demo else "")
    wb.properties.creator = "tqmap"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path


def export_year(store, year: int, path: str | Path) -> Path:
    """The stored year in the template layout (demo data marked "DỮ LIỆU MINH HỌA")."""
    # the statuses' own demo flag: real statuses with demo routes are not marked illustrative here
    demo = store.demo_flags(year).statuses if hasattr(store, "demo_flags") else store.is_demo(year)
    return write_template(path, year, assessments=store.assessments(year), demo=demo)
