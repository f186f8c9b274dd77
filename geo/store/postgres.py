"""PostgreSQL + PostGIS implementation of :class:`geo.store.Store` (psycopg 3, psycopg_pool).

    store = PostgresStore("postgresql://tqmap_app@db.example.vn:5432/tqmap")
    # password from PGPASSWORD or ~/.pgpass (libpq); never part of ``store.url`` nor of a message

Same contract as :class:`geo.store.sqlite.SQLiteStore` because it IS that store's logic: this class
inherits every read, write, validation, diff/restore, hash-chain and account method and replaces
only the plumbing — a connection pool instead of one file connection, PostgreSQL transactions,
``RETURNING`` ids. The tables mirror the SQLite ones column for column (see
:mod:`geo.store.pg_schema`), so the inherited statements run unchanged after two mechanical
rewrites (:func:`pg_sql`: ``?`` placeholders to ``%s``, the column ``user`` quoted).

What PostgreSQL adds:
- writers serialised by a transaction-level advisory lock (SQLite's ``BEGIN IMMEDIATE``), so
  revisions and audit entries commit in id order, the hash chains stay linear and
  ``data_version()`` never skips a revision another server is still writing;
- route membership computed in PostGIS (:meth:`route_membership`, ST_DWithin in EPSG:32648);
- every revision announced with NOTIFY; :mod:`geo.store.pg_notify` drops the other servers' year
  views within milliseconds;
- sessions' idle time in the database (:meth:`touch_session`), shared by every replica;
- the app role cannot change history at all (grants), not only through the triggers.
"""

from __future__ import annotations

import functools
import re
import threading
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import chain
from .records import StoreError
from .sqlite import ENTITIES, SQLiteStore, _key_str

WRITE_LOCK = 7201402  # pg_advisory_xact_lock key serialising writers (any value unique to this app)
POOL_MIN = 1
POOL_MAX = 10
CONNECT_TIMEOUT_S = 10

_USER = re.compile(r'(?<!["\w])user(?![\w"])')


@functools.lru_cache(maxsize=512)
def pg_sql(sql: str) -> str:
    """The SQLite store's statement for PostgreSQL: ``%`` escaped, ``?`` -> ``%s``, ``user`` quoted
    (a reserved word in PostgreSQL: unquoted it would mean CURRENT_USER). The statements of
    SQLiteStore hold no string literal containing ``?`` or the word user."""
    return _USER.sub('"user"', sql.replace("%", "%%").replace("?", "%s"))


class _Conn:
    """A psycopg connection speaking the SQLite store's statements."""

    __slots__ = ("raw",)

    def __init__(self, raw):
        self.raw = raw

    def execute(self, sql: str, params=()):
        return self.raw.execute(pg_sql(sql), params)


def safe_url(url: str) -> str:
    """The URL without any password (netloc ``user:pw@`` or ``?password=``): for ``url`` and messages."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        cred, host = netloc.rsplit("@", 1)
        netloc = cred.split(":", 1)[0] + "@" + host
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def is_postgres_url(url) -> bool:
    return str(url).startswith(("postgresql://", "postgres://"))


def _pg_reason(exc: BaseException) -> str:
    """A one-line reason from a psycopg error (libpq messages never contain the password)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class PostgresStore(SQLiteStore):
    """The server store; one instance per app process, shared by its threads."""

    def __init__(self, url: str, *, min_size: int = POOL_MIN, max_size: int = POOL_MAX, migrate: bool = True,
                 listen: bool = True, seed: bool = True):
        import psycopg
        from psycopg_pool import ConnectionPool

        url = str(url)
        if not is_postgres_url(url):
            raise StoreError(f"Địa chỉ cơ sở dữ liệu {safe_url(url)!r} không phải postgresql://…")
        self._safe = safe_url(url)
        self._codes = None
        self._local = threading.local()
        self._closed = False
        self._callbacks: list = []
        self.listener = None
        try:
            psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise StoreError(f"Địa chỉ PostgreSQL {self._safe!r} không hợp lệ: {_pg_reason(exc)}") from None
        # One direct attempt first: an unreachable server gets one clear message, not the pool's
        # retries (each logged in English) and a timeout.
        reason = _probe(url)
        if reason is not None:
            raise StoreError(f"Không kết nối được PostgreSQL {self._safe}: {reason}. Kiểm tra máy chủ, tên cơ sở "
                             "dữ liệu, vai trò và mật khẩu (biến PGPASSWORD hoặc tệp ~/.pgpass).")
        self._pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=False, name="tqmap",
                                    kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S,
                                            "application_name": "tqmap"}, timeout=60)
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_S + 5)
        except Exception:  # PoolTimeout: ask libpq once more for the reason, for the message
            self._pool.close()
            raise StoreError(f"Không kết nối được PostgreSQL {self._safe}: {_probe(url) or 'hết thời gian chờ'}. Kiểm tra máy chủ, tên cơ sở "
                             "dữ liệu, vai trò và mật khẩu (biến PGPASSWORD hoặc tệp ~/.pgpass).") from None
        try:
            if migrate:
                self._migrate()
            if seed:  # `store copy` creates the schema only: the copied history brings its own seed
                self._seed()
        except BaseException:
            self._pool.close()
            raise
        if listen:
            from .pg_notify import ChangeListener

            self.listener = ChangeListener(url, self._on_change)

    # --- plumbing ---------------------------------------------------------------------------

    def _migrate(self) -> None:
        import psycopg

        from .pg_schema import PostgisMissing, current_versions, load_communes, migrate, versions

        with self._pool.connection() as conn:
            if set(versions()) <= current_versions(conn) and \
                    conn.execute("SELECT EXISTS (SELECT 1 FROM communes)").fetchone()[0]:
                return
            try:
                migrate(conn)
                load_communes(conn)
            except PostgisMissing as exc:
                raise StoreError(str(exc)) from None
            except psycopg.errors.InsufficientPrivilege:
                raise StoreError(f"Vai trò kết nối tới {self._safe} không có quyền tạo/cập nhật lược đồ. Quản trị viên "
                                 "chạy một lần: python -m geo store init --url postgresql://<vai_trò_chủ>@…/<csdl> "
                                 "--app-role <vai_trò_ứng_dụng>.") from None

    def _held(self):
        """This thread's open transaction (a batch), else None; a closed store is refused."""
        held = getattr(self._local, "conn", None)
        if held is None and self._closed:
            raise StoreError("Kho dữ liệu đã đóng.")
        return held

    @contextmanager
    def _connection(self):
        """The connection of this thread's open transaction (batch), or one from the pool."""
        held = self._held()
        if held is not None:
            yield held
            return
        with self._pool.connection() as conn:
            yield _Conn(conn)

    @contextmanager
    def _tx(self):
        """One write transaction holding the writers' lock; nested calls (batch) join the outer one."""
        held = self._held()
        if held is not None:
            yield held
            return
        with self._pool.connection() as raw, raw.transaction():
            raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            self._local.conn = _Conn(raw)
            try:
                yield self._local.conn
            finally:
                self._local.conn = None

    def _q(self, sql: str, params=()) -> list[tuple]:
        with self._connection() as c:
            return c.execute(sql, params).fetchall()

    # --- identity ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Identity of the store: the libpq URL without any password."""
        return self._safe

    def schema_version(self) -> int:
        from .pg_schema import PG_ONLY_FROM

        return int(self._q("SELECT COALESCE(MAX(version), 0) FROM schema_version WHERE version < ?",
                           (PG_ONLY_FROM,))[0][0])

    # --- reads that SQLiteStore runs on its single connection -------------------------------

    def verify_chain(self) -> chain.ChainReport:
        """As SQLiteStore.verify_chain, in one REPEATABLE READ snapshot."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            return self._verify(held)
        with self._pool.connection() as raw:
            with raw.transaction():
                raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                return self._verify(_Conn(raw))

    # --- PostGIS ----------------------------------------------------------------------------

    def route_membership(self, year: int | None = None, *, web: bool = True) -> dict[str, list[str]]:
        """{commune code: [ids of the routes (in force in ``year``) whose corridor crosses it]},
        computed in the database: ST_DWithin(line, commune, half width) in UTM 48N (metres), served
        by the spatial indexes. ``web`` chooses the boundaries the app draws (as geo.status does)."""
        col = "geom_web_m" if web else "geom_m"
        sql = (f"SELECT c.code, r.route_id FROM communes c JOIN routes r "
               f"ON ST_DWithin(r.geom_m, c.{col}, ((r.data::jsonb)->>'half_width_km')::float8 * 1000.0) ")
        params: tuple = ()
        if year is not None:
            sql += ("WHERE ((r.data::jsonb)->>'year_from')::int <= ? AND (((r.data::jsonb)->>'year_to') IS NULL "
                    "OR ((r.data::jsonb)->>'year_to')::int >= ?) ")
            params = (int(year), int(year))
        sql += "ORDER BY c.code, r.route_id"
        out: dict[str, list[str]] = {c: [] for (c,) in self._q("SELECT code FROM communes ORDER BY code")}
        for code, rid in self._q(sql, params):
            out[code].append(rid)
        return out

    def communes_on_route(self, route_id: str, *, web: bool = True) -> list[str]:
        col = "geom_web_m" if web else "geom_m"
        rows = self._q(f"SELECT c.code FROM communes c JOIN routes r ON ST_DWithin(r.geom_m, c.{col}, "
                       f"((r.data::jsonb)->>'half_width_km')::float8 * 1000.0) WHERE r.route_id = ? ORDER BY c.code",
                       (route_id,))
        return [c for (c,) in rows]

    # --- changes made by other app servers --------------------------------------------------

    def _on_change(self, version: int) -> None:
        from .pg_notify import invalidate_caches

        invalidate_caches(version)
        for cb in list(self._callbacks):
            cb(version)

    def on_change(self, callback) -> None:
        """Call ``callback(version)`` after any server commits a revision (from the listener thread)."""
        self._callbacks.append(callback)

    # --- app sessions shared by the replicas ------------------------------------------------

    def start_session(self, session_id: str, user: str) -> None:
        with self._connection() as c:
            c.execute("INSERT INTO app_sessions(id, user) VALUES (?, ?) ON CONFLICT(id) DO UPDATE "
                      "SET user = EXCLUDED.user, started_at = now(), last_seen = now()", (session_id, user))

    def touch_session(self, session_id: str, user: str, *, timeout_minutes: float) -> bool:
        """Record activity of a logged-in session. False (and the row removed) when the store does
        not know it (never started, ended, timed out by any replica), it belongs to another user,
        or it had been idle ``timeout_minutes`` or more by the database clock — whichever replica
        served it before."""
        with self._connection() as c, c.raw.transaction():
            row = c.execute("SELECT user, now() - last_seen >= make_interval(secs => ?) FROM app_sessions "
                            "WHERE id = ? FOR UPDATE", (float(timeout_minutes) * 60, session_id)).fetchone()
            if row is None:
                return False
            if row[1] or row[0] != user:
                c.execute("DELETE FROM app_sessions WHERE id = ?", (session_id,))
                return False
            c.execute("UPDATE app_sessions SET last_seen = now() WHERE id = ?", (session_id,))
        return True

    def end_session(self, session_id: str) -> None:
        with self._connection() as c:
            c.execute("DELETE FROM app_sessions WHERE id = ?", (session_id,))

    def session_idle_seconds(self, session_id: str) -> float | None:
        rows = self._q("SELECT EXTRACT(EPOCH FROM now() - last_seen) FROM app_sessions WHERE id = ?", (session_id,))
        return float(rows[0][0]) if rows else None

    # --- life -------------------------------------------------------------------------------

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if self.listener is not None:
                self.listener.stop()
            self._pool.close()

    def __repr__(self) -> str:
        return f"PostgresStore({self._safe!r})"


def _probe(url: str) -> str | None:
    """Why a connection fails (one direct attempt, for the message), or None when it works."""
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S).close()
    except psycopg.Error as exc:
        return _pg_reason(exc)
    return None


__all__ = ["PostgresStore", "safe_url", "is_postgres_url", "pg_sql"]
