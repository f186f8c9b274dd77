"""PostgreSQL + PostGIS implementation of :class:`geo.store.Store` (psycopg 3, psycopg_pool).

    store = PostgresStore("postgresql://tqmap_app@db.example.vn:5432/tqmap")
    # password from PGPASSWORD or ~/.pgpass (libpq); never part of ``store.url`` nor of a message

Same contract as :class:`geo.store.sqlite.SQLiteStore`: the same tables (JSON rows as text, row
versions per revision), the same validation (the SQLite store's own checks are reused, not
copied), the same Vietnamese messages. What PostgreSQL adds:

- a connection pool shared by the threads of one app server;
- writers serialised by a transaction-level advisory lock (like SQLite's ``BEGIN IMMEDIATE``), so
  revisions commit in id order and ``data_version()`` (= the newest revision id) never skips one;
- route membership computed in PostGIS (:meth:`route_membership`, ST_DWithin in EPSG:32648);
- every revision announced with NOTIFY (see :mod:`geo.store.pg_notify`);
- users, login lock-outs, app sessions and settings in the database, shared by every replica;
- the audit log append-only (triggers + the app role's grants, see :mod:`geo.store.pg_schema`).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..model import DEFAULT_TARGETS, Assessment, DemoFlags, Route, Target
from . import Change, Revision, StoreError
from .sqlite import ENTITIES, SYSTEM_USER, SQLiteStore, _dumps, _key_str, _now, _route_dict, _route_from, _target_from

WRITE_LOCK = 7201402  # pg_advisory_xact_lock key serialising writers (any value unique to this app)
POOL_MIN = 1
POOL_MAX = 10
CONNECT_TIMEOUT_S = 10


def safe_url(url: str) -> str:
    """The URL without any password (netloc ``user:pw@`` or ``?password=``): for ``url`` and messages."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        cred, host = netloc.rsplit("@", 1)
        netloc = cred.split(":", 1)[0] + "@" + host
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def is_postgres_url(url: str) -> bool:
    return str(url).startswith(("postgresql://", "postgres://"))


def _pg_reason(exc: BaseException) -> str:
    """A one-line reason from a psycopg error (libpq messages never contain the password)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class PostgresStore:
    """The server store; one instance per app process, shared by its threads."""

    # The SQLite store's validation, reused as is (same rules, same messages).
    _check_year = SQLiteStore._check_year
    _check_assessments = SQLiteStore._check_assessments
    _check_routes = SQLiteStore._check_routes
    _check_targets = SQLiteStore._check_targets

    def __init__(self, url: str, *, min_size: int = POOL_MIN, max_size: int = POOL_MAX, migrate: bool = True,
                 listen: bool = True, seed: bool = True):
        import psycopg
        from psycopg_pool import ConnectionPool

        if not is_postgres_url(url):
            raise StoreError(f"Địa chỉ cơ sở dữ liệu {safe_url(url)!r} không phải postgresql://…")
        self._raw_url = url
        self._safe = safe_url(url)
        self._codes: frozenset[str] | None = None
        self._local = threading.local()
        self._closed = False
        try:
            psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise StoreError(f"Địa chỉ PostgreSQL {self._safe!r} không hợp lệ: {_pg_reason(exc)}") from None
        self._pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=False, name="tqmap",
                                    kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S,
                                            "application_name": "tqmap"},
                                    timeout=60)
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_S + 5)
        except Exception as exc:  # PoolTimeout: the real cause is in the log of the pool's worker
            self._pool.close()
            reason = _probe(url)
            raise StoreError(f"Không kết nối được PostgreSQL {self._safe}: {reason}. Kiểm tra máy chủ, tên cơ sở "
                             "dữ liệu, vai trò và mật khẩu (biến PGPASSWORD hoặc tệp ~/.pgpass).") from None
        if migrate:
            self._migrate()
        if seed:  # `store copy` creates the schema only: the copied history brings its own seed
            self._seed()
        self._callbacks: list = []
        self.listener = None
        if listen:
            from .pg_notify import ChangeListener

            self.listener = ChangeListener(url, self._on_change)

    # --- changes made by other app servers --------------------------------------------------

    def _on_change(self, version: int) -> None:
        from .pg_notify import invalidate_caches

        invalidate_caches(version)
        for cb in list(self._callbacks):
            cb(version)

    def on_change(self, callback) -> None:
        """Call ``callback(version)`` after any replica commits a revision (from the listener thread)."""
        self._callbacks.append(callback)

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

    @contextmanager
    def _conn(self):
        """The connection of the current batch/transaction on this thread, or one from the pool."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        if self._closed:
            raise StoreError("Kho dữ liệu đã đóng.")
        with self._pool.connection() as conn:
            yield conn

    @contextmanager
    def _tx(self):
        """One write transaction holding the writers' lock; nested calls (batch) join the outer one."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        with self._conn() as conn:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                self._local.conn = conn
                try:
                    yield conn
                finally:
                    self._local.conn = None

    @contextmanager
    def batch(self):
        """Several writes (data, audit, users, settings) committed together, or none of them."""
        with self._tx():
            yield self

    def _q(self, sql: str, params=()) -> list[tuple]:
        with self._conn() as conn:
            return conn.execute(sql, params).fetchall()

    def _seed(self) -> None:
        if self._q("SELECT 1 FROM revisions LIMIT 1"):
            return
        with self._tx() as c:
            if c.execute("SELECT 1 FROM revisions LIMIT 1").fetchone():
                return
            rev = self._new_revision(c, SYSTEM_USER, "Khởi tạo kho dữ liệu, chỉ tiêu mặc định", "seed", "", False)
            for t in DEFAULT_TARGETS:
                self._write_row(c, "target", (t.year, t.scope), _dumps(asdict(t)), False, rev)
            self._finish_revision(c, rev, f"{len(DEFAULT_TARGETS)} chỉ tiêu mặc định")

    def _new_revision(self, c, user: str, reason: str, kind: str, source: str, demo: bool) -> int:
        user, reason = (user or "").strip(), (reason or "").strip()
        if not user:
            raise StoreError("Thiếu tên người thực hiện thay đổi.")
        if not reason:
            raise StoreError("Thiếu lý do thay đổi.")
        row = c.execute('INSERT INTO revisions(at, "user", reason, kind, summary, source, demo) '
                        "VALUES (%s, %s, %s, %s, '', %s, %s) RETURNING id",
                        (_now(), user, reason, kind, source or "", bool(demo))).fetchone()
        return int(row[0])

    def _finish_revision(self, c, rev: int, summary: str) -> None:
        c.execute("UPDATE revisions SET summary = %s WHERE id = %s", (summary, rev))

    def _current(self, c, entity: str, key: tuple) -> tuple[str, int] | None:
        table, _, cols = ENTITIES[entity]
        where = " AND ".join(f"{k} = %s" for k in cols)
        row = c.execute(f"SELECT data, demo FROM {table} WHERE {where}", key).fetchone()
        return (row[0], int(row[1])) if row else None

    def _write_row(self, c, entity: str, key: tuple, data: str | None, demo: bool, rev: int) -> bool:
        table, vtable, cols = ENTITIES[entity]
        cur = self._current(c, entity, key)
        if data is None and cur is None:
            return False
        if cur is not None and data is not None and cur == (data, int(demo)):
            return False
        kc = ", ".join(cols)
        ph = ", ".join("%s" for _ in cols)
        c.execute(f"INSERT INTO {vtable}(rev_id, {kc}, data, demo) VALUES (%s, {ph}, %s, %s)",
                  (rev, *key, data, bool(demo)))
        where = " AND ".join(f"{k} = %s" for k in cols)
        if data is None:
            c.execute(f"DELETE FROM {table} WHERE {where}", key)
        else:
            c.execute(f"INSERT INTO {table}({kc}, data, demo, rev_id) VALUES ({ph}, %s, %s, %s) "
                      f"ON CONFLICT({kc}) DO UPDATE SET data = excluded.data, demo = excluded.demo, "
                      f"rev_id = excluded.rev_id", (*key, data, bool(demo), rev))
        return True

    def _state_at(self, c, entity: str, rev: int) -> dict[tuple, tuple[str, int]]:
        _, vtable, cols = ENTITIES[entity]
        kc = ", ".join(cols)
        rows = c.execute(f"SELECT DISTINCT ON ({kc}) {kc}, data, demo FROM {vtable} WHERE rev_id <= %s "
                         f"ORDER BY {kc}, rev_id DESC", (rev,)).fetchall()
        n = len(cols)
        return {tuple(r[:n]): (r[n], int(r[n + 1])) for r in rows if r[n] is not None}

    def known_codes(self) -> frozenset[str]:
        """The 124 unit codes of the built boundaries (the same source as the SQLite store)."""
        if self._codes is None:
            from .. import boundaries

            self._codes = frozenset(boundaries.commune_table()["code"].astype(str))
        return self._codes

    # --- reads ------------------------------------------------------------------------------

    def years(self) -> list[int]:
        return [int(r[0]) for r in self._q("SELECT DISTINCT year FROM assessments ORDER BY year")]

    def assessments(self, year: int) -> dict[str, Assessment]:
        rows = self._q("SELECT code, data FROM assessments WHERE year = %s ORDER BY code", (year,))
        return {code: Assessment.from_dict(json.loads(data)) for code, data in rows}

    def history(self, code: str) -> dict[int, Assessment]:
        rows = self._q("SELECT year, data FROM assessments WHERE code = %s ORDER BY year", (code,))
        return {int(y): Assessment.from_dict(json.loads(d)) for y, d in rows}

    def routes(self, year: int | None = None) -> list[Route]:
        rows = self._q("SELECT data FROM routes ORDER BY route_id")
        out = [_route_from(json.loads(d)) for (d,) in rows]
        return out if year is None else [r for r in out if r.in_force(year)]

    def targets(self) -> list[Target]:
        rows = self._q("SELECT data FROM targets ORDER BY year, scope")
        return [_target_from(json.loads(d)) for (d,) in rows]

    def is_demo(self, year: int | None = None) -> bool:
        if year is None:
            return bool(self._q("SELECT 1 FROM assessments WHERE demo UNION ALL SELECT 1 FROM routes WHERE demo LIMIT 1"))
        if self._q("SELECT 1 FROM assessments WHERE year = %s AND demo LIMIT 1", (year,)):
            return True
        rows = self._q("SELECT data FROM routes WHERE demo")
        return any(_route_from(json.loads(d)).in_force(year) for (d,) in rows)

    def demo_flags(self, year: int | None = None) -> DemoFlags:
        if year is None:
            st = bool(self._q("SELECT 1 FROM assessments WHERE demo LIMIT 1"))
            rt = bool(self._q("SELECT 1 FROM routes WHERE demo LIMIT 1"))
            tg = bool(self._q("SELECT 1 FROM targets WHERE demo LIMIT 1"))
            return DemoFlags(statuses=st, routes=rt, targets=tg)
        st = bool(self._q("SELECT 1 FROM assessments WHERE year = %s AND demo LIMIT 1", (year,)))
        rt = any(_route_from(json.loads(d)).in_force(year) for (d,) in self._q("SELECT data FROM routes WHERE demo"))
        tg = bool(self._q("SELECT 1 FROM targets WHERE year = %s AND demo LIMIT 1", (year,)))
        return DemoFlags(statuses=st, routes=rt, targets=tg)

    @property
    def url(self) -> str:
        """Identity of the store: the libpq URL without any password."""
        return self._safe

    def revisions(self, limit: int = 200) -> list[Revision]:
        rows = self._q('SELECT id, at, "user", reason, kind, summary, source, demo FROM revisions '
                       "ORDER BY id DESC LIMIT %s", (int(limit),))
        return [Revision(int(r[0]), *r[1:7], demo=bool(r[7])) for r in rows]

    def revision(self, rev_id: int) -> Revision | None:
        rows = self._q('SELECT id, at, "user", reason, kind, summary, source, demo FROM revisions WHERE id = %s',
                       (int(rev_id),))
        return Revision(int(rows[0][0]), *rows[0][1:7], demo=bool(rows[0][7])) if rows else None

    def data_version(self) -> int:
        return int(self._q("SELECT COALESCE(MAX(id), 0) FROM revisions")[0][0])

    def schema_version(self) -> int:
        return int(self._q("SELECT COALESCE(MAX(version), 0) FROM schema_version WHERE version < 100")[0][0])

    def diff(self, rev_a: int, rev_b: int) -> list[Change]:
        for r in (rev_a, rev_b):
            if self.revision(r) is None:
                raise StoreError(f"Không có phiên bản số {r}.")
        out: list[Change] = []
        with self._conn() as c:
            for entity in ENTITIES:
                a = self._state_at(c, entity, rev_a)
                b = self._state_at(c, entity, rev_b)
                for key in sorted(set(a) | set(b), key=lambda k: tuple(map(str, k))):
                    da = json.loads(a[key][0]) if key in a else None
                    db = json.loads(b[key][0]) if key in b else None
                    ks = _key_str(entity, key)
                    if da is None or db is None:
                        out.append(Change(entity, ks, "*", da, db))
                        continue
                    for f in sorted(set(da) | set(db)):
                        if da.get(f) != db.get(f):
                            out.append(Change(entity, ks, f, da.get(f), db.get(f)))
                    if a[key][1] != b[key][1]:
                        out.append(Change(entity, ks, "demo", bool(a[key][1]), bool(b[key][1])))
        return out

    # --- PostGIS ----------------------------------------------------------------------------

    def route_membership(self, year: int | None = None, *, web: bool = True) -> dict[str, list[str]]:
        """{commune code: [ids of the routes (in force in ``year``) whose corridor crosses it]},
        computed in the database: ST_DWithin(line, commune, half width) in UTM 48N (metres), with
        the spatial indexes. ``web`` chooses the boundaries the app draws (as geo.status does)."""
        col = "geom_web_m" if web else "geom_m"
        sql = (f"SELECT c.code, r.route_id FROM communes c JOIN routes r "
               f"ON ST_DWithin(r.geom_m, c.{col}, ((r.data::jsonb)->>'half_width_km')::float8 * 1000.0) ")
        params: tuple = ()
        if year is not None:
            sql += ("WHERE ((r.data::jsonb)->>'year_from')::int <= %s AND (((r.data::jsonb)->>'year_to') IS NULL "
                    "OR ((r.data::jsonb)->>'year_to')::int >= %s) ")
            params = (int(year), int(year))
        sql += "ORDER BY c.code, r.route_id"
        out: dict[str, list[str]] = {c: [] for (c,) in self._q("SELECT code FROM communes ORDER BY code")}
        for code, rid in self._q(sql, params):
            out[code].append(rid)
        return out

    def communes_on_route(self, route_id: str, *, web: bool = True) -> list[str]:
        col = "geom_web_m" if web else "geom_m"
        rows = self._q(f"SELECT c.code FROM communes c JOIN routes r ON ST_DWithin(r.geom_m, c.{col}, "
                       f"((r.data::jsonb)->>'half_width_km')::float8 * 1000.0) WHERE r.route_id = %s ORDER BY c.code",
                       (route_id,))
        return [c for (c,) in rows]

    # --- writes -----------------------------------------------------------------------------

    def _put_assessments(self, year, items, *, user, reason, source, demo, replace: bool) -> int:
        items = self._check_assessments(year, list(items))
        with self._tx() as c:
            rev = self._new_revision(c, user, reason, "replace_year" if replace else "assessments", source, demo)
            n = 0
            for a in items:
                n += self._write_row(c, "assessment", (year, a.code), _dumps(a.to_dict()), demo, rev)
            removed = 0
            if replace:
                keep = {a.code for a in items}
                for (code,) in c.execute("SELECT code FROM assessments WHERE year = %s", (year,)).fetchall():
                    if code not in keep:
                        removed += self._write_row(c, "assessment", (year, code), None, False, rev)
            summary = f"Năm {year}: {len(items)} xã trong tệp, {n} xã thay đổi"
            if replace:
                summary += f", {removed} xã bị xoá"
            self._finish_revision(c, rev, summary)
        return rev

    def upsert_assessments(self, year: int, items: list[Assessment], *, user: str, reason: str,
                           source: str = "", demo: bool = False) -> int:
        return self._put_assessments(year, items, user=user, reason=reason, source=source, demo=demo, replace=False)

    def replace_year(self, year: int, items: list[Assessment], *, user: str, reason: str,
                     source: str = "", demo: bool = False) -> int:
        return self._put_assessments(year, items, user=user, reason=reason, source=source, demo=demo, replace=True)

    def put_routes(self, routes: list[Route], *, user: str, reason: str, replace: bool = False,
                   demo: bool = False, source: str = "") -> int:
        routes = list(routes)
        self._check_routes(routes)
        with self._tx() as c:
            rev = self._new_revision(c, user, reason, "routes", source, demo)
            n = sum(self._write_row(c, "route", (r.id.strip(),), _dumps(_route_dict(r)), demo, rev) for r in routes)
            removed = 0
            if replace:
                keep = {r.id.strip() for r in routes}
                for (rid,) in c.execute("SELECT route_id FROM routes").fetchall():
                    if rid not in keep:
                        removed += self._write_row(c, "route", (rid,), None, False, rev)
            self._finish_revision(c, rev, f"{len(routes)} tuyến, {n} thay đổi, {removed} bị xoá")
        return rev

    def delete_route(self, route_id: str, *, user: str, reason: str) -> int:
        with self._tx() as c:
            if self._current(c, "route", (route_id,)) is None:
                raise StoreError(f"Không có tuyến mã {route_id!r}.")
            rev = self._new_revision(c, user, reason, "delete_route", "", False)
            self._write_row(c, "route", (route_id,), None, False, rev)
            self._finish_revision(c, rev, f"Xoá tuyến {route_id}")
        return rev

    def put_targets(self, targets: list[Target], *, user: str, reason: str, demo: bool = False) -> int:
        targets = list(targets)
        self._check_targets(targets)
        with self._tx() as c:
            rev = self._new_revision(c, user, reason, "targets", "", demo)
            n = sum(self._write_row(c, "target", (t.year, t.scope), _dumps(asdict(t)), demo, rev) for t in targets)
            self._finish_revision(c, rev, f"{len(targets)} chỉ tiêu, {n} thay đổi")
        return rev

    def restore(self, rev_id: int, *, user: str, reason: str) -> int:
        if self.revision(rev_id) is None:
            raise StoreError(f"Không có phiên bản số {rev_id} để khôi phục.")
        with self._tx() as c:
            rev = self._new_revision(c, user, reason, "restore", f"phiên bản {rev_id}", False)
            n = 0
            for entity, (table, _, cols) in ENTITIES.items():
                old = self._state_at(c, entity, rev_id)
                kc = ", ".join(cols)
                now = {tuple(r[:-2]): (r[-2], int(r[-1]))
                       for r in c.execute(f"SELECT {kc}, data, demo FROM {table}").fetchall()}
                for key in set(old) | set(now):
                    data, demo = old.get(key, (None, 0))
                    n += self._write_row(c, entity, key, data, bool(demo), rev)
            self._finish_revision(c, rev, f"Khôi phục trạng thái phiên bản {rev_id}: {n} thay đổi")
        return rev

    # --- audit (append-only) ----------------------------------------------------------------

    def audit(self, user: str, action: str, what: str, detail: Any = None, *, now: dt.datetime | None = None) -> int:
        """Append one audit entry (inside the current batch, if any); returns its id."""
        from .. import audit as A

        if action not in A.ACTIONS:
            raise A.AuditError(f"Hành động “{action}” không có trong danh sách nhật ký: {', '.join(A.ACTIONS)}.")
        user = A._clean(user, 200)
        if not user:
            raise A.AuditError("Thiếu tên người thực hiện cho nhật ký.")
        what = A._clean(what, A.MAX_TEXT)
        if not what:
            raise A.AuditError("Thiếu nội dung (“what”) cho nhật ký.")
        det = None
        if detail is not None:
            det = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
            if len(det) > A.MAX_DETAIL:
                det = json.dumps({"cắt_bớt": det[:A.MAX_DETAIL]}, ensure_ascii=False)
        with self._conn() as c:
            row = c.execute('INSERT INTO audit_log(at, "user", action, what, detail) VALUES (%s, %s, %s, %s, %s) '
                            "RETURNING id", (A.iso(now), user, action, what, det)).fetchone()
        return int(row[0])

    def audit_entries(self, since: dt.datetime | str | None = None, user: str | None = None,
                      action: str | None = None, limit: int | None = 500):
        from .. import audit as A

        sql = 'SELECT id, at, "user", action, what, detail FROM audit_log WHERE TRUE'
        params: list[Any] = []
        if since is not None:
            sql += " AND at >= %s"
            params.append(since if isinstance(since, str) else A.iso(since))
        if user:
            sql += ' AND "user" = %s'
            params.append(user)
        if action:
            if action not in A.ACTIONS:
                raise A.AuditError(f"Hành động “{action}” không có trong danh sách nhật ký: {', '.join(A.ACTIONS)}.")
            sql += " AND action = %s"
            params.append(action)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(int(limit))
        return [A.AuditEntry(int(i), at, u, a, w, A._decode(d)) for i, at, u, a, w, d in self._q(sql, params)]

    # --- settings ---------------------------------------------------------------------------

    def setting(self, key: str) -> Any | None:
        rows = self._q("SELECT value FROM settings WHERE key = %s", (key,))
        if not rows:
            return None
        try:
            return json.loads(rows[0][0])
        except ValueError:
            return None

    def put_setting(self, key: str, value: Any, *, user: str, reason: str = "") -> int:
        if not isinstance(user, str) or not user.strip():
            raise StoreError("Thiếu tên người thực hiện thay đổi.")
        text = json.dumps(value, ensure_ascii=False)
        with self._tx() as c:
            rev = self._new_revision(c, user, reason or f"Lưu thiết lập {key}", "setting", key, False)
            c.execute('INSERT INTO settings(key, value, "user", at) VALUES (%s, %s, %s, %s) ON CONFLICT(key) '
                      'DO UPDATE SET value = excluded.value, "user" = excluded."user", at = excluded.at',
                      (key, text, user.strip(), _now()))
            self._finish_revision(c, rev, f"Thiết lập {key}")
        return rev

    # --- app sessions shared by the replicas ------------------------------------------------

    def touch_session(self, session_id: str, user: str, *, timeout_minutes: float) -> bool:
        """Record activity of a logged-in session; False (and the session ended) when it had been
        idle longer than ``timeout_minutes`` according to the database clock, whichever replica
        served it before."""
        with self._conn() as c:
            row = c.execute('SELECT "user", now() - last_seen > make_interval(secs => %s) FROM app_sessions '
                            "WHERE id = %s", (float(timeout_minutes) * 60, session_id)).fetchone()
            if row is not None and (row[1] or row[0] != user):
                c.execute("DELETE FROM app_sessions WHERE id = %s", (session_id,))
                return False
            c.execute('INSERT INTO app_sessions(id, "user") VALUES (%s, %s) ON CONFLICT(id) DO UPDATE '
                      "SET last_seen = now()", (session_id, user))
        return True

    def end_session(self, session_id: str) -> None:
        self._q("DELETE FROM app_sessions WHERE id = %s RETURNING id", (session_id,))

    def session_idle_seconds(self, session_id: str) -> float | None:
        rows = self._q("SELECT EXTRACT(EPOCH FROM now() - last_seen) FROM app_sessions WHERE id = %s", (session_id,))
        return float(rows[0][0]) if rows else None

    # --- life -------------------------------------------------------------------------------

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if self.listener is not None:
                self.listener.stop()
            self._pool.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"PostgresStore({self._safe!r})"


def _probe(url: str) -> str:
    """Why a connection fails (one direct attempt, for the message)."""
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S).close()
    except psycopg.Error as exc:
        return _pg_reason(exc)
    return "hết thời gian chờ kết nối"


__all__ = ["PostgresStore", "safe_url", "is_postgres_url"]
