"""Command line: ``python -m geo COMMAND``. Messages are in Vietnamese; exit code 0 on success."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_data(args) -> int:
    from .build import BuildError, build
    from .sources import SourceError

    try:
        report = build(out=args.out, mirror=args.mirror)
    except (SourceError, BuildError) as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


def _cmd_demo(args) -> int:
    from .demo import DemoNotEmpty, build_demo
    from .store import StoreError, open_store

    store = open_store()
    try:
        rev = build_demo(store, if_empty=args.if_empty, force=args.force)
    except (DemoNotEmpty, StoreError) as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    if rev is None:
        print(f"Kho dữ liệu {store.path} đã có dữ liệu: không nạp dữ liệu minh họa.")
    else:
        print(f"Đã nạp DỮ LIỆU MINH HỌA vào {store.path} (phiên bản {rev}).")
    return 0


def _cmd_revisions(args) -> int:
    import getpass
    import json

    from .store import StoreError, open_store

    store = open_store()
    try:
        if args.action == "list":
            for r in store.revisions(args.limit):
                print(f"{r.id:>5}  {r.at}  {r.user}  [{r.kind}]  {r.reason} — {r.summary}"
                      + (f" ({r.source})" if r.source else "") + (" [minh họa]" if r.demo else ""))
        elif args.action == "diff":
            changes = store.diff(args.a, args.b)
            for c in changes:
                print(f"{c.entity}\t{c.key}\t{c.field}\t{json.dumps(c.before, ensure_ascii=False, default=str)}"
                      f"\t{json.dumps(c.after, ensure_ascii=False, default=str)}")
            print(f"{len(changes)} thay đổi giữa phiên bản {args.a} và {args.b}.")
        else:
            rev = store.restore(args.rev, user=args.user or getpass.getuser(), reason=args.reason)
            print(f"Đã khôi phục trạng thái phiên bản {args.rev} thành phiên bản mới {rev}.")
    except StoreError as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m geo", description="Bản đồ xã không ma túy tỉnh Tuyên Quang")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("data", help="tải/kiểm tra dữ liệu nguồn và dựng GeoPackage ranh giới")
    d.add_argument("--mirror", type=Path, default=None,
                   help="thư mục mirror theo bố cục OWNER/REPO/COMMIT/PATH (mặc định: $TQMAP_MIRROR hoặc ../shared/data)")
    d.add_argument("--out", type=Path, default=None, help="tệp GeoPackage kết quả")
    d.set_defaults(func=_cmd_data)
    dm = sub.add_parser("demo", help="nạp DỮ LIỆU MINH HỌA vào kho dữ liệu trống ($TQMAP_DB)")
    dm.add_argument("--if-empty", action="store_true", help="không làm gì nếu kho đã có dữ liệu")
    dm.add_argument("--force", action="store_true", help="thay dữ liệu hiện có bằng dữ liệu minh họa (giữ lịch sử)")
    dm.set_defaults(func=_cmd_demo)
    rv = sub.add_parser("revisions", help="lịch sử thay đổi: liệt kê, so sánh, khôi phục")
    rvs = rv.add_subparsers(dest="action", required=True)
    rl = rvs.add_parser("list", help="liệt kê các phiên bản")
    rl.add_argument("--limit", type=int, default=200)
    rd = rvs.add_parser("diff", help="so sánh hai phiên bản")
    rd.add_argument("a", type=int)
    rd.add_argument("b", type=int)
    rr = rvs.add_parser("restore", help="khôi phục trạng thái của một phiên bản (tạo phiên bản mới)")
    rr.add_argument("rev", type=int)
    rr.add_argument("--reason", required=True, help="lý do khôi phục")
    rr.add_argument("--user", default=None, help="người thực hiện (mặc định: người dùng hệ điều hành)")
    rv.set_defaults(func=_cmd_revisions)
    from .importer.commands import add_parsers as _add_import_parsers

    _add_import_parsers(sub)  # status import|export|template, routes import
    ex = sub.add_parser("export", help="xuất bản đồ: html (độc lập, không cần mạng)")
    exs = ex.add_subparsers(dest="format", required=True)
    from .export.commands import add_html_parser

    add_html_parser(exs)  # export html; other formats register on `exs` the same way
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)
