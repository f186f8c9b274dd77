"""SQLite implementation of :class:`geo.store.Store` (WAL, busy timeout, foreign keys, row versions).

Layout: ``revisions`` (who/when/why, hash-chained), ``*_versions`` (every row version ever written,
keyed by revision; append-only) and the current tables (``assessments``, ``routes``, ``targets``,
``setting_values``) kept in step inside the same transaction; ``audit_log`` (append-only,
hash-chained); ``users`` and ``login_throttle``. Rows are stored as JSON of the model dataclasses
(no pickle); every statement is parameterised (table names come from the constant
:data:`ENTITIES`, never from input).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import asdict, fields, replace
from pathlib import Path

from typing import Any

from ..model import (CLASSES, DEFAULT_TARGETS, INDICATORS, ROUTE_KINDS, YEARS, Assessment, DemoFlags, Route, Target,
                     contradiction)
from . import chain
from .records import (AuditEntry, Change, Revision, StoreError, Throttle, UserRecord, audit_row,
                      check_action, decode_detail, iso)
from .migrations import migrate

BUSY_TIMEOUT_MS = 30_000
TARGET_SCOPES = ("ministry", "national", "province")
SYSTEM_USER = "hệ thống"

# entity -> (current table, versions table, key columns)
ENTITIES = {
    "assessment": ("assessments", "assessment_versions", ("year", "code")),
    "route": ("routes", "route_versions", ("route_id",)),
    "target": ("targets", "target_versions", ("year", "scope")),
    "setting": ("setting_values", "setting_versions", ("key",)),
}
MAX_SETTING_KEY = 100
MAX_SETTING_BYTES = 200_000
from ..model import ROLES  # noqa: E402,F401  (one definition: geo.model.ROLES)
THROTTLE_SCOPES = ("pair", "client", "name")
# Province bounding box with a margin (lon/lat): a line outside it is in the wrong CRS or place.
LON_RANGE = (103.5, 106.5)
LAT_RANGE = (21.0, 23.8)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _dumps(d: dict) -> str:
    return json.dumps(d, ensure_ascii=False, sort_keys=True)


def _route_dict(r: Route) -> dict:
    return asdict(r)


def _route_from(d: dict) -> Route:
    names = {f.name for f in fields(Route)}
    return Route(**{k: v for k, v in d.items() if k in names})


def _target_from(d: dict) -> Target:
    names = {f.name for f in fields(Target)}
    return Target(**{k: v for k, v in d.items() if k in names})


def _key_str(entity: str, key: tuple) -> str:
    return "/".join(str(k) for k in key)


class SQLiteStore:
    """The embedded store. Safe to share between threads (one connection behind a lock) and
    between processes (SQLite locking: writers queue on ``BEGIN IMMEDIATE`` up to the busy timeout)."""

    def __init__(self, path: Path | str):
        if isinstance(path, str) and path.startswith("sqlite:///"):
            path = path[len("sqlite:///"):]
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._codes: frozenset[str] | None = None
        self._depth = 0
        self._conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000,
                                     isolation_level=None, check_same_thread=False)
        c = self._conn
        c.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if c.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            c.execute("PRAGMA journal_mode = WAL")
        c.execute("PRAGMA synchronous = FULL")
        c.execute("PRAGMA foreign_keys = ON")
        migrate(c)
        self._seed()

    # --- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _tx(self):
        """One write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``; any exception rolls back."""
        with self._lock:
            if self._depth:  # inside batch(): the outer transaction commits
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            finally:
                self._depth -= 1

    @contextmanager
    def batch(self):
        """Several writes (each its own revision) committed together, or none of them."""
        with self._tx():
            yield self

    @contextmanager
    def _connection(self):
        """The connection for a multi-statement read (the single one, behind the lock; a server
        backend hands out a pooled one instead)."""
        with self._lock:
            yield self._conn

    def _q(self, sql: str, params=()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _seed(self) -> None:
        """Default targets as the first revision of a new store (once, even with racing processes)."""
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
        # RETURNING (SQLite >= 3.35, PostgreSQL): the same statement serves both backends
        row = c.execute("INSERT INTO revisions(at, user, reason, kind, summary, source, demo) "
                        "VALUES (?, ?, ?, ?, '', ?, ?) RETURNING id",
                        (_now(), user, reason, kind, source or "", int(demo))).fetchone()
        return int(row[0])

    def _finish_revision(self, c, rev: int, summary: str) -> None:
        """Seal the revision: its summary and its hash, chained to the previous revision's."""
        row = c.execute("SELECT id, at, user, reason, kind, source, demo FROM revisions WHERE id = ?",
                        (rev,)).fetchone()
        prev = c.execute("SELECT hash FROM revisions WHERE id < ? ORDER BY id DESC LIMIT 1", (rev,)).fetchone()
        prev_h = (prev[0] or chain.GENESIS) if prev else chain.GENESIS
        rows_h = chain.rows_hash(self._revision_rows(c, rev))
        header = chain.revision_header(*row[:5], summary, *row[5:])
        h = chain.revision_hash(prev_h, header, rows_h)
        c.execute("UPDATE revisions SET summary = ?, rows_hash = ?, prev_hash = ?, hash = ? WHERE id = ?",
                  (summary, rows_h, prev_h, h, rev))

    def _revision_rows(self, c, rev: int) -> list[tuple]:
        out = []
        for entity, (_, vtable, cols) in ENTITIES.items():
            kc = ", ".join(cols)
            n = len(cols)
            for r in c.execute(f"SELECT {kc}, data, demo FROM {vtable} WHERE rev_id = ?", (rev,)).fetchall():
                out.append((entity, tuple(r[:n]), r[n], r[n + 1]))
        return out

    def _current(self, c, entity: str, key: tuple) -> tuple[str, int] | None:
        table, _, cols = ENTITIES[entity]
        where = " AND ".join(f"{k} = ?" for k in cols)
        row = c.execute(f"SELECT data, demo FROM {table} WHERE {where}", key).fetchone()
        return (row[0], int(row[1])) if row else None

    def _write_row(self, c, entity: str, key: tuple, data: str | None, demo: bool, rev: int) -> bool:
        """Set one row (``data`` None deletes it), recording a version. False if nothing changed."""
        table, vtable, cols = ENTITIES[entity]
        cur = self._current(c, entity, key)
        if data is None and cur is None:
            return False
        if cur is not None and data is not None and cur == (data, int(demo)):
            return False
        kc = ", ".join(cols)
        ph = ", ".join("?" for _ in cols)
        c.execute(f"INSERT INTO {vtable}(rev_id, {kc}, data, demo) VALUES (?, {ph}, ?, ?)",
                  (rev, *key, data, int(demo)))
        where = " AND ".join(f"{k} = ?" for k in cols)
        if data is None:
            c.execute(f"DELETE FROM {table} WHERE {where}", key)
        else:
            c.execute(f"INSERT INTO {table}({kc}, data, demo, rev_id) VALUES ({ph}, ?, ?, ?) "
                      f"ON CONFLICT({kc}) DO UPDATE SET data = excluded.data, demo = excluded.demo, "
                      f"rev_id = excluded.rev_id", (*key, data, int(demo), rev))
        return True

    def _state_at(self, c, entity: str, rev: int) -> dict[tuple, tuple[str, int]]:
        """{key: (data, demo)} as of revision ``rev`` (rows absent then are left out)."""
        _, vtable, cols = ENTITIES[entity]
        kc = ", ".join(cols)
        join = " AND ".join(f"v2.{k} = v.{k}" for k in cols)
        rows = c.execute(
            f"SELECT {kc}, data, demo FROM {vtable} v WHERE rev_id = "
            f"(SELECT MAX(rev_id) FROM {vtable} v2 WHERE {join} AND v2.rev_id <= ?)", (rev,)).fetchall()
        n = len(cols)
        return {tuple(r[:n]): (r[n], int(r[n + 1])) for r in rows if r[n] is not None}

    def known_codes(self) -> frozenset[str]:
        """The 124 unit codes of the built boundaries."""
        if self._codes is None:
            from .. import boundaries

            self._codes = frozenset(boundaries.commune_table()["code"].astype(str))
        return self._codes

    # --- validation (before any write) -----------------------------------------------------

    def _check_year(self, year) -> int:
        if not isinstance(year, int) or isinstance(year, bool) or year not in YEARS:
            raise StoreError(f"Năm {year!r} không hợp lệ: chỉ nhận các năm {YEARS[0]}–{YEARS[-1]}.")
        return year

    def _check_assessments(self, year: int, items: list[Assessment]) -> list[Assessment]:
        self._check_year(year)
        codes = self.known_codes()
        seen: set[str] = set()
        out = []
        for i, a in enumerate(items, start=1):
            where = f"bản ghi thứ {i} (mã {a.code!r})"
            if not isinstance(a, Assessment):
                raise StoreError(f"Bản ghi thứ {i} không phải là đánh giá xã (Assessment).")
            if str(a.code) not in codes:
                raise StoreError(f"{where}: mã xã không có trong danh sách 124 đơn vị hành chính của tỉnh.")
            if a.year != year:
                raise StoreError(f"{where}: năm {a.year} khác năm đang nhập {year}.")
            if a.code in seen:
                raise StoreError(f"{where}: xã bị lặp lại trong cùng một lần nhập.")
            seen.add(a.code)
            if a.complexity_class not in ("",) + CLASSES:
                raise StoreError(f"{where}: loại trọng điểm {a.complexity_class!r} không hợp lệ (chỉ I, II, III hoặc để trống).")
            why = contradiction(a)
            if why:
                raise StoreError(f"{where}: {why}. Không có gì được lưu.")
            for name in INDICATORS:
                v = getattr(a, name)
                if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not math.isfinite(v)):
                    raise StoreError(f"{where}: chỉ số '{INDICATORS[name][0]}' phải là số, nhận được {v!r}.")
                if v < 0:
                    raise StoreError(f"{where}: chỉ số '{INDICATORS[name][0]}' không được âm ({v}).")
                if name != "plant_area_m2" and int(v) != v:
                    raise StoreError(f"{where}: chỉ số '{INDICATORS[name][0]}' phải là số nguyên ({v}).")
            if a.decision_date is not None and not isinstance(a.decision_date, dt.date):
                raise StoreError(f"{where}: ngày quyết định không hợp lệ ({a.decision_date!r}).")
            if a.target_year is not None and (not isinstance(a.target_year, int) or not 2020 <= a.target_year <= 2035):
                raise StoreError(f"{where}: năm đăng ký {a.target_year!r} không hợp lệ.")
            norm = {n: (float(getattr(a, n)) if n == "plant_area_m2" else int(getattr(a, n))) for n in INDICATORS}
            out.append(replace(a, code=str(a.code), note=a.note or "", source_ref=a.source_ref or "",
                               decision_no=(a.decision_no or "").strip(), **norm))
        return out

    def _check_routes(self, routes: list[Route]) -> None:
        from shapely import wkt
        from shapely.errors import ShapelyError

        seen = set()
        for i, r in enumerate(routes, start=1):
            rid = (r.id or "").strip()
            where = f"Tuyến thứ {i} ({rid or 'không có mã'})"
            if not rid:
                raise StoreError(f"{where}: thiếu mã tuyến.")
            if rid in seen:
                raise StoreError(f"{where}: mã tuyến bị lặp lại.")
            seen.add(rid)
            if not (r.name or "").strip():
                raise StoreError(f"{where}: thiếu tên tuyến.")
            if r.kind not in ROUTE_KINDS:
                raise StoreError(f"{where}: loại tuyến {r.kind!r} không hợp lệ (road, border, river, other).")
            try:
                g = wkt.loads(r.geometry_wkt)
            except (ShapelyError, TypeError, ValueError, AttributeError):
                raise StoreError(f"{where}: hình học (WKT) không đọc được.") from None
            if g.is_empty or g.geom_type not in ("LineString", "MultiLineString"):
                raise StoreError(f"{where}: tuyến phải là đường (LineString/MultiLineString), nhận được {g.geom_type}.")
            x0, y0, x1, y1 = g.bounds
            if not (LON_RANGE[0] <= x0 and x1 <= LON_RANGE[1] and LAT_RANGE[0] <= y0 and y1 <= LAT_RANGE[1]):
                raise StoreError(f"{where}: toạ độ nằm ngoài tỉnh Tuyên Quang (kinh độ/vĩ độ WGS 84) — "
                                 "có thể tệp dùng hệ toạ độ khác (VN-2000?) mà khai báo sai.")
            if not isinstance(r.half_width_km, (int, float)) or not 0 < r.half_width_km <= 50:
                raise StoreError(f"{where}: nửa bề rộng hành lang phải trong khoảng 0–50 km ({r.half_width_km!r}).")
            if r.year_from not in YEARS or (r.year_to is not None and (r.year_to not in YEARS or r.year_to < r.year_from)):
                raise StoreError(f"{where}: năm hiệu lực không hợp lệ ({r.year_from}–{r.year_to}).")

    def _check_targets(self, targets: list[Target]) -> None:
        seen = set()
        for i, t in enumerate(targets, start=1):
            where = f"Chỉ tiêu thứ {i} ({t.year}, {t.scope})"
            self._check_year(t.year)
            if t.scope not in TARGET_SCOPES:
                raise StoreError(f"{where}: phạm vi {t.scope!r} không hợp lệ (ministry, national, province).")
            if (t.year, t.scope) in seen:
                raise StoreError(f"{where}: chỉ tiêu bị lặp lại.")
            seen.add((t.year, t.scope))
            if (t.share_pct is None) == (t.count is None):
                raise StoreError(f"{where}: cần đúng một trong hai: tỷ lệ (%) hoặc số xã.")
            if t.share_pct is not None and not 0 <= t.share_pct <= 100:
                raise StoreError(f"{where}: tỷ lệ phải trong khoảng 0–100% ({t.share_pct}).")
            if t.count is not None and not 0 <= t.count <= len(self.known_codes()):
                raise StoreError(f"{where}: số xã phải trong khoảng 0–{len(self.known_codes())} ({t.count}).")

    # --- reads ------------------------------------------------------------------------------

    def years(self) -> list[int]:
        return [int(r[0]) for r in self._q("SELECT DISTINCT year FROM assessments ORDER BY year")]

    def assessments(self, year: int) -> dict[str, Assessment]:
        rows = self._q("SELECT code, data FROM assessments WHERE year = ? ORDER BY code", (year,))
        return {code: Assessment.from_dict(json.loads(data)) for code, data in rows}

    def history(self, code: str) -> dict[int, Assessment]:
        """One commune's current assessment in every year that has one."""
        rows = self._q("SELECT year, data FROM assessments WHERE code = ? ORDER BY year", (code,))
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
            return bool(self._q("SELECT 1 FROM assessments WHERE demo = 1 UNION ALL "
                                "SELECT 1 FROM routes WHERE demo = 1 LIMIT 1"))
        if self._q("SELECT 1 FROM assessments WHERE year = ? AND demo = 1 LIMIT 1", (year,)):
            return True
        rows = self._q("SELECT data FROM routes WHERE demo = 1")
        return any(_route_from(json.loads(d)).in_force(year) for (d,) in rows)

    def demo_flags(self, year: int | None = None) -> DemoFlags:
        """Which parts are illustrative: the year's statuses, its routes in force, its targets."""
        if year is None:
            st = bool(self._q("SELECT 1 FROM assessments WHERE demo = 1 LIMIT 1"))
            rt = bool(self._q("SELECT 1 FROM routes WHERE demo = 1 LIMIT 1"))
            tg = bool(self._q("SELECT 1 FROM targets WHERE demo = 1 LIMIT 1"))
            return DemoFlags(statuses=st, routes=rt, targets=tg)
        st = bool(self._q("SELECT 1 FROM assessments WHERE year = ? AND demo = 1 LIMIT 1", (year,)))
        rt = any(_route_from(json.loads(d)).in_force(year) for (d,) in self._q("SELECT data FROM routes WHERE demo = 1"))
        tg = bool(self._q("SELECT 1 FROM targets WHERE year = ? AND demo = 1 LIMIT 1", (year,)))
        return DemoFlags(statuses=st, routes=rt, targets=tg)

    @property
    def url(self) -> str:
        return "sqlite:///" + str(self.path.resolve())

    def revisions(self, limit: int = 200) -> list[Revision]:
        rows = self._q("SELECT id, at, user, reason, kind, summary, source, demo FROM revisions "
                       "ORDER BY id DESC LIMIT ?", (int(limit),))
        return [Revision(*r[:7], demo=bool(r[7])) for r in rows]

    def revision(self, rev_id: int) -> Revision | None:
        rows = self._q("SELECT id, at, user, reason, kind, summary, source, demo FROM revisions WHERE id = ?",
                       (int(rev_id),))
        return Revision(*rows[0][:7], demo=bool(rows[0][7])) if rows else None

    def data_version(self) -> int:
        return int(self._q("SELECT COALESCE(MAX(id), 0) FROM revisions")[0][0])

    def schema_version(self) -> int:
        return int(self._q("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0])

    def diff(self, rev_a: int, rev_b: int) -> list[Change]:
        """Field-level changes from the state as of ``rev_a`` to the state as of ``rev_b``."""
        for r in (rev_a, rev_b):
            if self.revision(r) is None:
                raise StoreError(f"Không có phiên bản số {r}.")
        out: list[Change] = []
        with self._connection() as c:
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
                    if not (isinstance(da, dict) and isinstance(db, dict)):  # a setting's JSON value
                        if da != db:
                            out.append(Change(entity, ks, "value", da, db))
                        continue
                    for f in sorted(set(da) | set(db)):
                        if da.get(f) != db.get(f):
                            out.append(Change(entity, ks, f, da.get(f), db.get(f)))
                    if a[key][1] != b[key][1]:
                        out.append(Change(entity, ks, "demo", bool(a[key][1]), bool(b[key][1])))
        return out

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
                for (code,) in c.execute("SELECT code FROM assessments WHERE year = ?", (year,)).fetchall():
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
        """Make the state as of ``rev_id`` current, as a new revision."""
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

    # --- settings (a revisioned entity) -------------------------------------------------------

    def setting(self, key: str) -> Any | None:
        """The current JSON value of ``key`` (e.g. ``present.slides``), or None when never set."""
        rows = self._q("SELECT data FROM setting_values WHERE key = ?", (str(key),))
        return json.loads(rows[0][0]) if rows else None

    def put_setting(self, key: str, value: Any, *, user: str, reason: str) -> int:
        """Store a JSON value as a new revision (``value`` None removes the setting)."""
        k = (key or "").strip() if isinstance(key, str) else ""
        if not k or len(k) > MAX_SETTING_KEY or not k.isprintable():
            raise StoreError(f"Tên thiết lập {key!r} không hợp lệ (1–{MAX_SETTING_KEY} ký tự in được).")
        data = None
        if value is not None:
            try:
                data = json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)
            except (TypeError, ValueError) as exc:
                raise StoreError(f"Thiết lập “{k}”: giá trị không ghi được dạng JSON ({exc}).") from None
            if len(data.encode()) > MAX_SETTING_BYTES:
                raise StoreError(f"Thiết lập “{k}”: giá trị quá lớn (tối đa {MAX_SETTING_BYTES // 1000} kB).")
        with self._tx() as c:
            rev = self._new_revision(c, user, reason, "settings", "", False)
            changed = self._write_row(c, "setting", (k,), data, False, rev)
            self._finish_revision(c, rev, f"Thiết lập {k}: " + ("đã đổi" if changed else "không đổi"))
        return rev

    # --- audit (append-only, hash-chained) -----------------------------------------------------

    def audit(self, user: str, action: str, what: str, detail: Any = None, *, now: dt.datetime | None = None) -> int:
        """Append one audit entry (inside the caller's batch, if any); returns its id."""
        u, a, w, d = audit_row(user, action, what, detail)
        at = iso(now)
        with self._tx() as c:
            last = c.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            new_id = (int(last[0]) + 1) if last else 1
            prev = (last[1] or chain.GENESIS) if last else chain.GENESIS
            h = chain.audit_hash(prev, chain.audit_content(new_id, at, u, a, w, d))
            c.execute("INSERT INTO audit_log(id, at, user, action, what, detail, prev_hash, hash) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (new_id, at, u, a, w, d, prev, h))
        return new_id

    def audit_entries(self, since: dt.datetime | str | None = None, user: str | None = None,
                      action: str | None = None, limit: int | None = 500) -> list[AuditEntry]:
        """Entries newest first, filtered by time (``since`` inclusive), account name and action."""
        sql = "SELECT id, at, user, action, what, detail FROM audit_log WHERE 1=1"
        params: list[Any] = []
        if since is not None:
            sql += " AND at >= ?"
            params.append(since if isinstance(since, str) else iso(since))
        if user:
            sql += " AND user = ?"
            params.append(user)
        if action:
            check_action(action)
            sql += " AND action = ?"
            params.append(action)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        rows = self._q(sql, params)
        return [AuditEntry(int(i), at, u, a, w, decode_detail(d)) for i, at, u, a, w, d in rows]

    # --- tamper evidence -------------------------------------------------------------------------

    def verify_chain(self) -> chain.ChainReport:
        """Recompute every revision's and audit entry's hash, and compare the current tables with
        the state the revisions describe. Read-only; one consistent snapshot."""
        with self._lock:
            c = self._conn
            own = not self._depth
            if own:
                c.execute("BEGIN")  # a read transaction: one snapshot for the whole check
            try:
                return self._verify(c)
            finally:
                if own:
                    c.execute("COMMIT")

    def _verify(self, c) -> chain.ChainReport:
        """The check itself, on connection ``c`` (both backends: PostgresStore runs it in its own snapshot)."""
        revs = c.execute("SELECT id, at, user, reason, kind, summary, source, demo, rows_hash, prev_hash, hash "
                         "FROM revisions ORDER BY id").fetchall()
        n_rev, brk_rev, head_rev = chain.verify_revisions(revs, lambda rid: chain.rows_hash(self._revision_rows(c, rid)))
        aud = c.execute("SELECT id, at, user, action, what, detail, prev_hash, hash FROM audit_log ORDER BY id").fetchall()
        n_aud, brk_aud, head_aud = chain.verify_audit(aud)
        breaks = [b for b in (brk_rev, brk_aud) if b is not None]
        if brk_rev is None and revs:
            cur = self._current_state_break(c, int(revs[-1][0]))
            if cur is not None:
                breaks.append(cur)
        return chain.ChainReport(n_rev, n_aud, tuple(breaks), {"revisions": head_rev, "audit_log": head_aud})

    def _current_state_break(self, c, last_rev: int) -> chain.Break | None:
        """The current tables must equal the state as of the last revision."""
        for entity, (table, _, cols) in ENTITIES.items():
            want = self._state_at(c, entity, last_rev)
            kc = ", ".join(cols)
            n = len(cols)
            have = {tuple(r[:n]): (r[n], int(r[n + 1])) for r in c.execute(f"SELECT {kc}, data, demo FROM {table}")}
            for key in sorted(set(want) | set(have), key=lambda k: tuple(map(str, k))):
                if want.get(key) != have.get(key):
                    what = ("có dòng không do phiên bản nào ghi" if key not in want else
                            "thiếu dòng mà lịch sử phiên bản có" if key not in have else
                            "giá trị hiện tại khác giá trị đã ghi trong lịch sử phiên bản")
                    return chain.Break(table, _key_str(entity, key), f"bảng dữ liệu hiện hành bị sửa ngoài ứng dụng: {what}")
        return None

    # --- accounts and login throttling (policy: geo.auth) -------------------------------------

    _USER_COLS = "name, role, disabled, created_at, updated_at, last_login, password_hash"

    @staticmethod
    def _user_rec(r) -> UserRecord:
        return UserRecord(r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6])

    def users(self) -> list[UserRecord]:
        return [self._user_rec(r) for r in self._q(f"SELECT {self._USER_COLS} FROM users ORDER BY name")]

    def user(self, name: str) -> UserRecord | None:
        rows = self._q(f"SELECT {self._USER_COLS} FROM users WHERE name = ?", ((name or "").strip().lower(),))
        return self._user_rec(rows[0]) if rows else None

    def add_user(self, name: str, role: str, password_hash: str, *, now: str) -> None:
        """Insert an account (name and role already checked by geo.auth); StoreError if it exists."""
        if role not in ROLES:
            raise StoreError(f"Vai trò “{role}” không hợp lệ.")
        if not str(password_hash).startswith("$argon2"):
            raise StoreError("Mật khẩu phải được lưu dưới dạng mã băm argon2.")
        with self._tx() as c:
            if c.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise StoreError(f"Tên đăng nhập “{name}” đã tồn tại.")
            c.execute("INSERT INTO users(name, role, password_hash, disabled, created_at, updated_at) "
                      "VALUES (?, ?, ?, 0, ?, ?)", (name, role, password_hash, now, now))

    def update_user(self, name: str, *, now: str, role: str | None = None, disabled: bool | None = None,
                    password_hash: str | None = None, last_login: str | None = None) -> None:
        sets, params = [], []
        if role is not None:
            if role not in ROLES:
                raise StoreError(f"Vai trò “{role}” không hợp lệ.")
            sets.append("role = ?"), params.append(role)
        if disabled is not None:
            sets.append("disabled = ?"), params.append(int(bool(disabled)))
        if password_hash is not None:
            if not str(password_hash).startswith("$argon2"):
                raise StoreError("Mật khẩu phải được lưu dưới dạng mã băm argon2.")
            sets.append("password_hash = ?"), params.append(password_hash)
        if last_login is not None:
            sets.append("last_login = ?"), params.append(last_login)
        else:
            sets.append("updated_at = ?"), params.append(now)
        with self._tx() as c:
            if not c.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise StoreError(f"Không có người dùng “{name}”.")
            c.execute(f"UPDATE users SET {', '.join(sets)} WHERE name = ?", (*params, name))

    def throttle(self, scope: str, key: str) -> Throttle | None:
        if scope not in THROTTLE_SCOPES:
            raise StoreError(f"Phạm vi giới hạn đăng nhập {scope!r} không hợp lệ.")
        rows = self._q("SELECT scope, key, failures, window_start, blocked_until FROM login_throttle "
                       "WHERE scope = ? AND key = ?", (scope, key))
        return Throttle(rows[0][0], rows[0][1], int(rows[0][2]), rows[0][3], rows[0][4]) if rows else None

    def put_throttle(self, t: Throttle) -> None:
        if t.scope not in THROTTLE_SCOPES:
            raise StoreError(f"Phạm vi giới hạn đăng nhập {t.scope!r} không hợp lệ.")
        with self._tx() as c:
            c.execute("INSERT INTO login_throttle(scope, key, failures, window_start, blocked_until) "
                      "VALUES (?, ?, ?, ?, ?) ON CONFLICT(scope, key) DO UPDATE SET failures = excluded.failures, "
                      "window_start = excluded.window_start, blocked_until = excluded.blocked_until",
                      (t.scope, t.key, int(t.failures), t.window_start, t.blocked_until))

    def clear_throttle(self, scope: str, key: str | None = None) -> int:
        """Delete one (scope, key) row, or every row of ``scope`` whose key is ``key`` or starts with
        ``key + "|"`` when scope is 'pair' and key ends with '|' (all addresses of a name)."""
        with self._tx() as c:
            if key is None:
                cur = c.execute("DELETE FROM login_throttle WHERE scope = ?", (scope,))
            elif key.endswith("|"):
                cur = c.execute("DELETE FROM login_throttle WHERE scope = ? AND substr(key, 1, ?) = ?",
                                (scope, len(key), key))
            else:
                cur = c.execute("DELETE FROM login_throttle WHERE scope = ? AND key = ?", (scope, key))
            return int(cur.rowcount)

    def has_real_data(self) -> bool:
        """True when any assessment or route is NOT flagged as demo data (public-demo guard)."""
        return bool(self._q("SELECT 1 FROM assessments WHERE demo = 0 UNION ALL "
                            "SELECT 1 FROM routes WHERE demo = 0 LIMIT 1"))

    # --- logged-in sessions, shared by every app server on this store -------------------------
    # Idle time by the store's clock (SQLite: the machine holding the file; PostgreSQL: the
    # server's), so servers with different clocks agree. A session unknown to the store (never
    # started, ended, or timed out by any server) is not alive: touching it does not revive it.

    _EPOCH_NOW = "((julianday('now') - 2440587.5) * 86400.0)"

    def start_session(self, session_id: str, user: str) -> None:
        """A session that just logged in (replaces any row with this id)."""
        with self._tx() as c:
            c.execute("INSERT OR REPLACE INTO app_sessions(id, user, started_at, last_seen) "
                      f"VALUES (?, ?, {self._EPOCH_NOW}, {self._EPOCH_NOW})", (session_id, user))

    def touch_session(self, session_id: str, user: str, *, timeout_minutes: float) -> bool:
        """Record activity. False — and the row removed — when the store does not know the session,
        it belongs to another user, or it has been idle ``timeout_minutes`` or more by the store's
        clock (whichever server saw it last)."""
        with self._tx() as c:
            row = c.execute(f"SELECT user, {self._EPOCH_NOW} - last_seen >= ? FROM app_sessions WHERE id = ?",
                            (float(timeout_minutes) * 60, session_id)).fetchone()
            if row is None:
                return False
            if row[1] or row[0] != user:
                c.execute("DELETE FROM app_sessions WHERE id = ?", (session_id,))
                return False
            c.execute(f"UPDATE app_sessions SET last_seen = {self._EPOCH_NOW} WHERE id = ?", (session_id,))
        return True

    def end_session(self, session_id: str) -> None:
        with self._tx() as c:
            c.execute("DELETE FROM app_sessions WHERE id = ?", (session_id,))

    def session_idle_seconds(self, session_id: str) -> float | None:
        rows = self._q(f"SELECT {self._EPOCH_NOW} - last_seen FROM app_sessions WHERE id = ?", (session_id,))
        return float(rows[0][0]) if rows else None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None  # type: ignore[assignment]

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"
