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


def _open(target=None):
    """The store named by ``target`` (--db) or $TQMAP_DB; a bad location exits with its message."""
    from .config import ConfigError
    from .store import StoreError, open_store

    try:
        return open_store(target)
    except (ConfigError, StoreError) as exc:  # a bad location, or a server that cannot be reached
        print(f"LỖI: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except OSError as exc:  # includes a database server that does not answer (psycopg's errors aside)
        print(f"LỖI: không mở được kho dữ liệu ({exc}).", file=sys.stderr)
        raise SystemExit(2) from None


def _where(store) -> str:
    return str(getattr(store, "path", None) or store.url)


def _cmd_demo(args) -> int:
    from .demo import DemoNotEmpty, build_demo
    from .store import StoreError

    store = _open()
    try:
        with store.batch():  # the demo data and its audit entry: one transaction
            rev = build_demo(store, if_empty=args.if_empty, force=args.force)
            if rev is not None:
                store.audit(_cli_actor(), "import", "Nạp DỮ LIỆU MINH HỌA", {"revision": rev, "force": bool(args.force)})
    except (DemoNotEmpty, StoreError) as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    if rev is None:
        print(f"Kho dữ liệu {_where(store)} đã có dữ liệu: không nạp dữ liệu minh họa.")
    else:
        from . import yearview

        yearview.invalidate()
        print(f"Đã nạp DỮ LIỆU MINH HỌA vào {_where(store)} (phiên bản {rev}).")
    return 0


def _cmd_revisions(args) -> int:
    import getpass
    import json

    from . import service
    from .store import StoreError

    store = _open()
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
            rev = service.restore(store, args.rev, user=args.user or getpass.getuser(), reason=args.reason)
            print(f"Đã khôi phục trạng thái phiên bản {args.rev} thành phiên bản mới {rev}.")
    except StoreError as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def _cli_actor() -> str:
    import getpass

    try:
        return "cli:" + getpass.getuser()
    except Exception:  # no login name in a container
        return "cli"


def _read_password(args) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu (ít nhất 10 ký tự): ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        from .auth import AuthError

        raise AuthError("Hai lần nhập mật khẩu không khớp.")
    return first


def _cmd_users(args) -> int:
    from . import auth

    db = _open(args.db)
    try:
        if args.action == "list":
            users = auth.list_users(db)
            for u in users:
                print(f"{u.name}\t{u.role}\t{'VÔ HIỆU' if u.disabled else 'hoạt động'}\t"
                      f"tạo {u.created_at}\tđăng nhập cuối {u.last_login or '—'}")
            print(f"{len(users)} người dùng.")
        elif args.action == "add":
            u = auth.add_user(db, args.name, _read_password(args), args.role, by=_cli_actor())
            print(f"Đã thêm người dùng {u.name} ({u.role}).")
        elif args.action == "set-password":
            u = auth.set_password(db, args.name, _read_password(args), by=_cli_actor())
            print(f"Đã đặt lại mật khẩu của {u.name}.")
        elif args.action in ("disable", "enable"):
            u = auth.set_disabled(db, args.name, args.action == "disable", by=_cli_actor())
            print(f"Đã {'vô hiệu hoá' if u.disabled else 'kích hoạt lại'} người dùng {u.name}.")
        elif args.action == "unlock":
            if not args.name and not args.address:
                raise auth.AuthError("Cần tên đăng nhập (NAME) hoặc --address ĐỊA_CHỈ để mở khoá.")
            n = auth.unlock(db, args.name, client=args.address, by=_cli_actor())
            target = " và ".join(x for x in (args.name and f"tên {args.name}",
                                            args.address and f"địa chỉ {args.address}") if x)
            print(f"Đã mở khoá đăng nhập cho {target} ({n} mục giới hạn được xoá).")
        else:  # set-role
            u = auth.set_role(db, args.name, args.role, by=_cli_actor())
            print(f"Người dùng {u.name} giờ có vai trò {u.role}.")
    except auth.AuthError as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()
    return 0


def _cmd_audit(args) -> int:
    from . import audit

    store = _open(args.db)
    try:
        if args.action == "verify":
            rep = audit.verify(store)
            print(rep.summary)
            for b in rep.breaks:
                print(f"  - bảng {b.table}, mục {b.id}: {b.problem}", file=sys.stderr)
            for table, h in rep.heads.items():
                print(f"  mã băm cuối của {table}: {h or '(trống)'}")
            return 0 if rep.ok else 1
        n = audit.export_csv(store, args.out)
        print(f"Đã xuất {n} dòng nhật ký kiểm tra ra {args.out}.")
        return 0
    finally:
        store.close()


_DB_HELP = "kho dữ liệu: tệp SQLite, sqlite:///… hoặc postgresql://… (mặc định $TQMAP_DB)"


def _add_security_parsers(sub) -> None:
    us = sub.add_parser("users", help="tài khoản đăng nhập: add, list, disable, enable, set-role, set-password, unlock")
    us.set_defaults(func=_cmd_users, db=None)
    uss = us.add_subparsers(dest="action", required=True)
    ua = uss.add_parser("add", help="thêm người dùng (mật khẩu hỏi bằng getpass hoặc đọc từ stdin)")
    ua.add_argument("name")
    ua.add_argument("--role", required=True, choices=["admin", "editor", "viewer"])
    uss.add_parser("list", help="liệt kê người dùng")
    for name, hlp in (("disable", "vô hiệu hoá người dùng"), ("enable", "kích hoạt lại người dùng"),
                      ("set-password", "đặt lại mật khẩu")):
        uss.add_parser(name, help=hlp).add_argument("name")
    ul = uss.add_parser("unlock", help="mở khoá đăng nhập của một tên (mọi địa chỉ) và/hoặc một địa chỉ mạng")
    ul.add_argument("name", nargs="?", default=None)
    ul.add_argument("--address", default=None, help="địa chỉ mạng (IP) bị khoá do đăng nhập sai nhiều lần")
    sr = uss.add_parser("set-role", help="đổi vai trò")
    sr.add_argument("name")
    sr.add_argument("role", choices=["admin", "editor", "viewer"])
    for sp in uss.choices.values():
        sp.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin")
        sp.add_argument("--db", default=None, help=_DB_HELP)
    au = sub.add_parser("audit", help="nhật ký kiểm tra: export (CSV), verify (chuỗi mã băm chống sửa)")
    aus = au.add_subparsers(dest="action", required=True)
    ae = aus.add_parser("export", help="xuất nhật ký ra CSV (UTF-8, mở được bằng Excel)")
    ae.add_argument("--out", type=Path, required=True)
    ae.add_argument("--db", default=None, help=_DB_HELP)
    av = aus.add_parser("verify", help="kiểm tra chuỗi mã băm của phiên bản và nhật ký; mã thoát 1 khi bị can thiệp")
    av.add_argument("--db", default=None, help=_DB_HELP)
    au.set_defaults(func=_cmd_audit)


def _cmd_bench(args) -> int:
    from .bench.run import main as bench_main

    return bench_main(args)


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
    ex = sub.add_parser("export", help="xuất bản đồ: html (độc lập, không cần mạng), pdf/png (tờ trình), slides")
    exs = ex.add_subparsers(dest="format", required=True)
    from .export.commands import add_html_parser, add_sheet_parsers

    add_html_parser(exs)  # export html; other formats register on `exs` the same way
    add_sheet_parsers(exs)  # export pdf | png
    bn = sub.add_parser("bench", help="đo hiệu năng: bản đồ của chúng ta so với cách làm folium đơn giản")
    from .bench.run import add_arguments as _add_bench_args

    _add_bench_args(bn)
    bn.set_defaults(func=_cmd_bench)
    from .present import add_slides_parser

    add_slides_parser(exs)  # export slides (presentation mode)
    _add_security_parsers(sub)
    from .store.tools import add_parsers as _add_store_tools

    _add_store_tools(sub)  # store copy|init, backup, restore (postgres helper: geo/store/tools.py)  # users …, audit export
    return p


def _db_failure(exc: BaseException) -> str | None:
    """The one-line Vietnamese message for a store that cannot be used (bad TQMAP_DB, a server
    that cannot be reached or refuses the login, a connection lost mid-command), else None."""
    from .config import ConfigError
    from .store import StoreError

    if isinstance(exc, (ConfigError, StoreError)):
        return str(exc)
    if type(exc).__module__.split(".")[0] in ("psycopg", "psycopg_pool"):  # libpq: never holds a password
        lines = str(exc).strip().splitlines()
        return (f"máy chủ PostgreSQL báo lỗi: {lines[0] if lines else type(exc).__name__}. Kiểm tra máy chủ, "
                "tên cơ sở dữ liệu, vai trò và mật khẩu (TQMAP_DB, PGPASSWORD hoặc ~/.pgpass).")
    return None


def main(argv: list[str] | None = None) -> int:
    """Every command: one Vietnamese message and exit code 2 when the store cannot be used, whatever
    command met it first (a traceback is for bugs, not for a wrong TQMAP_DB or an unreachable server)."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:
        msg = _db_failure(exc)
        if msg is None:
            raise
        print(f"LỖI: {msg}", file=sys.stderr)
        return 2
