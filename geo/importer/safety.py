"""Guards applied before any uploaded file is parsed: size, zip bombs, path traversal, XML entities."""

from __future__ import annotations

import os
import posixpath
import zipfile
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024  # an upload larger than this is refused before parsing
MAX_XLS_BYTES = 10 * 1024 * 1024  # an .xls is read whole into memory by xlrd: a tighter bound
# Work limits: a province sheet is 124 rows × ~25 columns (≈ 40 kB of XML); these leave room for
# hand-made workbooks with extra sheets while refusing files that would cost seconds and gigabytes.
MAX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024  # total of all zip members (.xlsx, .ods, .zip) once expanded
MAX_RATIO = 100  # expanded size / compressed size, over the whole archive
MAX_ENTRIES = 5000
MAX_ROWS = 20_000  # rows read over all sheets
MAX_CELLS = 400_000  # cells read over all sheets (empty cells inside a row count)


class UnsafeFile(ValueError):
    """The file is refused before parsing. The message is Vietnamese."""


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".replace(".", ",") + " MB"


def check_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> int:
    path = Path(path)
    if not path.is_file():
        raise UnsafeFile(f"Không tìm thấy tệp “{path.name}”.")
    size = os.path.getsize(path)
    if size == 0:
        raise UnsafeFile(f"Tệp “{path.name}” rỗng (0 byte).")
    if size > max_bytes:
        raise UnsafeFile(f"Tệp “{path.name}” quá lớn ({_mb(size)}); giới hạn là {_mb(max_bytes)}. "
                         "Hãy tách tệp hoặc bỏ bớt các trang không cần thiết.")
    return size


def safe_member_name(name: str) -> bool:
    """A zip member name that stays inside the archive's folder (no '..', no absolute path, no drive)."""
    if not name or "\x00" in name or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return False
    parts = posixpath.normpath(name.replace("\\", "/")).split("/")
    return ".." not in parts and ".." not in name.replace("\\", "/").split("/")


def check_zip(path: Path, what: str) -> list[zipfile.ZipInfo]:
    """Open-free inspection of a zip's directory: refuse bombs and escaping names."""
    path = Path(path)
    if not zipfile.is_zipfile(path):
        raise UnsafeFile(f"Tệp “{path.name}” không phải là {what} hợp lệ (không đúng định dạng nén zip).")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnsafeFile(f"Tệp “{path.name}” bị hỏng, không mở được ({exc}).") from None
    if len(infos) > MAX_ENTRIES:
        raise UnsafeFile(f"Tệp “{path.name}” chứa quá nhiều thành phần ({len(infos)}).")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_RATIO:
        raise UnsafeFile(f"Tệp “{path.name}” khi giải nén lên tới {_mb(total)} (tỷ lệ nén {total // packed}:1), "
                         f"vượt giới hạn {_mb(MAX_UNCOMPRESSED_BYTES)} hoặc tỷ lệ {MAX_RATIO}:1: nghi là “bom nén” "
                         "(zip bomb) hoặc tệp quá lớn so với một bảng số liệu cấp xã, không mở. Hãy bỏ các trang, "
                         "hình ảnh không cần thiết rồi lưu lại.")
    bad = [i.filename for i in infos if not safe_member_name(i.filename)]
    if bad:
        raise UnsafeFile(f"Tệp “{path.name}” chứa đường dẫn không an toàn ({bad[0]!r}): không mở.")
    return infos


def check_xml(data: bytes, name: str) -> None:
    """Parse XML without DTD entities (defusedxml): billion-laughs and external entities refused."""
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        DET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise UnsafeFile(f"Tệp “{name}” khai báo thực thể XML (DTD/ENTITY): không được phép vì lý do an toàn.") from None
    except DET.ParseError as exc:
        raise UnsafeFile(f"Tệp “{name}” không phải XML hợp lệ ({exc}).") from None


class WorkBudget:
    """Counts rows and cells while a workbook is streamed; past a limit, UnsafeFile (Vietnamese)."""

    def __init__(self, name: str, max_rows: int = MAX_ROWS, max_cells: int = MAX_CELLS):
        self.name, self.max_rows, self.max_cells = name, max_rows, max_cells
        self.rows = self.cells = 0

    def add(self, cells: int, rows: int = 1, sheet: str = "") -> None:
        self.rows += rows
        self.cells += cells
        if self.rows > self.max_rows or self.cells > self.max_cells:
            where = f" (trang “{sheet}”)" if sheet else ""
            raise UnsafeFile(f"Tệp “{self.name}”{where} có hơn {self.max_rows:,} dòng hoặc {self.max_cells:,} ô: "
                             "quá lớn so với một bảng số liệu cấp xã, không đọc tiếp. Hãy chỉ giữ trang số liệu "
                             "và xoá các dòng, cột thừa.".replace(",", "."))
