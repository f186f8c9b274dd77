"""Import a year's commune statuses from .xlsx / .csv: parse, validate, report; store only if clean.

    report = import_status("2025.xlsx", 2025, store, user="cb01", dry_run=True)
    print(report)             # Vietnamese: rows accepted, warnings, errors with sheet/row/column
    if report.ok: import_status("2025.xlsx", 2025, store, user="cb01", dry_run=False)

Any error means nothing is written. Rows identical to what is stored are not rewritten; when nothing
differs no revision is created (an export re-imports with no change).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import fields as dc_fields
from pathlib import Path
from typing import Any

from ..model import CLASSES, INDICATORS, YEARS, Assessment, consistency_warnings
from ..text import fold
from .matching import CommuneMatcher
from .report import ImportReport, col_letter
from .safety import UnsafeFile
from .table import BY_FIELD, Sheet, TableError, find_header, read_table
from . import encoding

TRUE_WORDS = {"co", "x", "1", "yes", "true", "dat", "da cong nhan", "v", "c"}
FALSE_WORDS = {"khong", "0", "no", "false", "chua", "chua dat", "k"}
STATUS_FIELDS = ("drug_free", "decision_no", "decision_date", "complexity_class", "target_year",
                 *INDICATORS, "note", "source_ref")


class CellError(ValueError):
    def __init__(self, message: str, suggestion: str = ""):
        super().__init__(message)
        self.suggestion = suggestion


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def parse_bool(v: Any) -> bool:
    if _blank(v):
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    k = fold(str(v))
    if k in TRUE_WORDS:
        return True
    if k in FALSE_WORDS:
        return False
    raise CellError(f"Giá trị “{v}” không hiểu được: cột này chỉ nhận “Có” hoặc “Không”.",
                    "Chọn Có hoặc Không trong danh sách thả xuống.")


def parse_class(v: Any) -> str:
    if _blank(v):
        return ""
    s = fold(str(v)).upper().replace("LOAI", "").strip()
    s = {"1": "I", "2": "II", "3": "III", "1.0": "I", "2.0": "II", "3.0": "III"}.get(s, s)
    if s in CLASSES:
        return s
    raise CellError(f"Loại trọng điểm “{v}” không hợp lệ: chỉ nhận I, II, III hoặc để trống.",
                    "Chọn I, II, III trong danh sách thả xuống, hoặc để trống nếu không phải xã trọng điểm.")


_INT_RE = re.compile(r"^\d{1,3}(\.\d{3})+$|^\d+$")


def parse_number(v: Any, integer: bool) -> int | float:
    if _blank(v):
        return 0 if integer else 0.0
    if isinstance(v, bool):
        raise CellError(f"Ô chứa “{v}” chứ không phải số.")
    if isinstance(v, (int, float)):
        x = float(v)
    else:
        s = str(v).strip().replace("\u00a0", "").replace(" ", "")
        if integer and _INT_RE.match(s.lstrip("-")):
            x = float(s.replace(".", ""))  # Vietnamese thousands separator: 1.234
        else:
            s2 = s.replace(",", ".") if s.count(",") == 1 and "." not in s else s
            try:
                x = float(s2)
            except ValueError:
                raise CellError(f"Ô chứa chữ “{v}” trong cột số.", "Chỉ ghi số (ví dụ 12), để trống nếu bằng 0.") from None
    if not math.isfinite(x):
        raise CellError(f"Giá trị “{v}” không phải số hữu hạn.")
    if x < 0:
        raise CellError(f"Số âm ({v}) không hợp lệ: số liệu phải ≥ 0.", "Kiểm tra lại số liệu; ghi 0 nếu không có.")
    if integer:
        if x != int(x):
            raise CellError(f"“{v}” phải là số nguyên.")
        if x > 10_000_000:
            raise CellError(f"“{v}” quá lớn, không hợp lý cho một xã.")
        return int(x)
    return float(x)


def parse_date(v: Any) -> dt.date | None:
    if _blank(v):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = str(v).strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%y"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise CellError(f"Ngày “{v}” không đúng dạng ngày/tháng/năm (ví dụ 04/02/2026).")


def parse_year(v: Any) -> int | None:
    if _blank(v):
        return None
    try:
        y = parse_number(v, True)
    except CellError:
        raise CellError(f"Năm “{v}” không phải là số năm.") from None
    if not 2000 <= y <= 2100:
        raise CellError(f"Năm “{v}” không hợp lệ.")
    return int(y)


def parse_text(v: Any) -> str:
    if _blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%d/%m/%Y")
    return str(v).strip()


PARSERS = {"bool": parse_bool, "class": parse_class, "int": lambda v: parse_number(v, True),
           "float": lambda v: parse_number(v, False), "date": parse_date, "year": parse_year,
           "text": parse_text, "info": parse_text, "code": lambda v: v}


def _on_route_codes(store, year: int) -> set[str]:
    """Communes crossed by a route corridor in force in ``year`` (for the class I consistency check)."""
    routes = store.routes(year)
    if not routes:
        return set()
    from .. import boundaries
    from ..corridors import route_membership

    members = route_membership(routes, boundaries.communes(web=True))
    return {code for code, ids in members.items() if ids}


def parse_status(path: str | Path, year: int, *, matcher: CommuneMatcher | None = None,
                 populations: dict[str, int] | None = None, on_route: set[str] | None = None,
                 report: ImportReport | None = None) -> ImportReport:
    """Read and validate a status file without any store. ``report.items`` = accepted Assessments."""
    path = Path(path)
    rep = report or ImportReport("status", source=path.name, year=year)
    if not isinstance(year, int) or year not in YEARS:
        rep.error(f"Năm {year} nằm ngoài giai đoạn {YEARS[0]}–{YEARS[-1]}: không nhập.",
                  suggestion=f"Chọn một năm từ {YEARS[0]} đến {YEARS[-1]}.")
        return rep
    try:
        sheets = read_table(path)
    except (TableError, UnsafeFile) as exc:
        rep.error(str(exc), **getattr(exc, "where", {}))
        return rep
    except Exception as exc:  # any other failure of a parser on a malformed file
        rep.error(f"Không đọc được tệp “{path.name}” ({type(exc).__name__}). Hãy kiểm tra lại tệp.")
        return rep
    if matcher is None:
        matcher = CommuneMatcher.from_boundaries()
    if populations is None:
        from .. import boundaries

        t = boundaries.commune_table()
        populations = dict(zip(t["code"], t["population"]))
    _parse_sheets(sheets, year, matcher, populations, on_route or set(), rep)
    return rep


def _parse_sheets(sheets: list[Sheet], year: int, matcher: CommuneMatcher, populations, on_route, rep):
    seen: dict[str, tuple[str, int]] = {}
    any_header = False
    for sh in sheets:
        if not sh.rows:
            continue
        header = find_header(sh)
        if header is None:
            continue
        any_header = True
        if sh.encoding in ("tcvn3", "vni"):
            ex = next(((b, a) for _, _, b, a in sh.converted), None)
            rows = sorted({r for r, *_ in sh.converted})
            rep.warn(f"Trang dùng bảng mã cũ {encoding.ENCODING_LABELS[sh.encoding]}: đã chuyển {len(sh.converted)} ô "
                     f"sang Unicode" + (f" (ví dụ “{ex[0]}” → “{ex[1]}”)" if ex else "") +
                     (f", dòng {rows[0]}" + (f"–{rows[-1]}" if rows[-1] != rows[0] else "") if rows else "") + ". Hãy kiểm tra lại tên xã.",
                     sheet=sh.name)
        elif sh.encoding == "cp1258":
            rep.notes.append("Tệp CSV dùng bảng mã Windows-1258: đã chuyển sang Unicode.")
        # merged cells: the header row, or any data row, would lose values
        for ref in sh.merged:
            m = re.match(r"([A-Z]+)(\d+)", ref)
            r0 = int(m.group(2)) if m else None
            m2 = re.search(r":([A-Z]+)(\d+)$", ref)
            r1 = int(m2.group(2)) if m2 else r0
            if r0 is not None and r1 is not None and r1 >= header.row:
                where = "hàng tiêu đề" if r0 <= header.row else "vùng dữ liệu"
                rep.error(f"Ô gộp (merge) {ref} trong {where}: bảng nhập không được có ô gộp.",
                          sheet=sh.name, row=r0, column=m.group(1) if m else "",
                          suggestion="Bỏ gộp ô (Merge & Center → Unmerge) và ghi mỗi cột một tiêu đề.")
        for i, t in header.unknown:
            rep.warn(f"Cột “{t}” không thuộc mẫu nhập: bỏ qua.", sheet=sh.name, row=header.row, column=col_letter(i))
        present = set(header.fields.values())
        if "drug_free" not in present and "complexity_class" not in present:
            rep.error("Không có cột “Không ma túy (Có/Không)” hay “Loại trọng điểm (I/II/III)”: không phải bảng "
                      "tình trạng theo mẫu.", sheet=sh.name, row=header.row,
                      suggestion="Dùng tệp mẫu (python -m geo status template hoặc nút “Tải mẫu Excel”).")
            continue
        col_of = {f: i for i, f in header.fields.items()}
        for rownum, vals in sh.rows:
            if rownum <= header.row:
                continue
            _parse_row(sh, header, col_of, rownum, vals, year, matcher, populations, on_route, seen, rep)
    if not any_header:
        if not any(sh.rows for sh in sheets):
            rep.error("Tệp không có dữ liệu (trống).")
        else:
            first = sheets[0].name if sheets else ""
            rep.error("Không tìm thấy hàng tiêu đề (cần cột “Mã xã” hoặc “Tên xã/phường” và các cột tình trạng) "
                      f"trong {MAX_SCAN} dòng đầu.", sheet=first,
                      suggestion="Dùng tệp mẫu: python -m geo status template --out mau.xlsx")
    elif not rep.items and not rep.errors:
        rep.error("Tệp không có dòng dữ liệu nào được điền.")


MAX_SCAN = 15


def _parse_row(sh, header, col_of, rownum, vals, year, matcher, populations, on_route, seen, rep):
    def cell(f):
        i = col_of.get(f)
        return vals[i] if i is not None and i < len(vals) else None

    def where(f):
        i = col_of.get(f)
        return {"sheet": sh.name, "row": rownum, "column": col_letter(i) if i is not None else "",
                "header": header.texts.get(i, BY_FIELD[f].header) if i is not None else BY_FIELD[f].header}

    if all(_blank(v) for v in vals):
        return
    filled = [f for f in STATUS_FIELDS if f in col_of and not _blank(cell(f))]
    if not filled:
        rep.skipped_rows += 1  # a template row left blank: not an assessment
        return
    rep.rows_read += 1
    n_err = len(rep.errors)
    values: dict[str, Any] = {}
    for f in STATUS_FIELDS + ("year",):
        if f not in col_of:
            continue
        try:
            values[f] = PARSERS[BY_FIELD[f].kind](cell(f))
        except CellError as exc:
            rep.error(str(exc), suggestion=exc.suggestion, **where(f))
    if values.get("year") is not None and values["year"] != year:
        rep.error(f"Năm ghi trong bảng là {values['year']} nhưng đang nhập cho năm {year}.",
                  suggestion=f"Sửa cột Năm thành {year} hoặc chọn đúng năm khi nhập.", **where("year"))
    # the commune
    code_v, name_v = cell("code"), cell("name")
    m = matcher.match(code=None if _blank(code_v) else code_v, name=None if _blank(name_v) else name_v,
                      district=parse_text(cell("former_districts")))
    if not m.ok and not _blank(name_v) and isinstance(name_v, str) and encoding.detect(name_v):
        # a single legacy-font cell in an otherwise Unicode sheet
        fixed, enc = encoding.fix_text(name_v)
        m2 = matcher.match(code=None if _blank(code_v) else code_v, name=fixed)
        if m2.ok:
            m = m2
            rep.warn(f"Tên “{name_v}” dùng bảng mã cũ {encoding.ENCODING_LABELS[enc]}: đã hiểu là “{fixed}”.",
                     **where("name"))
    key_field = "code" if not _blank(code_v) and "code" in col_of else "name"
    if not m.ok:
        rep.error(m.error, suggestion=m.suggestion, **where(key_field))
        return
    if m.warning:
        rep.warn(m.warning, **where(key_field))
    if m.code in seen:
        s0, r0 = seen[m.code]
        rep.error(f"{m.name} ({m.code}) xuất hiện hai lần: trang “{s0}” dòng {r0} và trang “{sh.name}” dòng {rownum}.",
                  suggestion="Giữ một dòng cho mỗi xã, xoá dòng trùng.", **where(key_field))
        return
    seen[m.code] = (sh.name, rownum)
    if len(rep.errors) > n_err:
        return
    kw = {k: v for k, v in values.items() if k in {f.name for f in dc_fields(Assessment)} and k != "year"}
    a = Assessment(code=m.code, year=year, **kw)
    if a.decision_date and not a.drug_free:
        rep.warn("Có ngày quyết định công nhận nhưng cột “Không ma túy” là Không.", **where("drug_free"))
    for w in consistency_warnings(a, populations.get(m.code), m.code in on_route):
        rep.warn(f"{m.name}: {w}.", sheet=sh.name, row=rownum)
    rep.items.append(a)


def _same(a: Assessment, b: Assessment | None) -> bool:
    return b is not None and a.to_dict() == b.to_dict()


def import_status(path: str | Path, year: int, store, *, user: str, dry_run: bool = True,
                  reason: str = "") -> ImportReport:
    """Parse, validate and (unless ``dry_run`` or any error) store a year's statuses in one revision."""
    path = Path(path)
    rep = ImportReport("status", source=path.name, year=year, dry_run=dry_run)
    on_route = _on_route_codes(store, year) if isinstance(year, int) and year in YEARS else set()
    parse_status(path, year, on_route=on_route, report=rep)
    if rep.errors:
        return rep
    current = store.assessments(year)
    changed = [a for a in rep.items if not _same(a, current.get(a.code))]
    rep.changed, rep.unchanged = len(changed), len(rep.items) - len(changed)
    if dry_run or not changed:
        return rep
    from ..store import StoreError

    try:
        store.upsert_assessments(year, changed, user=user, reason=reason or f"Nhập tệp {path.name}",
                                 source=path.name)
    except StoreError as exc:
        rep.error(f"Cơ sở dữ liệu từ chối: {exc}")
        return rep
    rep.stored = True
    return rep
