"""A throw-away PostgreSQL + PostGIS cluster in a temp dir, for tests and ``make cluster``.

    with PgCluster() as pg:          # initdb, start on a Unix socket + a free loopback port
        pg.create_app_database()      # database "tqmap", owner role + app role, PostGIS enabled
        pg.app_url                    # postgresql://tqmap_app@127.0.0.1:PORT/tqmap (no password)
        pg.env                        # {"PGPASSWORD": …} to pass to the app
    # stopped (pg_ctl stop -m immediate) and the temp dir removed, also after an exception

Started as root, initdb and the server run as the unprivileged system user ``postgres`` (created
when missing) through ``runuser``: PostgreSQL refuses to run as root. The binaries come from the
Debian packages (``/usr/lib/postgresql/<version>/bin``); ``.ci/postgres.sh`` installs them.
Only the loopback address is listened on. Passwords are random per cluster and never logged.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SYSTEM_USER = "postgres"
DB_NAME = "tqmap"
OWNER_ROLE = "tqmap_owner"
APP_ROLE = "tqmap_app"


class ClusterError(RuntimeError):
    """PostgreSQL could not be found or started (the message says what to install or read)."""


def bin_dir() -> Path:
    """Directory of initdb/pg_ctl/postgres from the Debian packages (newest version), or PATH."""
    env = os.environ.get("TQMAP_PG_BIN")
    if env:
        return Path(env)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    if which:
        return Path(which).parent
    raise ClusterError("Không tìm thấy PostgreSQL (initdb). Cài bằng: sudo bash .ci/postgres.sh "
                       "(gói Debian postgresql và postgresql-<phiên bản>-postgis-3).")


def postgis_available(bindir: Path) -> bool:
    version = bindir.parent.name
    return bool(glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ensure_system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
                       check=True, capture_output=True)
        return pwd.getpwnam(SYSTEM_USER)


class PgCluster:
    def __init__(self, base: str | Path | None = None, port: int | None = None):
        self.bindir = bin_dir()
        if not (self.bindir / "pg_ctl").exists():
            raise ClusterError(f"Thiếu pg_ctl trong {self.bindir}: cài lại gói postgresql (bash .ci/postgres.sh).")
        if not postgis_available(self.bindir):
            raise ClusterError(f"Thiếu PostGIS cho PostgreSQL {self.bindir.parent.name}: cài gói "
                               f"postgresql-{self.bindir.parent.name}-postgis-3 (bash .ci/postgres.sh).")
        self.root = Path(base) if base else Path(tempfile.mkdtemp(prefix="tqmap-pg-"))
        self._own_root = base is None
        self.data = self.root / "data"
        self.sock = self.root / "sock"
        self.log = self.root / "postgres.log"
        self.port = port or free_port()
        self.as_root = os.geteuid() == 0
        self.superuser = SYSTEM_USER if self.as_root else pwd.getpwuid(os.geteuid()).pw_name
        self.owner_password = secrets.token_urlsafe(18)
        self.app_password = secrets.token_urlsafe(18)
        self.running = False
        self._atexit = False

    # --- helpers ------------------------------------------------------------------------------

    def _cmd(self, args: list[str]) -> list[str]:
        return (["runuser", "-u", SYSTEM_USER, "--"] + args) if self.as_root else args

    def _run(self, args: list[str], **kw) -> subprocess.CompletedProcess:
        p = subprocess.run(self._cmd(args), capture_output=True, text=True, **kw)
        if p.returncode != 0:
            raise ClusterError(f"{Path(args[0]).name} thất bại (mã {p.returncode}): {p.stderr.strip()[-2000:]}"
                               + (f"\nNhật ký máy chủ: {self.log}" if self.log.exists() else ""))
        return p

    @property
    def host(self) -> str:
        return str(self.sock)

    def superuser_conninfo(self, dbname: str = "postgres") -> str:
        """Socket connection as the cluster's superuser (trust, only on the private socket)."""
        return f"host={self.sock} port={self.port} dbname={dbname} user={self.superuser}"

    def url(self, role: str, dbname: str = DB_NAME) -> str:
        """libpq URL over loopback TCP (no password: it comes from PGPASSWORD or ~/.pgpass)."""
        return f"postgresql://{role}@127.0.0.1:{self.port}/{dbname}"

    @property
    def app_url(self) -> str:
        return self.url(APP_ROLE)

    @property
    def owner_url(self) -> str:
        return self.url(OWNER_ROLE)

    @property
    def env(self) -> dict[str, str]:
        """Environment for a process connecting as the app role."""
        return {"PGPASSWORD": self.app_password}

    @property
    def owner_env(self) -> dict[str, str]:
        return {"PGPASSWORD": self.owner_password}

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> "PgCluster":
        self.root.mkdir(parents=True, exist_ok=True)
        self.sock.mkdir(exist_ok=True)
        if self.as_root:
            pw = _ensure_system_user()
            for p in (self.root, self.sock):
                os.chown(p, pw.pw_uid, pw.pw_gid)
            os.chmod(self.root, 0o700)
            if subprocess.run(["runuser", "-u", SYSTEM_USER, "--", "test", "-w", str(self.root)]).returncode != 0:
                raise ClusterError(f"Người dùng {SYSTEM_USER} không vào được {self.root}: một thư mục cha không cho "
                                   "phép (chmod o+x) — chọn thư mục khác, ví dụ trong /tmp.")
        if not self._atexit:
            atexit.register(self.stop)
            self._atexit = True
        if not (self.data / "PG_VERSION").exists():
            self._run([str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.superuser, "-E", "UTF8",
                       "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"])
            hba = self.data / "pg_hba.conf"
            # Socket: trust (the socket dir is private to the cluster's user); TCP: loopback only, password.
            hba.write_text("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
        opts = (f"-k {self.sock} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                "-c shared_buffers=64MB -c log_min_messages=warning")
        self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", opts,
                   "-w", "-t", "60", "start"])
        self.running = True
        return self

    def stop(self) -> None:
        """Stop the server and remove the temp dir; safe to call twice."""
        if self.running:
            try:
                subprocess.run(self._cmd([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                          "-w", "-t", "30", "stop"]), capture_output=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self._kill_postmaster()
            self.running = False
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGQUIT)
        except (OSError, ValueError, IndexError):
            pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- SQL as superuser ---------------------------------------------------------------------

    def sql(self, statements: str | list[str], dbname: str = "postgres") -> list[tuple]:
        import psycopg

        rows: list[tuple] = []
        with psycopg.connect(self.superuser_conninfo(dbname), autocommit=True) as conn:
            for st in [statements] if isinstance(statements, str) else statements:
                cur = conn.execute(st)
                if cur.description:
                    rows = cur.fetchall()
        return rows

    def create_app_database(self, dbname: str = DB_NAME, *, migrate: bool = True) -> str:
        """Create the roles (owner: owns the schema; app: the servers' login, with the grants of
        :func:`geo.store.pg_schema.grant_app`), the database and PostGIS; migrate as the owner."""
        from psycopg import sql

        import psycopg

        with psycopg.connect(self.superuser_conninfo(), autocommit=True) as conn:
            for role, pw in ((OWNER_ROLE, self.owner_password), (APP_ROLE, self.app_password)):
                if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                    conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                        sql.Identifier(role), sql.Literal(pw)))
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                sql.Identifier(dbname), sql.Identifier(OWNER_ROLE)))
        # PostGIS needs a superuser to create (Debian: not a trusted extension).
        self.sql("CREATE EXTENSION IF NOT EXISTS postgis", dbname)
        if migrate:
            self.init_schema(dbname)
        return self.url(APP_ROLE, dbname)

    def init_schema(self, dbname: str = DB_NAME) -> None:
        from .pg_schema import setup_database

        setup_database(self.url(OWNER_ROLE, dbname), app_role=APP_ROLE, password=self.owner_password)

    def clone_database(self, template: str, name: str) -> str:
        """A new database copied from ``template`` (fast: file copy); returns the app URL."""
        from psycopg import sql

        import psycopg

        with psycopg.connect(self.superuser_conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {}").format(
                sql.Identifier(name), sql.Identifier(template), sql.Identifier(OWNER_ROLE)))
        return self.url(APP_ROLE, name)

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        import psycopg

        with psycopg.connect(self.superuser_conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def wait_ready(self, timeout: float = 30) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.superuser_conninfo(), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


__all__ = ["PgCluster", "ClusterError", "bin_dir", "free_port", "DB_NAME", "OWNER_ROLE", "APP_ROLE"]
