"""``python -m geo export slides --year 2025 --out trinh-chieu.html``: the standalone slideshow."""

from __future__ import annotations

import datetime as dt

from .deck import slides_html
from .slides import PresentError, default_slides, load_slides


def export_slides(year: int, lang: str, out, *, store=None, date: dt.date | None = None):
    """Write the slideshow of ``year`` (the saved slide list, else the default one); returns the path."""
    from ..export.commands import year_store
    from ..export.html import write_html

    with year_store(year, store) as store:
        slides = load_slides(store) or default_slides(store, year)
        page = slides_html(store, year, slides, lang=lang, date=date)
    return write_html(out, page)


def _cmd_export_slides(args) -> int:
    import sys

    from ..export.html import ExportError
    from ..store import StoreError

    try:
        path = export_slides(args.year, args.lang, args.out)
    except (ExportError, StoreError, PresentError) as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 1
    print(f"Đã ghi {path} ({path.stat().st_size / 1024:.0f} KB): trình chiếu độc lập, mở được không cần mạng.")
    return 0


def add_slides_parser(formats) -> None:
    """Register ``slides`` under the ``export`` command's sub-commands."""
    from pathlib import Path

    p = formats.add_parser("slides", help="trình chiếu HTML độc lập cho máy chiếu (mở được từ USB, không cần mạng)")
    p.add_argument("--year", type=int, required=True, help="năm số liệu, ví dụ 2025")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    p.add_argument("--out", type=Path, required=True, help="tệp .html kết quả")
    p.set_defaults(func=_cmd_export_slides)
