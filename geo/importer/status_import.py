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

from ..escape import excel_cell
from ..model import CLASSES, INDICATORS, YEARS, Assessment, consistency_warnings, contradiction
from ..text import fold
from .matching import CommuneMatcher
from .report import ImportReport, MatchNote, col_letter
from .safety import UnsafeFile
from .table import BY_FIELD, EXAMPLES, Sheet, TableError, find_header, read_table
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


_VI_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234 / 1.234,5 / 12.345.678
_VI_DECIMAL = re.compile(r"^\d+,\d+$")  # 12,5
_DOT_DECIMAL = re.compile(r"^\d+(\.\d+)?$")  # 12 / 12.5 (as Excel and CSV exports write them)
_EN_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+\.\d+$")  # 1,234.5: both separators, the English way


def parse_number(v: Any, integer: bool) -> int | float:
    """Excel numbers, and text in Vietnamese notation: "1.234" = 1234, "1.234,5" and "12,5" with a
    decimal comma; "12.5" with a dot as Excel's own text exports write it."""
    if _blank(v):
        return 0 if integer else 0.0
    if isinstance(v, bool):
        raise CellError(f"Ô chứa “{v}” chứ không phải số.")
    if isinstance(v, (int, float)):
        x = float(v)
    else:
        s = re.sub(r"[\s\u00a0\u202f\u2009]", "", str(v))
        neg = s.startswith("-")
        body = s[1:] if neg else s
        if _VI_THOUSANDS.match(body):
            t = body.replace(".", "").replace(",", ".")
        elif _VI_DECIMAL.match(body):
            t = body.replace(",", ".")
        elif _DOT_DECIMAL.match(body):
            t = body
        elif _EN_THOUSANDS.match(body):
            t = body.replace(",", "")
        else:
            raise CellError(f"Ô chứa chữ “{v}” trong cột số.",
                            "Chỉ ghi số (ví dụ 12, 1.234 hoặc 12,5), để trống nếu bằng 0.")
        x = float(t) * (-1 if neg else 1)
    if not math.isfinite(x):
        raise CellError(f"Giá trị “{v}” không phải số hữu hạn.")
    if x < 0:
        raise CellError(f"Số âm ({v}) không hợp lệ: số liệu phải ≥ 0.", "Kiểm tra lại số liệu; ghi 0 nếu không có.")
    if integer:
        if x != int(x):
            raise CellError(f"“{v}” phải là số nguyên.",
                            "Dấu phẩy là dấu thập phân (12,5 = mười hai phẩy năm); dấu chấm ngăn cách hàng nghìn (1.234).")
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


def unprotect(s: str) -> str:
    """Undo the apostrophe the export adds in front of text a spreadsheet would take for a formula
    (geo.escape.excel_cell; template._text_cell): removed only when what follows it — after any
    further apostrophes — would be a formula, so "'=1+1" -> "=1+1" and "''=x" -> "'=x", while
    "'abc" stays."""
    if s.startswith("'"):
        core = s.lstrip("'")
        if core and excel_cell(core) != core:
            return s[1:]
    return s


def parse_text(v: Any) -> str:
    if _blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%d/%m/%Y")
    return unprotect(str(v).strip())


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



# --- rows that are not data: blank, column numbers, totals, signatures, place and date, notes ----
_TOTAL = re.compile(r"^(tong cong|tong so|tong|cong|toan tinh|cong toan tinh|tong cong toan tinh)"
                    r"( (toan tinh|chung|ca tinh|toan huyen|\d.{0,30}|\(.{0,30}\)))?\s*:?$")
_SIGNATURE = re.compile(
    r"^(tm|kt|tl|tuq|q)( |:)+(ubnd|uy ban|chu tich|giam doc|truong|ban|cong an|thu truong|pho|hdnd|dang uy)"
    r"|^(nguoi lap( bieu)?|nguoi tong hop|nguoi ky|chu tich|pho chu tich|giam doc|pho giam doc|truong cong an"
    r"|pho truong cong an|thu truong|can bo|ke toan|xac nhan|noi nhan|\(ky\b|ky (ten|ghi ro|va ghi ro|dong dau)\b"
    r"|\(da ky\b|da ky$)")
_PLACE_DATE = re.compile(r"\bngay( \d{1,2})?( )?(/|thang)( \d{1,2})?( )?(/|nam)( \d{4})?\b")
_NOTE = re.compile(r"^(\(?\*+\)?|ghi chu|luu y|chu thich|chu y|nguon|nguon so lieu|ghi chu chung)\s*[:*]"
                   r"|^\(?\*+\)?\s|^(luu y|chu y|ghi chu)\b")
_SECTION = re.compile(r"^((i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii|xiii|xiv|xv|xvi|xvii|xviii|[a-d])( |\)|\.)+)?"
                      r"(huyen|thanh pho|tp|thi xa|tx|khu vuc|cum)\b")
_COLNUM = re.compile(r"^\(?[0-9]{1,2}\)?$|^\(?[a-z]\)?$")
_TYPED = ("bool", "class", "int", "float", "date", "year")


def _looks_like_data(vals, col_of) -> bool:
    """A row with a code, or a value that parses in a typed status column (Có/Không, a class, a number…)."""
    i = col_of.get("code")
    if i is not None and i < len(vals) and not _blank(vals[i]):
        if re.fullmatch(r"\d{1,5}", parse_text(vals[i]).replace(".0", "")):
            return True
    for f, i in col_of.items():
        if i >= len(vals) or _blank(vals[i]) or f not in STATUS_FIELDS + ("year",):
            continue
        if BY_FIELD[f].kind in _TYPED:
            try:
                PARSERS[BY_FIELD[f].kind](vals[i])
                return True
            except CellError:
                continue
    return False


def _classify(vals, col_of, label_cols: set[int], after_header: int, in_footer: bool) -> str | None:
    """Why a row is not data ('blank', 'numbers', 'total', 'signature', 'date', 'note', 'footer',
    'section'), or None for a data row."""
    cells = [(i, v) for i, v in enumerate(vals) if not _blank(v)]
    if not cells:
        return "blank"
    texts = [(i, fold(str(v))) for i, v in cells]
    if after_header <= 3 and len(cells) >= 3 and all(_COLNUM.match(t) for _, t in texts):
        return "numbers"
    data = _looks_like_data(vals, col_of)
    code_i = col_of.get("code")
    has_code = code_i is not None and code_i < len(vals) and not _blank(vals[code_i]) and \
        bool(re.fullmatch(r"\d{1,5}", parse_text(vals[code_i]).replace(".0", "")))
    if not has_code and any(_TOTAL.match(t) for i, t in texts if i in label_cols):
        return "total"
    if data:
        return None
    if any(_PLACE_DATE.search(t) for _, t in texts):
        return "date"
    if any(_SIGNATURE.match(t) for _, t in texts):
        return "signature"
    if any(_NOTE.match(t) for _, t in texts):
        return "note"
    if in_footer:
        return "footer"
    if len(cells) == 1 and _SECTION.match(texts[0][1]) and len(texts[0][1]) <= 60:
        return "section"
    return None


_SKIP_LABEL = {"numbers": "dòng đánh số cột", "total": "dòng tổng cộng", "signature": "dòng ký tên",
               "date": "dòng địa danh, ngày tháng", "note": "dòng ghi chú", "footer": "phần ký tên cuối bảng",
               "section": "dòng tiêu đề nhóm"}


def _short(vals) -> str:
    t = " | ".join(str(v).strip() for v in vals if not _blank(v))
    return t if len(t) <= 60 else t[:57] + "…"


def _encoding_note(sh: Sheet, header_row: int = 0) -> str:
    first_per_row: dict[int, tuple[str, str]] = {}
    for r, _, b, a in sorted(sh.converted, key=lambda x: (x[0] < header_row, x[0], x[1])):
        first_per_row.setdefault(r, (b, a))  # one example per row: the header, then the first names
    ex = list(dict.fromkeys(first_per_row.values()))[: EXAMPLES]
    rows = sorted({r for r, *_ in sh.converted})
    return (f"Trang “{sh.name}” dùng bảng mã cũ {encoding.ENCODING_LABELS[sh.encoding]}: đã chuyển "
            f"{len(sh.converted)} ô sang Unicode (dòng {rows[0]}–{rows[-1]}), ví dụ: "
            + "; ".join(f"“{b}” → “{a}”" for b, a in ex) + ". Hãy kiểm tra lại tên xã.")


def _ranges(merge: str) -> tuple[str, int, int] | None:
    m = re.match(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$", merge)
    if not m:
        return None
    r0 = int(m.group(2))
    return m.group(1), r0, int(m.group(4) or r0)


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
        if sh.encoding in ("tcvn3", "vni") and sh.converted:
            rep.notes.append(_encoding_note(sh, header.row))
        elif sh.encoding == "cp1258":
            rep.notes.append("Tệp CSV dùng bảng mã Windows-1258: đã chuyển sang Unicode.")
        above = [r for r, _ in sh.rows if r < header.row]
        if above:
            rep.skipped.append(f"Trang “{sh.name}”: bỏ qua {len(above)} dòng phía trên hàng tiêu đề "
                               f"(dòng {above[0]}–{above[-1]}: tên bảng, đơn vị…).")
        for i, t in header.unknown:
            rep.warn(f"Cột “{t}” không thuộc mẫu nhập: bỏ qua.", sheet=sh.name, row=header.row, column=col_letter(i))
        present = set(header.fields.values())
        if "drug_free" not in present and "complexity_class" not in present:
            rep.error("Không có cột “Không ma túy (Có/Không)” hay “Loại trọng điểm (I/II/III)”: không phải bảng "
                      "tình trạng theo mẫu.", sheet=sh.name, row=header.row,
                      suggestion="Dùng tệp mẫu (python -m geo status template hoặc nút “Tải mẫu Excel”).")
            continue
        col_of = {f: i for i, f in header.fields.items()}
        first_status = min((i for f, i in col_of.items() if f in STATUS_FIELDS), default=len(header.texts))
        label_cols = {i for i in range(first_status)} | {col_of[f] for f in ("code", "name") if f in col_of}
        data_rows = [header.row]
        in_footer = False
        after = 0
        for rownum, vals in sh.rows:
            if rownum <= header.row:
                continue
            after += 1
            kind = _classify(vals, col_of, label_cols, after, in_footer)
            if kind == "blank":
                continue
            if kind:
                if kind in ("signature", "date", "total"):
                    in_footer = in_footer or kind != "total"
                rep.skipped.append(f"Trang “{sh.name}” dòng {rownum}: bỏ qua {_SKIP_LABEL[kind]} “{_short(vals)}”.")
                continue
            data_rows.append(rownum)
            _parse_row(sh, header, col_of, rownum, vals, year, matcher, populations, on_route, seen, rep)
        # merged cells lose values: refused in the header row and in data rows (titles, footers are fine)
        for ref in sh.merged:
            rg = _ranges(ref)
            if rg is None:
                continue
            col, r0, r1 = rg
            hit = [r for r in data_rows if r0 <= r <= r1]
            if hit:
                where = "hàng tiêu đề" if hit[0] == header.row else "vùng dữ liệu"
                rep.error(f"Ô gộp (merge) {ref} trong {where}: bảng nhập không được có ô gộp.",
                          sheet=sh.name, row=r0, column=col,
                          suggestion="Bỏ gộp ô (Merge & Center → Unmerge) và ghi mỗi cột một tiêu đề.")
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
    if _blank(code_v) and _blank(name_v):
        rep.error("Dòng có số liệu nhưng thiếu cả mã xã lẫn tên xã: không biết là xã nào.",
                  suggestion="Ghi mã xã (5 chữ số) hoặc tên xã/phường.",
                  **where("name" if "name" in col_of else "code"))
        return
    name_s = None if _blank(name_v) else parse_text(name_v)
    m = matcher.match(code=None if _blank(code_v) else code_v, name=name_s,
                      district=parse_text(cell("former_districts")))
    key_field = "code" if not _blank(code_v) and "code" in col_of else "name"
    if not m.ok:
        rep.error(m.error, suggestion=m.suggestion, **where(key_field))
        return
    if m.warning:
        rep.warn(m.warning, **where(key_field))
    if m.why:
        w = where(key_field)
        rep.matches.append(MatchNote(sh.name, rownum, f"{w['column']} ({w['header']})",
                                     parse_text(code_v) if m.via in ("code", "old_code") else (name_s or ""),
                                     m.code, m.name, "; ".join(m.why)))
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
    bad = contradiction(a)
    if bad:
        rep.error(f"{m.name} ({m.code}) {bad}.", suggestion="Sửa cột “Không ma túy” hoặc “Loại trọng điểm” của dòng này.",
                  **where("complexity_class" if "complexity_class" in col_of else "drug_free"))
        return
    if a.decision_date and not a.drug_free:
        rep.warn("Có ngày quyết định công nhận nhưng cột “Không ma túy” là Không.", **where("drug_free"))
    for w in consistency_warnings(a, populations.get(m.code), m.code in on_route):
        rep.warn(f"{m.name}: {w}.", sheet=sh.name, row=rownum)
    rep.items.append(a)


def _same(a: Assessment, b: Assessment | None) -> bool:
    return b is not None and a.to_dict() == b.to_dict()


def _count_changes(rep: ImportReport, current: dict[str, Assessment]) -> list[Assessment]:
    changed = [a for a in rep.items if not _same(a, current.get(a.code))]
    rep.changed, rep.unchanged = len(changed), len(rep.items) - len(changed)
    return changed


def preview_status(rep: ImportReport, store) -> ImportReport:
    """Count what a parsed report would change in ``store`` (None: an empty store). Reads only."""
    _count_changes(rep, store.assessments(rep.year) if store is not None else {})
    return rep


def commit_status(rep: ImportReport, store, *, user: str, reason: str = "", source: str = "") -> ImportReport:
    """Store a clean parsed report: what changed is computed and written inside ONE write
    transaction, so simultaneous imports serialise and each revision holds exactly its file."""
    if rep.errors:
        return rep
    from .. import service
    from ..store import StoreError

    source = source or rep.source
    rep.dry_run = False
    try:
        with store.batch():  # compare and write (and audit, in geo.service) in one write transaction
            changed = _count_changes(rep, store.assessments(rep.year))
            if changed:
                rep.revision = service.import_assessments(
                    store, rep.year, changed, user=user, reason=reason or f"Nhập tệp {source}", source=source,
                    replace=False, what=f"Nhập trạng thái năm {rep.year} từ tệp {source}",
                    detail={"changed": len(changed), "unchanged": rep.unchanged, "non_exact_matches": len(rep.matches)})
                rep.stored = True
    except StoreError as exc:
        rep.error(f"Cơ sở dữ liệu từ chối: {exc}")
        rep.stored = False
    return rep


def import_status(path: str | Path, year: int, store, *, user: str, dry_run: bool = True,
                  reason: str = "") -> ImportReport:
    """Parse, validate and (unless ``dry_run`` or any error) store a year's statuses in one revision.

    A dry run only reads: ``store`` may be None (no store yet), then every row counts as a change."""
    path = Path(path)
    rep = ImportReport("status", source=path.name, year=year, dry_run=dry_run)
    on_route = (_on_route_codes(store, year) if store is not None and isinstance(year, int) and year in YEARS
                else set())
    parse_status(path, year, on_route=on_route, report=rep)
    if rep.errors:
        return rep
    if dry_run:
        return preview_status(rep, store)
    return commit_status(rep, store, user=user, reason=reason)
