"""CLI glue for exports: ``python -m geo export html --year Y --view … --lang vi|en --out FILE``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def export_html_from_store(year: int, view: str, lang: str, out: Path, *, basemap: bool = False,
                           store=None) -> Path:
    """Read ``year`` from the store, build the view, write the standalone file; returns its path."""
    from .. import status
    from ..store import open_store
    from .html import ExportError, export_view, parse_view, write_html

    parse_view(view)  # a bad --view fails before the store is even opened
    own = store is None
    store = store or open_store()
    try:
        if year not in store.years():
            known = ", ".join(map(str, store.years())) or "chưa có năm nào"
            raise ExportError(f"Kho dữ liệu không có số liệu năm {year} (có: {known}). "
                              "Nhập dữ liệu năm đó hoặc chạy `python -m geo demo`.")
        frame = status.status_frame(store, year)
        page = export_view(frame, store.routes(year), view, year=year, lang=lang,
                           demo=store.is_demo(year), basemap=basemap)
    finally:
        if own:
            store.close()
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
