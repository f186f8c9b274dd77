"""The result of an import (or a dry run): rows accepted, warnings and errors with their place.

Every message is Vietnamese and says where: sheet, row (1-based, as Excel shows it) and column
(letter and header), plus a suggestion when there is one ("Có phải là Xã Thượng Lâm?")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"


def col_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


@dataclass
class Issue:
    level: str  # ERROR | WARNING
    message: str
    sheet: str = ""
    row: int | None = None  # 1-based, as Excel shows it
    column: str = ""  # letter, e.g. "B"
    header: str = ""  # the column's header text
    suggestion: str = ""

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"trang “{self.sheet}”")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột {self.column}" + (f" ({self.header})" if self.header else ""))
        elif self.header:
            parts.append(f"cột “{self.header}”")
        return ", ".join(parts)

    def text(self) -> str:
        head = "LỖI" if self.level == ERROR else "CẢNH BÁO"
        w = self.where()
        s = f"{head}" + (f" [{w}]" if w else "") + f": {self.message}"
        if self.suggestion:
            s += f" — {self.suggestion}"
        return s

    def as_dict(self) -> dict:
        return {"mức": "Lỗi" if self.level == ERROR else "Cảnh báo", "trang": self.sheet,
                "dòng": self.row, "cột": (f"{self.column} ({self.header})" if self.column and self.header
                                          else self.column or self.header),
                "nội dung": self.message, "gợi ý": self.suggestion}


@dataclass
class MatchNote:
    """A row matched to a commune by something other than its code or exact 2025 name."""

    sheet: str
    row: int
    column: str
    written: str  # what the row says (name, or code)
    code: str  # the 2025 unit chosen
    name: str
    why: str  # reasons, Vietnamese

    def text(self) -> str:
        return (f"[trang “{self.sheet}”, dòng {self.row}, cột {self.column}] “{self.written}” → "
                f"{self.name} ({self.code}): {self.why}")

    def as_dict(self) -> dict:
        return {"trang": self.sheet, "dòng": self.row, "cột": self.column, "đã ghi": self.written,
                "mã": self.code, "đơn vị chọn": self.name, "lý do": self.why}


@dataclass
class ImportReport:
    kind: str  # "status" | "routes"
    source: str = ""  # file name as given
    year: int | None = None
    dry_run: bool = True
    rows_read: int = 0
    items: list[Any] = field(default_factory=list)  # accepted Assessments / Routes
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    changed: int = 0  # items that differ from what is stored
    unchanged: int = 0
    skipped_rows: int = 0  # template rows left blank
    stored: bool = False  # True once written to the store
    notes: list[str] = field(default_factory=list)  # informational lines (encoding used, CRS…)
    crs_candidates: list[str] = field(default_factory=list)  # a route file without a CRS: the ones to ask about
    matches: list[MatchNote] = field(default_factory=list)  # non-exact commune matches, to confirm
    skipped: list[str] = field(default_factory=list)  # info lines: non-data rows skipped
    conflicts: list[str] = field(default_factory=list)  # routes: same id/name already stored
    revision: int | None = None  # the revision written, when stored

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def accepted(self) -> int:
        return len(self.items)

    def error(self, message: str, **where) -> Issue:
        issue = Issue(ERROR, message, **where)
        self.errors.append(issue)
        return issue

    def warn(self, message: str, **where) -> Issue:
        issue = Issue(WARNING, message, **where)
        self.warnings.append(issue)
        return issue

    def issues(self) -> list[Issue]:
        return self.errors + self.warnings

    def summary(self) -> str:
        what = "dòng" if self.kind == "status" else "tuyến"
        mode = "CHẠY THỬ (không lưu)" if self.dry_run else "NHẬP"
        s = (f"{mode} {self.source}" + (f" — năm {self.year}" if self.year else "") +
             f": {self.accepted} {what} hợp lệ, {len(self.warnings)} cảnh báo, {len(self.errors)} lỗi")
        if self.kind == "status" and self.skipped_rows:
            s += f", {self.skipped_rows} dòng để trống (bỏ qua)"
        return s

    def outcome(self) -> str:
        if self.errors:
            return "Có lỗi: KHÔNG lưu gì vào cơ sở dữ liệu. Sửa các lỗi trên rồi nhập lại."
        if self.stored:
            return f"Đã lưu: {self.changed} thay đổi."
        if self.dry_run:
            return (f"Không có lỗi. Khi nhập thật sẽ thay đổi {self.changed} mục"
                    f" ({self.unchanged} mục giữ nguyên).")
        return "Không có thay đổi nào so với dữ liệu đang lưu: không tạo phiên bản mới."

    def lines(self) -> list[str]:
        out = [self.summary()]
        out += self.notes
        out += [f"THÔNG TIN: {s}" for s in self.skipped]
        out += [i.text() for i in self.errors]
        out += [i.text() for i in self.warnings]
        if self.matches:
            out.append(f"CẦN XÁC NHẬN: {len(self.matches)} dòng khớp tên không chính xác (không theo mã hay "
                       "đúng tên năm 2025) — kiểm tra đơn vị được chọn:")
            out += ["  " + m.text() for m in self.matches]
        out.append(self.outcome())
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())
