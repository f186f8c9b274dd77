"""CLI subcommands ``status import|export|template`` and ``routes import`` (registered by geo.cli)."""

from __future__ import annotations

import argparse
import sys
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
            print(f"LỖI: năm {args.year} nằm ngoài {YEARS[0]}–{YEARS[-1]}.", file=sys.stderr)
            return 2
        write_template(args.out, args.year)
        print(f"Đã ghi tệp mẫu {args.out} (124 đơn vị cấp xã).")
        return 0
    if args.year not in YEARS:
        print(f"LỖI: năm {args.year} nằm ngoài giai đoạn {YEARS[0]}–{YEARS[-1]}.", file=sys.stderr)
        return 2
    if args.action == "import" and args.dry_run and not _store_exists():
        # a dry run writes nothing, not even an empty store: compare against no data
        rep = import_status(args.file, args.year, None, user=_user(args), dry_run=True)
        rep.notes.append("Chưa có cơ sở dữ liệu: so sánh với dữ liệu trống (không tạo tệp nào).")
        return _print_report(rep)
    try:
        store = open_store()
    except StoreError as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 2
    try:
        if args.action == "export":
            export_year(store, args.year, args.out)
            flags = store.demo_flags(args.year) if hasattr(store, "demo_flags") else None
            mark = " (DỮ LIỆU MINH HỌA)" if (flags.statuses if flags is not None else store.is_demo(args.year)) else ""
            print(f"Đã xuất năm {args.year}{mark}: {len(store.assessments(args.year))} xã → {args.out}")
            return 0
        rep = import_status(args.file, args.year, store, user=_user(args), dry_run=args.dry_run,
                            reason=args.reason or "")
        return _print_report(rep)
    finally:
        store.close()


def _store_exists() -> bool:
    """Whether the configured store already exists (a dry run must not create it)."""
    from ..store import default_path

    try:
        return Path(default_path()).exists()
    except Exception:
        return True  # not a plain file path (a server database): opening it creates nothing


def cmd_routes(args) -> int:
    from ..store import open_store
    from . import import_routes

    on_conflict = "replace" if args.replace else "keep_both" if args.keep_both else None
    opts = dict(user=_user(args), crs=args.crs, dry_run=args.dry_run, replace_all=args.replace_all,
                on_conflict=on_conflict, route_id=args.id, name=args.name, width_km=args.width_km,
                reason=args.reason or "")
    if args.dry_run and not _store_exists():
        rep = import_routes(args.file, None, **opts)
        rep.notes.append("Chưa có cơ sở dữ liệu: so sánh với dữ liệu trống (không tạo tệp nào).")
        return _print_report(rep)
    store = open_store()
    try:
        rep = import_routes(args.file, store, **opts)
        return _print_report(rep)
    finally:
        store.close()


def add_parsers(sub: argparse._SubParsersAction) -> None:
    st = sub.add_parser("status", help="tình trạng các xã theo năm: nhập từ Excel/CSV, xuất, tệp mẫu")
    sts = st.add_subparsers(dest="action", required=True)
    si = sts.add_parser("import", help="nhập tình trạng một năm từ .xlsx, .xls, .ods hoặc .csv (có lỗi thì không lưu gì)")
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
    ri.add_argument("--id", default=None, help="mã tuyến, ví dụ QL2 (mặc định: mã ghi trong tệp)")
    ri.add_argument("--name", default=None, help="tên tuyến (mặc định: tên ghi trong tệp)")
    ri.add_argument("--width-km", default=None, help="hành lang: khoảng cách mỗi bên tuyến, km (= nửa bề rộng; mặc định: trong tệp, hoặc 2)")
    both = ri.add_mutually_exclusive_group()
    both.add_argument("--replace", action="store_true",
                      help="khi đã có tuyến cùng mã hoặc cùng tên: tuyến trong tệp thay tuyến đã có")
    both.add_argument("--keep-both", action="store_true",
                      help="khi đã có tuyến cùng mã hoặc cùng tên: giữ cả hai (tuyến mới mang mã/tên mới)")
    ri.add_argument("--replace-all", action="store_true", help="xoá các tuyến không có trong tệp")
    ri.add_argument("--user", default=None)
    ri.add_argument("--reason", default=None)
    rt.set_defaults(func=cmd_routes)
