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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import INDICATORS
from ..text import fold
from . import encoding
from .report import col_letter
from .safety import UnsafeFile, check_file, check_zip


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


def header_field(text: Any) -> str | None:
    if text is None:
        return None
    return _ALIASES.get(re.sub(r"\s+", " ", _header_key(text)))


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

def _fix_legacy(sheet: Sheet) -> None:
    texts = [v for _, vals in sheet.rows for v in vals if isinstance(v, str)]
    enc = encoding.detect_many(texts)
    if enc is None:
        # cell by cell (a Unicode sheet with a few pasted legacy cells)
        for rownum, vals in sheet.rows:
            for i, v in enumerate(vals):
                if isinstance(v, str):
                    new, e = encoding.fix_text(v)
                    if e:
                        vals[i] = new
                        sheet.encoding = e
                        sheet.converted.append((rownum, i, v, new))
        return
    sheet.encoding = enc
    for rownum, vals in sheet.rows:
        for i, v in enumerate(vals):
            if isinstance(v, str):
                new = encoding.convert(v, enc)
                if new != v:
                    vals[i] = new
                    sheet.converted.append((rownum, i, v, new))


def _merged_ranges(path: Path) -> dict[str, list[str]]:
    """Sheet name -> merged ranges, read from the workbook XML with defusedxml."""
    import defusedxml.ElementTree as DET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
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
            root = DET.fromstring(zf.read(t))
            out[s.get("name", "")] = [m.get("ref", "") for m in root.findall("m:mergeCells/m:mergeCell", ns)]
    return out


def read_xlsx(path: Path) -> list[Sheet]:
    path = Path(path)
    check_file(path)
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(f"Tệp “{path.name}” là tệp Excel 97–2003 (.xls) chứ không phải .xlsx. "
                         "Hãy mở bằng Excel và lưu lại dạng “Excel Workbook (.xlsx)”.")
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
    try:
        for ws in wb.worksheets:
            sh = Sheet(ws.title, merged=merged.get(ws.title, []))
            for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
                vals = list(values)
                while vals and (vals[-1] is None or (isinstance(vals[-1], str) and not vals[-1].strip())):
                    vals.pop()
                if vals:
                    sh.rows.append((r, vals))
            sheets.append(sh)
    except Exception as exc:
        raise TableError(f"Tệp “{path.name}” bị hỏng, không đọc được hết ({type(exc).__name__}).") from None
    finally:
        wb.close()
    for sh in sheets:
        try:
            _fix_legacy(sh)
        except encoding.LegacyEncodingError as exc:
            raise TableError(str(exc), sheet=sh.name) from None
    return sheets


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
    try:
        for r, vals in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delim), start=1):
            vals = [v if v.strip() != "" else None for v in vals]
            while vals and vals[-1] is None:
                vals.pop()
            if vals:
                sh.rows.append((r, vals))
    except csv.Error as exc:
        raise TableError(f"Tệp CSV “{path.name}” sai định dạng ({exc}).") from None
    if enc in ("tcvn3", "vni"):
        sh.encoding = enc
        for rownum, vals in sh.rows:
            for i, v in enumerate(vals):
                if isinstance(v, str):
                    new = encoding.convert(v, enc)
                    if new != v:
                        vals[i] = new
                        sh.converted.append((rownum, i, v, new))
    else:
        try:
            _fix_legacy(sh)
        except encoding.LegacyEncodingError as exc:
            raise TableError(str(exc)) from None
        if enc == "cp1258":
            sh.encoding = sh.encoding or "cp1258"
    return [sh]


def read_table(path: Path) -> list[Sheet]:
    """Sheets of an .xlsx or .csv file. Raises TableError / UnsafeFile with a Vietnamese message."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if ext in (".csv", ".txt"):
        return read_csv(path)
    raise TableError(f"Không nhận loại tệp “{path.suffix or path.name}”: chỉ nhận .xlsx hoặc .csv.")
