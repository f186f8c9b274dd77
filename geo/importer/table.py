"""Read .xlsx and .csv status tables into cells that keep their place (sheet, row, column).

The layout is the template's (geo.importer.template): a header row with the columns in COLUMNS,
found among the first rows of each sheet, then one row per commune. Header texts are matched
insensitive to case and accents, so hand-made sheets with the same headers also work.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import INDICATORS
from ..text import fold
from . import encoding
from .report import col_letter
from .safety import MAX_XLS_BYTES, UnsafeFile, WorkBudget, check_file, check_zip


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # Vietnamese header written by the template
    kind: str  # code | text | bool | class | int | float | date | year | info
    aliases: tuple[str, ...] = ()
    width: int = 14


COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã xã", "code", ("ma xa", "ma don vi", "ma", "ma dvhc", "code"), 9),
    Column("name", "Tên xã/phường", "text", ("ten xa phuong", "ten xa", "ten don vi", "xa phuong", "ten", "name"), 24),
    Column("old_province", "Tỉnh cũ", "info", ("tinh cu",), 12),
    Column("former_districts", "Huyện cũ", "info", ("huyen cu", "huyen", "huyen truoc sap xep"), 26),
    Column("year", "Năm", "year", ("nam", "year"), 7),
    Column("drug_free", "Không ma túy (Có/Không)", "bool",
           ("khong ma tuy co khong", "khong ma tuy", "da cong nhan khong ma tuy", "drug free"), 14),
    Column("decision_no", "Số quyết định công nhận", "text", ("so quyet dinh cong nhan", "so quyet dinh", "so qd"), 18),
    Column("decision_date", "Ngày quyết định (dd/mm/yyyy)", "date",
           ("ngay quyet dinh dd mm yyyy", "ngay quyet dinh", "ngay qd"), 14),
    Column("complexity_class", "Loại trọng điểm (I/II/III)", "class",
           ("loai trong diem i ii iii", "loai trong diem", "loai", "phan loai"), 12),
    Column("target_year", "Năm đăng ký không ma túy", "year", ("nam dang ky khong ma tuy", "nam dang ky"), 12),
    *(Column(k, vi, "float" if k == "plant_area_m2" else "int", (fold(vi),), 12) for k, (vi, _en) in INDICATORS.items()),
    Column("note", "Ghi chú", "text", ("ghi chu", "note"), 30),
    Column("source_ref", "Nguồn số liệu", "text", ("nguon so lieu", "nguon", "source"), 20),
)
BY_FIELD = {c.field: c for c in COLUMNS}


def _header_key(text: Any) -> str:
    return re.sub(r"[^a-z0-9 ]+", " ", fold(str(text))).strip()


_ALIASES: dict[str, str] = {}
for _c in COLUMNS:
    for _a in (_header_key(_c.header), *_c.aliases):
        _ALIASES.setdefault(re.sub(r"\s+", " ", _header_key(_a)), _c.field)


# Hand-typed headers: the first rule whose words all occur in the header decides (order matters:
# "Năm đăng ký không ma túy" before "không ma túy", "Ngày quyết định" before "Số quyết định").
_HEADER_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("nam", "dang ky"), "target_year"),
    (("ngay", "quyet dinh"), "decision_date"), (("ngay", "qd"), "decision_date"),
    (("ngay", "cong nhan"), "decision_date"),
    (("so", "quyet dinh"), "decision_no"), (("so", "qd"), "decision_no"),
    (("khong ma tuy",), "drug_free"),
    (("trong diem",), "complexity_class"),
    (("tinh cu",), "old_province"),
    (("huyen",), "former_districts"),
    (("ma", "xa"), "code"), (("ma", "don vi"), "code"), (("ma", "dvhc"), "code"),
    (("ten",), "name"), (("xa", "phuong"), "name"),
    (("nguoi nghien",), "addicts"), (("sau cai",), "post_rehab"), (("su dung",), "users"),
    (("chua chap",), "harbour_places"), (("tu diem",), "spots"), (("so vu",), "cases"),
    (("bi bat",), "offenders"), (("doi tuong",), "offenders"),
    (("dien tich",), "plant_area_m2"), (("so cay",), "plants"),
    (("ghi chu",), "note"), (("nguon",), "source_ref"),
)
IGNORED_HEADERS = {"stt", "tt", "so tt", "so thu tu", "thu tu"}


def header_field(text: Any) -> str | None:
    if text is None:
        return None
    key = re.sub(r"\s+", " ", _header_key(text))
    if key in _ALIASES:
        return _ALIASES[key]
    if not key or len(key) > 80:
        return None
    padded = f" {key} "
    for words, f in _HEADER_RULES:
        if all(f" {w} " in padded for w in words):
            return f
    return None


class TableError(ValueError):
    """The file cannot be read as a table. Vietnamese message; where = sheet/row/column when known."""

    def __init__(self, message: str, **where):
        super().__init__(message)
        self.where = where


@dataclass
class Sheet:
    name: str
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (1-based row number, values)
    merged: list[str] = field(default_factory=list)  # "A3:B3"
    encoding: str | None = None  # legacy encoding converted ('tcvn3' / 'vni'), if any
    converted: list[tuple[int, int, str, str]] = field(default_factory=list)  # (row, col, before, after)


@dataclass
class Header:
    row: int  # 1-based
    fields: dict[int, str]  # column index -> field
    texts: dict[int, str]  # column index -> header text as written
    unknown: list[tuple[int, str]]  # columns not understood

    def label(self, col: int) -> tuple[str, str]:
        return col_letter(col), self.texts.get(col, "")


MAX_HEADER_SCAN = 15


def find_header(sheet: Sheet) -> Header | None:
    """The first row (among the first 15) naming a code or name column and at least one more known column."""
    for rownum, values in sheet.rows[:MAX_HEADER_SCAN]:
        fields: dict[int, str] = {}
        texts: dict[int, str] = {}
        unknown = []
        for i, v in enumerate(values):
            if v is None or str(v).strip() == "":
                continue
            f = header_field(v)
            if f is None and re.sub(r"\s+", " ", _header_key(v)) in IGNORED_HEADERS:
                texts[i] = str(v).strip()
                continue
            if f and f not in fields.values():
                fields[i] = f
                texts[i] = str(v).strip()
            else:
                unknown.append((i, str(v).strip()))
        if ({"code", "name"} & set(fields.values())) and len(fields) >= 2:
            for i, t in unknown:
                texts[i] = t
            return Header(rownum, fields, texts, unknown)
    return None


# --- readers -------------------------------------------------------------------------------------
# Every reader streams (or reads a size-bounded file), counts rows and cells against a WorkBudget,
# and returns Sheets of plain values (str, int, float, bool, datetime, None).

EXAMPLES = 3  # before -> after examples shown for a legacy-encoded sheet


def _fix_legacy(sheet: Sheet, enc: str | None = "auto") -> None:
    """Convert a sheet typed with a legacy font. The reading is decided by evidence over all cells
    (encoding.detect_many); cells already holding Unicode Vietnamese are left alone. In a Unicode
    sheet, a single pasted legacy cell is converted when its own evidence says so."""
    if enc == "auto":
        texts = [v for _, vals in sheet.rows for v in vals if isinstance(v, str)]
        enc = encoding.detect_many(texts)
    for rownum, vals in sheet.rows:
        for i, v in enumerate(vals):
            if not isinstance(v, str) or not v or encoding.is_unicode_vietnamese(v):
                continue
            e = enc or encoding.better_reading(v)
            if not e:
                continue
            new = encoding.convert(v, e)
            if new != v:
                vals[i] = new
                sheet.encoding = sheet.encoding or e
                sheet.converted.append((rownum, i, v, new))


def _merged_ranges(path: Path) -> dict[str, list[str]]:
    """Sheet name -> merged ranges, streamed from the workbook XML with defusedxml."""
    import defusedxml.ElementTree as DET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
    merge_tag = f"{{{ns['m']}}}mergeCell"
    out: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return out
        wb = DET.fromstring(zf.read("xl/workbook.xml"))
        rels = DET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", ns)}
        for s in wb.findall("m:sheets/m:sheet", ns):
            t = targets.get(s.get(f"{{{ns['r']}}}id"), "")
            t = t.lstrip("/") if t.startswith("/") else "xl/" + t
            if t not in names:
                continue
            refs = []
            with zf.open(t) as f:
                for _, el in DET.iterparse(f, events=("end",)):
                    if el.tag == merge_tag:
                        refs.append(el.get("ref", ""))
                    el.clear()
            out[s.get("name", "")] = refs
    return out


def _trim(vals: list) -> list:
    while vals and (vals[-1] is None or (isinstance(vals[-1], str) and not vals[-1].strip())):
        vals.pop()
    return vals


@contextmanager
def _reading(path: Path, release):
    """Around the reading of a workbook's cells: a work limit or a broken file becomes a TableError
    naming the file; the reader's resources are released in every case."""
    try:
        yield
    except UnsafeFile as exc:
        raise TableError(str(exc)) from None
    except Exception as exc:
        raise TableError(f"Tệp “{path.name}” bị hỏng, không đọc được hết ({type(exc).__name__}).") from None
    finally:
        release()


def read_xlsx(path: Path) -> list[Sheet]:
    path = Path(path)
    check_file(path)
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return read_xls(path)  # an Excel 97–2003 file with the wrong extension
    try:
        check_zip(path, "tệp Excel .xlsx")
    except UnsafeFile as exc:
        raise TableError(str(exc)) from None
    import openpyxl  # uses defusedxml when it is installed (it is): no XML entity expansion

    try:
        merged = _merged_ranges(path)
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for malformed packages
        raise TableError(f"Tệp “{path.name}” không đọc được như một tệp Excel .xlsx "
                         f"({type(exc).__name__}). Hãy mở bằng Excel và lưu lại.") from None
    sheets = []
    budget = WorkBudget(path.name)
    with _reading(path, wb.close):
        for ws in wb.worksheets:
            sh = Sheet(ws.title, merged=merged.get(ws.title, []))
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # a forged <dimension> must not pad every row to 16384 columns
            for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
                budget.add(len(values), sheet=ws.title)
                vals = _trim(list(values))
                if vals:
                    sh.rows.append((r, vals))
            sheets.append(sh)
    return _finish(sheets)


def _finish(sheets: list[Sheet]) -> list[Sheet]:
    for sh in sheets:
        try:
            _fix_legacy(sh)
        except encoding.LegacyEncodingError as exc:
            raise TableError(str(exc), sheet=sh.name) from None
    return sheets


def read_xls(path: Path) -> list[Sheet]:
    """Excel 97–2003 (.xls, BIFF) through xlrd: the file is bounded in bytes, sheets in cells."""
    import xlrd

    path = Path(path)
    check_file(path, MAX_XLS_BYTES)
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct errors… on bad files
        raise TableError(f"Tệp “{path.name}” không đọc được như một tệp Excel 97–2003 (.xls) "
                         f"({type(exc).__name__}). Hãy mở bằng Excel và lưu lại dạng .xlsx.") from None
    budget = WorkBudget(path.name)
    sheets = []
    with _reading(path, book.release_resources):
        for i in range(book.nsheets):
            ws = book.sheet_by_index(i)
            budget.add(ws.nrows * ws.ncols, rows=ws.nrows, sheet=ws.name)
            sh = Sheet(ws.name, merged=[f"{col_letter(c0)}{r0 + 1}:{col_letter(c1 - 1)}{r1}"
                                        for r0, r1, c0, c1 in ws.merged_cells])
            for r in range(ws.nrows):
                vals = []
                for c in range(ws.ncols):
                    cell = ws.cell(r, c)
                    t, v = cell.ctype, cell.value
                    if t in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                        v = None
                    elif t == xlrd.XL_CELL_DATE:
                        try:
                            v = xlrd.xldate.xldate_as_datetime(v, book.datemode)
                        except Exception:
                            v = None
                    elif t == xlrd.XL_CELL_BOOLEAN:
                        v = bool(v)
                    elif t == xlrd.XL_CELL_NUMBER and float(v).is_integer():
                        v = int(v)
                    vals.append(v)
                vals = _trim(vals)
                if vals:
                    sh.rows.append((r + 1, vals))
            book.unload_sheet(i)
            sheets.append(sh)
    return _finish(sheets)


_ODS_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _ods_scan(path: Path, budget: WorkBudget) -> dict[str, list[str]]:
    """Stream content.xml once (defusedxml): count the cells pandas would build (repeated rows and
    columns included) against the budget before anything is expanded; return merged ranges."""
    import defusedxml.ElementTree as DET

    T, O = _ODS_T, _ODS_O
    merged: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as zf:
        if "content.xml" not in zf.namelist():
            raise TableError(f"Tệp “{path.name}” không phải bảng tính OpenDocument (.ods): thiếu content.xml.")
        with zf.open("content.xml") as f:
            name, row, rows_eff, max_len = "", 0, 0, 0
            col = row_len = rrep = 0
            for ev, el in DET.iterparse(f, events=("start", "end")):
                tag = el.tag
                if ev == "start":
                    if tag == T + "table":
                        name, row, rows_eff, max_len = el.get(T + "name", ""), 0, 0, 0
                        merged[name] = []
                    elif tag == T + "table-row":
                        rrep = max(1, int(el.get(T + "number-rows-repeated", "1") or 1))
                        col = row_len = 0
                    continue
                if tag in (T + "table-cell", T + "covered-table-cell"):
                    crep = max(1, int(el.get(T + "number-columns-repeated", "1") or 1))
                    rs = int(el.get(T + "number-rows-spanned", "1") or 1)
                    cs = int(el.get(T + "number-columns-spanned", "1") or 1)
                    if tag == T + "table-cell" and (rs > 1 or cs > 1):
                        merged[name].append(f"{col_letter(col)}{row + 1}:{col_letter(col + cs - 1)}{row + rs}")
                    col += crep
                    if el.get(O + "value-type") is not None or len(el):
                        row_len = col
                    el.clear()
                elif tag == T + "table-row":
                    row += rrep
                    if row_len:
                        rows_eff = row
                        max_len = max(max_len, row_len)
                        if rows_eff * max_len > budget.max_cells or rows_eff > budget.max_rows:
                            budget.add(rows_eff * max_len, rows=rows_eff, sheet=name)
                    el.clear()
                elif tag == T + "table":
                    budget.add(rows_eff * max_len, rows=rows_eff, sheet=name)
                    el.clear()
    return merged


def read_ods(path: Path) -> list[Sheet]:
    """OpenDocument spreadsheet (.ods) through pandas' odf engine (odfpy), after a streamed scan
    that bounds the work (zip members, repeated rows and columns)."""
    import pandas as pd

    path = Path(path)
    check_file(path)
    try:
        check_zip(path, "bảng tính OpenDocument (.ods)")
    except UnsafeFile as exc:
        raise TableError(str(exc)) from None
    budget = WorkBudget(path.name)
    try:
        merged = _ods_scan(path, budget)
    except (UnsafeFile, TableError) as exc:
        raise TableError(str(exc)) from None
    except Exception as exc:
        raise TableError(f"Tệp “{path.name}” không đọc được như bảng tính .ods ({type(exc).__name__}).") from None
    try:
        frames = pd.read_excel(path, sheet_name=None, header=None, engine="odf", dtype=object)
    except Exception as exc:
        raise TableError(f"Tệp “{path.name}” không đọc được như bảng tính .ods ({type(exc).__name__}). "
                         "Hãy mở bằng LibreOffice/Excel và lưu lại.") from None
    sheets = []
    for name, df in frames.items():
        sh = Sheet(str(name), merged=merged.get(str(name), []))
        for r, row in enumerate(df.itertuples(index=False, name=None), start=1):
            vals = []
            for v in row:
                if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
                    v = None
                elif isinstance(v, pd.Timestamp):
                    v = v.to_pydatetime()
                elif isinstance(v, float) and v.is_integer():
                    v = int(v)
                vals.append(v)
            vals = _trim(vals)
            if vals:
                sh.rows.append((r, vals))
        sheets.append(sh)
    return _finish(sheets)


def read_csv(path: Path) -> list[Sheet]:
    path = Path(path)
    check_file(path)
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError(f"Tệp “{path.name}” không phải tệp văn bản CSV (có byte 0 – có thể là tệp nhị phân).")
    try:
        text, enc = encoding.decode_bytes(data)
    except encoding.LegacyEncodingError as exc:
        raise TableError(str(exc)) from None
    sample = text[:8192]
    try:
        delim = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delim = ","
    sh = Sheet(path.stem)
    budget = WorkBudget(path.name)
    try:
        for r, vals in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delim), start=1):
            budget.add(len(vals))
            vals = _trim([v if v.strip() != "" else None for v in vals])
            if vals:
                sh.rows.append((r, vals))
    except csv.Error as exc:
        raise TableError(f"Tệp CSV “{path.name}” sai định dạng ({exc}).") from None
    except UnsafeFile as exc:
        raise TableError(str(exc)) from None
    try:
        _fix_legacy(sh, enc if enc in ("tcvn3", "vni") else "auto")
    except encoding.LegacyEncodingError as exc:
        raise TableError(str(exc)) from None
    if enc == "cp1258":
        sh.encoding = sh.encoding or "cp1258"
    return [sh]


READERS = {".xlsx": read_xlsx, ".xlsm": read_xlsx, ".xls": read_xls, ".ods": read_ods, ".csv": read_csv,
           ".txt": read_csv}
EXTENSIONS = tuple(READERS)


def read_table(path: Path) -> list[Sheet]:
    """Sheets of an .xlsx, .xls, .ods or .csv file. Raises TableError / UnsafeFile (Vietnamese)."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise TableError(f"Không nhận loại tệp “{path.suffix or path.name}”: chỉ nhận Excel (.xlsx, .xls), "
                         "OpenDocument (.ods) hoặc CSV (.csv).")
    return reader(path)
