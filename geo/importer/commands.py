"""CLI subcommands ``status import|export|template`` and ``routes import`` (registered by geo.cli)."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from ..model import YEARS


def _user(args) -> str:
    return args.user or getpass.getuser()


def _print_report(rep) -> int:
    print("\n".join(rep.lines()))
    return 1 if rep.errors else 0


def cmd_status(args) -> int:
    from ..store import StoreError, open_store
    from . import export_year, import_status, write_template

    if args.action == "template":
        if args.year is not None and args.year not in YEARS:
            print(f"LỖI: năm {args.year} nằm ngoài {YEARS[0]}–{YEARS[-1]}.")
            return 2
        write_template(args.out, args.year)
        print(f"Đã ghi tệp mẫu {args.out} (124 đơn vị cấp xã).")
        return 0
    if args.year not in YEARS:
        print(f"LỖI: năm {args.year} nằm ngoài giai đoạn {YEARS[0]}–{YEARS[-1]}.")
        return 2
    try:
        store = open_store()
    except StoreError as exc:
        print(f"LỖI: {exc}")
        return 2
    try:
        if args.action == "export":
            export_year(store, args.year, args.out)
            mark = " (DỮ LIỆU MINH HỌA)" if store.is_demo(args.year) else ""
            print(f"Đã xuất năm {args.year}{mark}: {len(store.assessments(args.year))} xã → {args.out}")
            return 0
        rep = import_status(args.file, args.year, store, user=_user(args), dry_run=args.dry_run,
                            reason=args.reason or "")
        return _print_report(rep)
    finally:
        store.close()


def cmd_routes(args) -> int:
    from ..store import open_store
    from . import import_routes

    store = open_store()
    try:
        rep = import_routes(args.file, store, user=_user(args), crs=args.crs, dry_run=args.dry_run,
                            replace=args.replace, reason=args.reason or "")
        return _print_report(rep)
    finally:
        store.close()


def add_parsers(sub: argparse._SubParsersAction) -> None:
    st = sub.add_parser("status", help="tình trạng các xã theo năm: nhập từ Excel/CSV, xuất, tệp mẫu")
    sts = st.add_subparsers(dest="action", required=True)
    si = sts.add_parser("import", help="nhập tình trạng một năm từ .xlsx/.csv (có lỗi thì không lưu gì)")
    si.add_argument("file", type=Path)
    si.add_argument("--year", type=int, required=True)
    si.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và báo cáo, không lưu")
    si.add_argument("--user", default=None, help="người nhập (mặc định: người dùng hệ điều hành)")
    si.add_argument("--reason", default=None, help="lý do (ghi vào lịch sử)")
    se = sts.add_parser("export", help="xuất một năm ra Excel theo đúng mẫu nhập")
    se.add_argument("--year", type=int, required=True)
    se.add_argument("--out", type=Path, required=True)
    stt = sts.add_parser("template", help="tệp Excel mẫu có sẵn 124 đơn vị và danh sách chọn")
    stt.add_argument("--out", type=Path, required=True)
    stt.add_argument("--year", type=int, default=None)
    st.set_defaults(func=cmd_status)

    rt = sub.add_parser("routes", help="tuyến trọng điểm: nhập từ GeoJSON, KML, GPX, Shapefile nén")
    rts = rt.add_subparsers(dest="action", required=True)
    ri = rts.add_parser("import", help="nhập tuyến (mọi hệ toạ độ tệp khai báo, kể cả VN-2000)")
    ri.add_argument("file", type=Path)
    ri.add_argument("--crs", default=None, help="hệ toạ độ khi tệp không khai báo, ví dụ EPSG:9209 hoặc EPSG:9211")
    ri.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và báo cáo, không lưu")
    ri.add_argument("--replace", action="store_true", help="xoá các tuyến không có trong tệp")
    ri.add_argument("--user", default=None)
    ri.add_argument("--reason", default=None)
    rt.set_defaults(func=cmd_routes)
