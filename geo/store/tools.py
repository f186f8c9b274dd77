"""Moving and keeping data, for both backends:

    python -m geo store copy --from sqlite:///data/app.db --to postgresql://tqmap_owner@db/tqmap
    python -m geo store init --url postgresql://tqmap_owner@db/tqmap --app-role tqmap_app
    python -m geo backup  --out app.backup            # $TQMAP_DB (or --db); SQLite: online backup API,
    python -m geo restore app.backup [--force]         #   PostgreSQL: pg_dump -Fc / pg_restore

``copy`` moves every table row for row (revisions and their row versions, current state, users,
login state, settings, the audit log), keeping ids, into an EMPTY target whose schema it creates;
then it checks the row count and a SHA-256 of every table on both sides and refuses to report
success on any difference. Passwords are never taken from the command line: libpq reads
PGPASSWORD or ~/.pgpass; messages show URLs without any password.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from . import StoreError
from .postgres import is_postgres_url, safe_url

# Never copied: bookkeeping of each database's own schema, derived or per-server data.
SKIP_TABLES = {"schema_version", "sqlite_sequence", "spatial_ref_sys", "communes", "app_sessions"}


class ToolError(RuntimeError):
    """A copy/backup/restore that did not happen (Vietnamese message); the target is unchanged
    unless the message says otherwise."""


# --- a tiny uniform access to both backends --------------------------------------------------


def _sqlite_path(url: str) -> Path:
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):] or ".")
    if "://" in url:
        raise ToolError(f"Kho dữ liệu “{safe_url(url)}” dùng kiểu “{url.split('://', 1)[0]}:” không được hỗ trợ: "
                        "chỉ nhận đường dẫn tệp SQLite, sqlite:///… hoặc postgresql://….")
    return Path(url)


class _Db:
    """Rows of tables in one database (SQLite file or PostgreSQL), without the store's logic."""

    def __init__(self, url: str, *, create: bool = False):
        self.url = url
        self.pg = is_postgres_url(url)
        if self.pg:
            import psycopg

            try:
                self.conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
            except psycopg.Error as exc:
                raise ToolError(f"Không kết nối được PostgreSQL {safe_url(url)}: "
                                f"{str(exc).strip().splitlines()[0]}") from None
        else:
            path = _sqlite_path(url)
            if not create and not path.is_file():
                raise ToolError(f"Không có tệp SQLite {path}.")
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
            self.conn.execute("PRAGMA busy_timeout = 30000")

    def tables(self) -> list[str]:
        if self.pg:
            rows = self.conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        else:
            rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return sorted(t for (t,) in rows if t not in SKIP_TABLES)

    def columns(self, table: str) -> dict[str, str]:
        """{column: type} of the columns one can insert into (PostgreSQL generated columns left out)."""
        if self.pg:
            rows = self.conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position", (table,)).fetchall()
            return {c: t for c, t in rows}
        return {r[1]: (r[2] or "").lower() for r in self.conn.execute(f'PRAGMA table_info("{table}")')}

    def rows(self, table: str, cols: list[str]) -> Iterator[tuple]:
        cl = ", ".join(f'"{c}"' for c in cols)
        cur = self.conn.execute(f'SELECT {cl} FROM "{table}"')
        while True:
            batch = cur.fetchmany(2000)
            if not batch:
                return
            yield from batch

    def count(self, table: str) -> int:
        return int(self.conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])

    def close(self) -> None:
        self.conn.close()


def _norm(v: Any) -> Any:
    """Backend-neutral value for hashing: booleans as 0/1 (SQLite has no boolean)."""
    if isinstance(v, bool):
        return int(v)
    return v


def table_hash(db: _Db, table: str, cols: list[str]) -> tuple[int, str]:
    """(row count, SHA-256 of the rows sorted canonically) over ``cols``."""
    rows = sorted(json.dumps([_norm(v) for v in r], ensure_ascii=False, default=str) for r in db.rows(table, cols))
    h = hashlib.sha256()
    for r in rows:
        h.update(r.encode("utf-8"))
        h.update(b"\n")
    return len(rows), h.hexdigest()


@dataclass
class CopyReport:
    source: str
    target: str
    tables: dict[str, tuple[int, str]] = field(default_factory=dict)  # table -> (rows, sha256)

    def lines(self) -> list[str]:
        out = [f"Đã chép {self.source} → {self.target}:"]
        for t, (n, h) in self.tables.items():
            out.append(f"  {t:<22} {n:>7} dòng  sha256 {h[:16]}…  khớp")
        return out


def _create_schema(url: str) -> None:
    """The target's full schema, without the seed revision a store writes on first open."""
    if is_postgres_url(url):
        from .postgres import PostgresStore

        PostgresStore(url, seed=False, listen=False).close()
    else:
        from . import migrations

        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            migrations.migrate(conn)
        finally:
            conn.close()


def _order(tables: list[str]) -> list[str]:
    """Parents first (revisions is referenced by every *_versions and current table)."""
    first = [t for t in ("revisions",) if t in tables]
    return first + [t for t in tables if t not in first]


def copy(src_url: str, dst_url: str, *, progress=None) -> CopyReport:
    """Copy everything from ``src_url`` into the empty store ``dst_url`` (schema created), keeping
    ids; verify counts and hashes of every table. One transaction on the target: a failure leaves
    it without any copied row."""
    say = progress or (lambda s: None)
    src = _Db(src_url)
    try:
        src_tables = src.tables()
        if "revisions" not in src_tables:
            raise ToolError(f"{safe_url(src_url)} không phải kho dữ liệu của ứng dụng (không có bảng revisions).")
        _create_schema(dst_url)
        dst = _Db(dst_url, create=True)
        try:
            dst_tables = set(dst.tables())
            missing = [t for t in src_tables if t not in dst_tables]
            if missing:
                raise ToolError(f"Kho đích thiếu bảng {', '.join(missing)}: hai bên khác phiên bản lược đồ. "
                                "Hãy cập nhật mã nguồn ở cả hai nơi rồi chạy lại.")
            busy = [t for t in src_tables if dst.count(t)]
            if busy:
                raise ToolError(f"Kho đích {safe_url(dst_url)} đã có dữ liệu (bảng {', '.join(busy)}): chỉ chép vào "
                                "kho trống, để không trộn hai lịch sử.")
            report = CopyReport(safe_url(src_url), safe_url(dst_url))
            plan = []
            for t in _order(src_tables):
                scols, dcols = src.columns(t), dst.columns(t)
                lost = [c for c in scols if c not in dcols]
                if lost:
                    raise ToolError(f"Bảng {t} ở kho đích thiếu cột {', '.join(lost)}: khác phiên bản lược đồ.")
                plan.append((t, [c for c in scols if c in dcols], dcols))
            _insert_all(src, dst, plan, say)
            for t, cols, _ in plan:
                a, b = table_hash(src, t, cols), table_hash(dst, t, cols)
                if a != b:
                    raise ToolError(f"Kiểm tra sau khi chép thất bại ở bảng {t}: nguồn {a[0]} dòng ({a[1][:12]}…), "
                                    f"đích {b[0]} dòng ({b[1][:12]}…). Kho đích KHÔNG dùng được; xoá và chép lại.")
                report.tables[t] = a
        finally:
            dst.close()
    finally:
        src.close()
    return report


def _insert_all(src: _Db, dst: _Db, plan, say) -> None:
    if dst.pg:
        with dst.conn.transaction():
            dst.conn.execute("SELECT pg_advisory_xact_lock(7201402)")
            for t, cols, dcols in plan:
                bools = [dcols[c] == "boolean" for c in cols]
                cl = ", ".join(f'"{c}"' for c in cols)
                n = 0
                with dst.conn.cursor().copy(f'COPY "{t}" ({cl}) FROM STDIN') as cp:
                    for r in src.rows(t, cols):
                        cp.write_row([bool(v) if b and v is not None else v for v, b in zip(r, bools)])
                        n += 1
                say(f"{t}: {n} dòng")
            # identity columns continue after the copied ids
            for t, cols, _ in plan:
                if "id" in cols:
                    dst.conn.execute(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
                                     f'GREATEST((SELECT MAX(id) FROM "{t}"), 1), (SELECT MAX(id) FROM "{t}") IS NOT NULL)')
    else:
        c = dst.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            for t, cols, _ in plan:
                cl = ", ".join(f'"{x}"' for x in cols)
                ph = ", ".join("?" for _ in cols)
                n = 0
                for r in src.rows(t, cols):
                    c.execute(f'INSERT INTO "{t}" ({cl}) VALUES ({ph})', [_norm(v) for v in r])
                    n += 1
                say(f"{t}: {n} dòng")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise


# --- backup and restore -----------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    from .pg_cluster import bin_dir

    try:
        p = bin_dir() / name
        if p.exists():
            return str(p)
    except Exception:
        pass
    found = shutil.which(name)
    if not found:
        raise ToolError(f"Thiếu chương trình {name}: cài gói postgresql-client (bash .ci/postgres.sh).")
    return found


def _run(args: list[str], what: str) -> None:
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        raise ToolError(f"{what} thất bại (mã {p.returncode}): {p.stderr.strip()[-1500:]}")


def backup(url: str, out: str | Path) -> Path:
    """A consistent copy of a running store: SQLite online backup API (a single file), or
    ``pg_dump --format=custom`` (restore with :func:`restore`). Written beside ``out`` then renamed."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    if is_postgres_url(url):
        _Db(url).close()  # an unreachable server or a refused login: our message, not pg_dump's
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              "--exclude-table-data=public.spatial_ref_sys", "--file", str(tmp),
              "--dbname", url], "pg_dump")
    else:
        path = _sqlite_path(url)
        if not path.is_file():
            raise ToolError(f"Không có tệp SQLite {path}.")
        src = sqlite3.connect(str(path), timeout=30)
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst)  # online: readers and writers may keep working
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise ToolError(f"Bản sao lưu không toàn vẹn: {ok}")
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            dst.close()
            src.close()
    tmp.replace(out)
    return out


def _is_sqlite_file(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def restore(url: str, backup_file: str | Path, *, force: bool = False, app_role: str | None = None) -> None:
    """Put a backup back into the store at ``url``. Refuses to overwrite a store that holds
    data unless ``force`` (the current content, audit log included, is then replaced).
    PostgreSQL: the dump carries no privileges, so ``app_role`` (the app servers' login) gets its
    rights again (as ``store init --app-role``); without it the app servers cannot read the store."""
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise ToolError(f"Không có tệp sao lưu {backup_file}.")
    sqlite_backup = _is_sqlite_file(backup_file)
    if is_postgres_url(url):
        if sqlite_backup:
            raise ToolError(f"{backup_file} là bản sao lưu SQLite: để đưa vào PostgreSQL dùng "
                            "python -m geo store copy --from sqlite:///TỆP --to postgresql://…")
        db = _Db(url)
        try:
            has = "revisions" in db.tables() and db.count("revisions") > 0
            if has and not force:
                raise ToolError(f"Kho {safe_url(url)} đang có dữ liệu: thêm --force để thay toàn bộ bằng bản sao lưu "
                                "(kể cả nhật ký kiểm tra).")
            if not _has_postgis(db):
                raise ToolError("Cơ sở dữ liệu đích chưa bật PostGIS: superuser chạy CREATE EXTENSION postgis; trước.")
        finally:
            db.close()
        pg_restore = _pg_tool("pg_restore")
        listing = subprocess.run([pg_restore, "--list", str(backup_file)], capture_output=True, text=True)
        if listing.returncode != 0:
            raise ToolError(f"{backup_file} không phải bản sao lưu pg_dump: {listing.stderr.strip()[-500:]}")
        # The extension (PostGIS) is the database administrator's: never dropped or created here.
        # (and so are its tables' rows: spatial_ref_sys comes with the extension).
        keep = "\n".join(l for l in listing.stdout.splitlines()
                         if " EXTENSION " not in l and " spatial_ref_sys " not in l)
        with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as f:
            f.write(keep + "\n")
        try:
            args = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                    "--use-list", f.name, "--dbname", url]
            if has:
                args[1:1] = ["--clean", "--if-exists"]
            _run(args + [str(backup_file)], "pg_restore")
        finally:
            os.unlink(f.name)
        if app_role:
            from .pg_schema import grant_app

            db = _Db(url)
            try:
                grant_app(db.conn, app_role)
            finally:
                db.close()
        return
    if not sqlite_backup:
        raise ToolError(f"{backup_file} không phải tệp SQLite: bản sao lưu PostgreSQL chỉ khôi phục vào postgresql://…")
    path = _sqlite_path(url)
    if path.exists() and not force:
        src = sqlite3.connect(str(path))
        try:
            has = bool(src.execute("SELECT 1 FROM sqlite_master WHERE name = 'revisions'").fetchone()) and \
                bool(src.execute("SELECT 1 FROM revisions LIMIT 1").fetchone())
        finally:
            src.close()
        if has:
            raise ToolError(f"Tệp {path} đang có dữ liệu: thêm --force để thay bằng bản sao lưu.")
    check = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok" or not check.execute("SELECT 1 FROM sqlite_master WHERE name = 'revisions'").fetchone():
            raise ToolError(f"{backup_file} không phải bản sao lưu kho dữ liệu hợp lệ ({ok}).")
        path.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(str(path), timeout=30)
        try:
            check.backup(dst)  # page by page under SQLite's locks: open readers see old or new, never a mix
        finally:
            dst.close()
    finally:
        check.close()


def _has_postgis(db: _Db) -> bool:
    return db.conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is not None


def init(owner_url: str, app_role: str | None) -> list[int]:
    from .pg_schema import PostgisMissing, setup_database

    if not is_postgres_url(owner_url):
        raise ToolError(f"store init chỉ dành cho PostgreSQL: “{safe_url(owner_url)}” không phải postgresql://… "
                        "(kho SQLite tự tạo lược đồ khi mở).")
    _Db(owner_url).close()  # an unreachable server or a refused login: one clear message
    try:
        return setup_database(owner_url, app_role=app_role)
    except PostgisMissing as exc:
        raise ToolError(str(exc)) from None


# --- command line ---------------------------------------------------------------------------


def _default_db() -> str:
    try:
        from ..config import db_url  # the store helper's one reading of TQMAP_DB

        return db_url()
    except ImportError:
        from . import default_path

        env = os.environ.get("TQMAP_DB", "")
        return env if is_postgres_url(env) else "sqlite:///" + str(Path(default_path()).resolve())


def _cmd_copy(args) -> int:
    try:
        rep = copy(args.src, args.dst, progress=lambda s: print("  " + s))
    except (ToolError, StoreError) as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 1
    print("\n".join(rep.lines()))
    return 0


def _cmd_init(args) -> int:
    try:
        applied = init(args.url, args.app_role)
    except ToolError as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 1
    print(f"Lược đồ {safe_url(args.url)} sẵn sàng" + (f" (áp dụng phiên bản {applied})" if applied else "")
          + (f"; vai trò {args.app_role}: đọc/ghi dữ liệu, nhật ký chỉ SELECT + INSERT." if args.app_role else "."))
    return 0


def _cmd_backup(args) -> int:
    url = args.db or _default_db()
    try:
        out = backup(url, args.out)
    except ToolError as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 1
    print(f"Đã sao lưu {safe_url(url)} vào {out} ({out.stat().st_size:,} byte).")
    return 0


def _cmd_restore(args) -> int:
    url = args.db or _default_db()
    try:
        restore(url, args.file, force=args.force, app_role=args.app_role)
    except ToolError as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 1
    print(f"Đã khôi phục {args.file} vào {safe_url(url)}. Khởi động lại các máy chủ ứng dụng nếu đang chạy.")
    if is_postgres_url(url):
        print(f"Vai trò {args.app_role} đã được cấp lại quyền." if args.app_role else
              "Bản sao lưu không mang quyền truy cập: cấp lại cho vai trò ứng dụng bằng --app-role TÊN "
              "(hoặc python -m geo store init --url … --app-role TÊN).")
    return 0


def add_parsers(sub) -> None:
    """``store copy|init``, ``backup``, ``restore`` on the ``python -m geo`` sub-parsers."""
    st = sub.add_parser("store", help="kho dữ liệu: chép giữa SQLite và PostgreSQL, khởi tạo PostgreSQL")
    sts = st.add_subparsers(dest="action", required=True)
    cp = sts.add_parser("copy", help="chép toàn bộ (cả lịch sử và nhật ký) sang một kho trống, kiểm tra bằng mã băm")
    cp.add_argument("--from", dest="src", required=True, help="nguồn: tệp SQLite, sqlite:///… hoặc postgresql://…")
    cp.add_argument("--to", dest="dst", required=True, help="đích (trống): sqlite:///… hoặc postgresql://…")
    cp.set_defaults(func=_cmd_copy)
    it = sts.add_parser("init", help="tạo/cập nhật lược đồ PostgreSQL (vai trò chủ sở hữu) và cấp quyền vai trò ứng dụng")
    it.add_argument("--url", required=True, help="postgresql://VAI_TRÒ_CHỦ@máy/csdl (mật khẩu: PGPASSWORD hoặc ~/.pgpass)")
    it.add_argument("--app-role", default=None, help="vai trò đăng nhập của các máy chủ ứng dụng")
    it.set_defaults(func=_cmd_init)
    bk = sub.add_parser("backup", help="sao lưu kho dữ liệu đang chạy (SQLite: một tệp; PostgreSQL: pg_dump)")
    bk.add_argument("--out", required=True, type=Path, help="tệp sao lưu")
    bk.add_argument("--db", default=None, help="kho: tệp SQLite, sqlite:///… hoặc postgresql://… (mặc định $TQMAP_DB)")
    bk.set_defaults(func=_cmd_backup)
    rs = sub.add_parser("restore", help="khôi phục kho dữ liệu từ bản sao lưu")
    rs.add_argument("file", type=Path, help="tệp sao lưu")
    rs.add_argument("--db", default=None, help="kho đích (mặc định $TQMAP_DB)")
    rs.add_argument("--force", action="store_true", help="thay kho đang có dữ liệu (kể cả nhật ký kiểm tra)")
    rs.add_argument("--app-role", default=None,
                    help="PostgreSQL: vai trò của các máy chủ ứng dụng, được cấp lại quyền sau khi khôi phục")
    rs.set_defaults(func=_cmd_restore)


def main(argv: list[str] | None = None) -> int:
    """``python -m geo.store.tools …`` until the commands are wired into ``python -m geo``."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m geo.store.tools")
    add_parsers(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["copy", "backup", "restore", "init", "add_parsers", "CopyReport", "ToolError", "table_hash"]
