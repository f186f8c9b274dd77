"""CLI glue for exports: ``python -m geo export html --year Y --view … --lang vi|en --out FILE``."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def year_store(year: int, store=None):
    """The given store, or the default one opened (and closed) here; ExportError when ``year`` has
    nothing to show (no statuses, and no route in force in a year of the 2025–2030 scheme), naming the
    years that have data. A scheme year with routes but no statuses is exported (every commune "no
    data"; route views work)."""
    from ..store import open_store
    from .html import ExportError

    own = store is None
    store = store or open_store()
    try:
        from ..model import YEARS

        if year not in store.years() and not (year in YEARS and store.routes(year)):
            known = ", ".join(map(str, store.years())) or "chưa có năm nào"
            raise ExportError(f"Kho dữ liệu không có số liệu năm {year} (có: {known}). "
                              "Nhập dữ liệu năm đó hoặc chạy `python -m geo demo`.")
        yield store
    finally:
        if own:
            store.close()


def _view(view):
    from ..yearview import View, ViewError
    from .html import ExportError

    try:
        return View.parse(view)
    except ViewError as exc:
        raise ExportError(str(exc)) from None


def export_html_from_store(year: int, view, lang: str, out: Path, *, basemap: bool = False,
                           store=None) -> Path:
    """Read ``year``'s view from the store, build the map, write the standalone file; returns its path."""
    from ..yearview import year_view
    from .html import export_view, write_html

    view = _view(view)  # a bad --view fails before the store is even opened
    with year_store(year, store) as store:
        page = export_view(year_view(store, year), view, lang=lang, basemap=basemap)
    return write_html(out, page)


def _cmd_export_html(args) -> int:
    from ..store import StoreError
    from .html import ExportError

    try:
        path = export_html_from_store(args.year, args.view, args.lang, args.out, basemap=args.basemap)
    except (ExportError, StoreError) as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 1
    size = path.stat().st_size
    print(f"Đã ghi {path} ({size / 1024:.0f} KB): bản đồ độc lập, mở được không cần mạng.")
    return 0


def add_html_parser(formats: argparse._SubParsersAction) -> None:
    """Register ``html`` under the ``export`` command's sub-commands."""
    h = formats.add_parser("html", help="bản đồ HTML độc lập (mở được từ USB, không cần mạng)")
    h.add_argument("--year", type=int, required=True, help="năm số liệu, ví dụ 2025")
    h.add_argument("--view", default="overview",
                   help="overview | route:MÃ_TUYẾN | key | commune:MÃ_XÃ (mặc định: overview)")
    h.add_argument("--lang", choices=("vi", "en"), default="vi")
    h.add_argument("--out", type=Path, required=True, help="tệp .html kết quả")
    h.add_argument("--basemap", action="store_true",
                   help="thêm lớp nền OpenStreetMap (tắt sẵn; chỉ hiện khi có mạng và được bật)")
    h.set_defaults(func=_cmd_export_html)


def export_sheet_from_store(fmt: str, year: int, view, paper: str, lang: str, out: Path,
                            *, store=None, dpi: int = 150) -> Path:
    """The printable briefing sheet (PDF or PNG) of ``view`` for ``year``, written atomically."""
    import os
    import tempfile

    from ..yearview import year_view
    from .html import ExportError
    from .sheet import PAPER_MM, write_sheet

    view = _view(view)  # a bad --view fails before the store is opened
    if paper not in PAPER_MM:
        raise ExportError(f"Khổ giấy không hợp lệ: {paper!r} (chọn a4 hoặc a3).")
    with year_store(year, store) as store:
        yv = year_view(store, year)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".sheet-", suffix=f".{fmt}")
        os.close(fd)
        try:
            write_sheet(tmp, fmt, yv, view, lang=lang, paper=paper, dpi=dpi)
            os.replace(tmp, out)
        except ValueError as exc:
            raise ExportError(str(exc)) from exc
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return out


def _cmd_export_sheet(args) -> int:
    from ..store import StoreError
    from .html import ExportError

    try:
        path = export_sheet_from_store(args.format, args.year, args.view, args.paper, args.lang, args.out)
    except (ExportError, StoreError) as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 1
    print(f"Đã ghi {path} ({path.stat().st_size / 1024:.0f} KB): tờ trình {args.paper.upper()} khổ ngang.")
    return 0


def add_sheet_parsers(formats: argparse._SubParsersAction) -> None:
    """Register ``pdf`` and ``png`` under the ``export`` command's sub-commands."""
    for fmt in ("pdf", "png"):
        p = formats.add_parser(fmt, help=f"tờ trình in ({fmt.upper()}, A4/A3 khổ ngang)")
        p.add_argument("--year", type=int, required=True, help="năm số liệu, ví dụ 2025")
        p.add_argument("--view", default="overview",
                       help="overview | route:MÃ_TUYẾN | key | commune:MÃ_XÃ (mặc định: overview)")
        p.add_argument("--paper", choices=("a4", "a3"), default="a4")
        p.add_argument("--lang", choices=("vi", "en"), default="vi")
        p.add_argument("--out", type=Path, required=True, help=f"tệp .{fmt} kết quả")
        p.set_defaults(func=_cmd_export_sheet, format=fmt)
