"""The PostgreSQL store against a real throw-away PostgreSQL + PostGIS cluster: the SQLite store's
behaviour (same results, same refusals, nothing written on a refusal), plus what only the server
store has: password never in its URL, append-only audit for the app role, writers serialised,
route membership computed by PostGIS equal to the Python corridors on the real data."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap

import pytest

from geo import boundaries
from geo.model import DEFAULT_TARGETS, Assessment, Route, Target
from geo.paths import REPO_ROOT
from geo.store import Change, StoreError

LINE = "LINESTRING (104.97 22.82, 105.0 22.9, 105.05 23.0)"


@pytest.fixture()
def codes(boundaries_gpkg):
    return list(boundaries.commune_table()["code"])


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, tmp_path, boundaries_gpkg):
    """The same test on both backends (until tests/store_contract.py covers everything)."""
    if request.param == "sqlite":
        from geo.store.sqlite import SQLiteStore

        s = SQLiteStore(tmp_path / "a.db")
        yield s
        s.close()
    else:
        yield request.getfixturevalue("pg_store")


def pg_dump_hash(store) -> str:
    """SHA-256 over every row of every table (ordered): "byte-identical" for a server database."""
    h = hashlib.sha256()
    with store._connection() as c:
        tables = [t for (t,) in c.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                          "AND tablename <> 'spatial_ref_sys' ORDER BY tablename")]
        for t in tables:
            h.update(t.encode())
            for row in c.execute(f'SELECT t::text FROM "{t}" t ORDER BY t::text'):
                h.update(row[0].encode())
    return h.hexdigest()


def test_new_store_is_seeded_once_and_url_has_no_password(pg_url, pg_env, boundaries_gpkg):
    from geo.store.postgres import PostgresStore

    secret = pg_env.app_password
    with_pw = pg_url.replace("tqmap_app@", f"tqmap_app:{secret}@") + "?password=" + secret
    s = PostgresStore(with_pw)
    assert secret not in s.url and secret not in repr(s)
    assert s.url == pg_url
    assert [(t.year, t.scope, t.share_pct) for t in s.targets()] == sorted(
        (t.year, t.scope, t.share_pct) for t in DEFAULT_TARGETS)
    assert s.data_version() == 1 and s.revisions()[0].kind == "seed"
    s.close()
    s = PostgresStore(pg_url)  # reopen: nothing seeded again
    assert s.data_version() == 1
    s.close()


def test_wrong_password_is_a_clear_error_without_the_password(pg_url, monkeypatch, boundaries_gpkg):
    from geo.store.postgres import PostgresStore

    monkeypatch.setenv("PGPASSWORD", "sai-mat-khau-XYZ")
    with pytest.raises(StoreError) as ei:
        PostgresStore(pg_url)
    msg = str(ei.value)
    assert "Không kết nối được PostgreSQL" in msg and "password authentication failed" in msg
    assert "sai-mat-khau-XYZ" not in msg


def test_upsert_diff_restore_same_as_sqlite(any_store, codes):
    s = any_store
    r1 = s.upsert_assessments(2025, [Assessment(codes[0], 2025, complexity_class="I", addicts=3),
                                     Assessment(codes[1], 2025)], user="an", reason="nhập lần 1")
    r2 = s.upsert_assessments(2025, [Assessment(codes[1], 2025, drug_free=True, decision_no="1/QĐ-UBND")],
                              user="bình", reason="sửa", source="tep.xlsx")
    cur = s.assessments(2025)
    assert set(cur) == {codes[0], codes[1]} and cur[codes[0]].addicts == 3 and cur[codes[1]].drug_free
    assert s.years() == [2025] and s.data_version() == r2 > r1
    rv = s.revisions()
    assert [r.id for r in rv][:2] == [r2, r1]
    assert (rv[0].user, rv[0].reason, rv[0].source) == ("bình", "sửa", "tep.xlsx") and rv[0].at.endswith("+00:00")
    d = s.diff(r1, r2)
    assert Change("assessment", f"2025/{codes[1]}", "drug_free", False, True) in d
    assert all(c.key == f"2025/{codes[1]}" for c in d)
    r3 = s.restore(r1, user="an", reason="hoàn tác")
    assert not s.assessments(2025)[codes[1]].drug_free and s.diff(r1, r3) == [] and s.diff(r2, r3) != []
    r4 = s.restore(1, user="an", reason="về ban đầu")
    assert s.assessments(2025) == {} and [c.field for c in s.diff(r3, r4)] == ["*", "*"]
    assert s.history(codes[0]) == {}


def test_routes_targets_demo_flags(any_store, codes):
    s = any_store
    s.upsert_assessments(2026, [Assessment(c, 2026) for c in codes[:5]], user="u", reason="r", demo=True)
    s.replace_year(2026, [Assessment(codes[9], 2026)], user="u", reason="r")
    assert set(s.assessments(2026)) == {codes[9]}
    s.put_routes([Route("A", "Tuyến A", geometry_wkt=LINE), Route("B", "Tuyến B", geometry_wkt=LINE, year_from=2027)],
                 user="u", reason="r", demo=True)
    assert [r.id for r in s.routes()] == ["A", "B"] and [r.id for r in s.routes(2025)] == ["A"]
    assert s.is_demo(2025) and s.demo_flags(2025).routes and not s.demo_flags(2026).statuses
    s.put_routes([Route("B", "Tuyến B2", geometry_wkt=LINE)], user="u", reason="r", replace=True)
    assert [(r.id, r.name) for r in s.routes()] == [("B", "Tuyến B2")]
    rev = s.delete_route("B", user="u", reason="bỏ tuyến")
    assert s.routes() == [] and s.revisions()[0].id == rev
    s.put_targets([Target(2027, "province", share_pct=55.0)], user="u", reason="r")
    assert Target(2027, "province", share_pct=55.0) in s.targets()


BAD_WRITES = [
    ("năm", lambda s, c: s.upsert_assessments(2024, [Assessment(c[0], 2024)], user="u", reason="r")),
    ("mã xã", lambda s, c: s.upsert_assessments(2025, [Assessment(c[0], 2025), Assessment("99999", 2025)],
                                                 user="u", reason="r")),
    ("lặp", lambda s, c: s.upsert_assessments(2025, [Assessment(c[0], 2025), Assessment(c[0], 2025)],
                                              user="u", reason="r")),
    ("âm", lambda s, c: s.replace_year(2025, [Assessment(c[0], 2025, addicts=-1)], user="u", reason="r")),
    ("lý do", lambda s, c: s.upsert_assessments(2025, [Assessment(c[0], 2025)], user="u", reason=" ")),
    ("ngoài tỉnh", lambda s, c: s.put_routes([Route("X", "X", geometry_wkt="LINESTRING (500000 2500000, 510000 2510000)")],
                                             user="u", reason="r")),
    ("WKT", lambda s, c: s.put_routes([Route("X", "X", geometry_wkt="not wkt")], user="u", reason="r")),
    ("tỷ lệ", lambda s, c: s.put_targets([Target(2026, "province", share_pct=120.0)], user="u", reason="r")),
    ("Không có tuyến", lambda s, c: s.delete_route("KHONG", user="u", reason="r")),
    ("Không có phiên bản", lambda s, c: s.restore(999, user="u", reason="r")),
]


@pytest.mark.parametrize("needle,write", BAD_WRITES, ids=[b[0] for b in BAD_WRITES])
def test_refused_write_leaves_database_identical(pg_store, codes, needle, write):
    pg_store.upsert_assessments(2025, [Assessment(codes[0], 2025, addicts=2)], user="u", reason="r")
    before = pg_dump_hash(pg_store)
    with pytest.raises(StoreError, match=needle):
        write(pg_store, codes)
    assert pg_dump_hash(pg_store) == before


def test_exception_inside_transaction_rolls_back(pg_store, codes, monkeypatch):
    from geo.store.postgres import PostgresStore

    s = pg_store
    s.upsert_assessments(2025, [Assessment(c, 2025, addicts=1) for c in codes[:10]], user="u", reason="r")
    before = pg_dump_hash(s)
    calls = {"n": 0}
    real = PostgresStore._write_row

    def failing(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 6:
            raise RuntimeError("mất điện giả lập")
        return real(self, *a, **k)

    monkeypatch.setattr(PostgresStore, "_write_row", failing)
    with pytest.raises(RuntimeError):
        s.upsert_assessments(2025, [Assessment(c, 2025, addicts=7) for c in codes[:10]], user="u", reason="r")
    monkeypatch.setattr(PostgresStore, "_write_row", real)
    assert calls["n"] == 6 and pg_dump_hash(s) == before


def test_batch_commits_all_or_nothing(pg_store, codes):
    s = pg_store
    before = pg_dump_hash(s)
    with pytest.raises(StoreError):
        with s.batch():
            s.upsert_assessments(2025, [Assessment(codes[0], 2025)], user="u", reason="r")
            s.audit("u", "import", "Nhập thử")
            s.put_targets([Target(2026, "province", share_pct=500.0)], user="u", reason="r")
    assert pg_dump_hash(s) == before
    with s.batch():
        rev = s.upsert_assessments(2025, [Assessment(codes[0], 2025)], user="u", reason="r")
        s.audit("u", "import", "Nhập thật", {"rev": rev})
    assert s.data_version() == rev and s.audit_entries(limit=1)[0].detail == {"rev": rev}


def test_audit_is_append_only_for_the_app_and_for_the_owner(pg_store, pg_cluster, pg_url):
    import psycopg

    s = pg_store
    i = s.audit("lan", "export", "Xuất bản đồ", {"file": "a.html"})
    assert [(e.id, e.user, e.action, e.detail) for e in s.audit_entries()] == [(i, "lan", "export", {"file": "a.html"})]
    with s._connection() as c:  # the app role: no UPDATE/DELETE/TRUNCATE privilege at all
        for sql in ("UPDATE audit_log SET what = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(sql)
    dbname = pg_url.rsplit("/", 1)[1]
    owner = psycopg.connect(pg_cluster.url("tqmap_owner", dbname), password=pg_cluster.owner_password,
                            autocommit=True)
    with owner:  # even the table's owner is stopped by the triggers
        for sql, msg in (("UPDATE audit_log SET what = 'x'", "không được sửa"),
                         ("DELETE FROM audit_log", "không được xoá"), ("TRUNCATE audit_log", "TRUNCATE")):
            with pytest.raises(psycopg.errors.RaiseException, match=msg):
                owner.execute(sql)
    assert len(s.audit_entries()) == 1


def test_app_role_cannot_change_the_schema_nor_history(pg_store, codes):
    import psycopg

    pg_store.upsert_assessments(2025, [Assessment(codes[0], 2025)], user="u", reason="r")
    with pg_store._connection() as c:
        for sql in ("DROP TRIGGER audit_log_no_delete ON audit_log", "ALTER TABLE audit_log DISABLE TRIGGER ALL",
                    "DROP TABLE revisions", "UPDATE assessment_versions SET data = NULL",
                    "DELETE FROM target_versions", "DELETE FROM revisions", "TRUNCATE revisions CASCADE"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(sql)


def test_sealed_revision_cannot_be_changed_even_by_the_owner(pg_store, pg_cluster, pg_url, codes):
    import psycopg

    pg_store.upsert_assessments(2025, [Assessment(codes[0], 2025)], user="u", reason="r")
    dbname = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_cluster.url("tqmap_owner", dbname), password=pg_cluster.owner_password,
                         autocommit=True) as owner:
        for sql, msg in (("UPDATE revisions SET reason = 'x'", "Lịch sử phiên bản chỉ được ghi thêm"),
                         ("UPDATE assessment_versions SET data = NULL", "Lịch sử dữ liệu chỉ được ghi thêm"),
                         ("DELETE FROM target_versions", "không được xoá")):
            with pytest.raises(psycopg.errors.RaiseException, match=msg):
                owner.execute(sql)
    assert pg_store.verify_chain().ok


def test_shared_sessions(pg_store):
    s = pg_store
    assert not s.touch_session("sid-1", "lan", timeout_minutes=30)  # never started: not alive
    s.start_session("sid-1", "lan")
    assert s.touch_session("sid-1", "lan", timeout_minutes=30)
    assert s.session_idle_seconds("sid-1") < 5
    with s._connection() as c:  # idle for 31 minutes by the database clock
        c.execute("UPDATE app_sessions SET last_seen = now() - interval '31 minutes' WHERE id = 'sid-1'")
    assert not s.touch_session("sid-1", "lan", timeout_minutes=30)
    assert s.session_idle_seconds("sid-1") is None


WRITER = textwrap.dedent("""
    import sys
    from geo.model import Assessment
    from geo.store.postgres import PostgresStore
    url, start, step = sys.argv[1], int(sys.argv[2]), 2
    s = PostgresStore(url)
    codes = sorted(s.known_codes())
    mine = codes[start::step]
    for i in range(0, len(mine), 4):
        s.upsert_assessments(2025, [Assessment(c, 2025, addicts=start + 1) for c in mine[i:i + 4]],
                             user=f"writer{start}", reason="ghi đồng thời")
    s.close()
""")


def test_two_processes_writing_keep_both_and_revisions_in_commit_order(pg_store, pg_url, codes):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, pg_url, str(k)], cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in (0, 1)]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    got = pg_store.assessments(2025)
    assert len(got) == 124
    assert all(got[c].addicts == (1 if i % 2 == 0 else 2) for i, c in enumerate(sorted(got)))
    revs = pg_store.revisions(1000)
    assert sorted(r.id for r in revs) == list(range(1, len(revs) + 1))  # no gap: every revision committed
    assert {r.user for r in revs} >= {"writer0", "writer1"}


def test_postgis_membership_equals_python_corridors_on_the_demo_routes(pg_store, boundaries_gpkg):
    """The database's ST_DWithin corridors give the same communes as geo.corridors for every demo
    route, on the boundaries the app uses (web) and on the full ones."""
    from geo.corridors import communes_on_route, route_membership
    from geo.demo import demo_routes

    routes = demo_routes()
    assert len(routes) >= 3
    pg_store.put_routes(routes, user="u", reason="tuyến minh họa", demo=True)
    for web in (True, False):
        gdf = boundaries.communes(web=web)
        for r in routes:
            assert pg_store.communes_on_route(r.id, web=web) == communes_on_route(r, gdf), (r.id, web)
        py = {c: sorted(v) for c, v in route_membership(routes, gdf).items()}
        assert pg_store.route_membership(None, web=web) == py
    for year in (2025, 2030):
        py = {c: sorted(v) for c, v in route_membership([r for r in routes if r.in_force(year)],
                                                        boundaries.communes(web=True)).items()}
        assert pg_store.route_membership(year) == py
    assert sum(map(len, py.values())) > 0


def test_route_geometry_columns_follow_the_row(pg_store):
    pg_store.put_routes([Route("A", "A", geometry_wkt=LINE, half_width_km=1.0)], user="u", reason="r")
    with pg_store._connection() as c:
        srid, srid_m, length = c.execute("SELECT ST_SRID(geom), ST_SRID(geom_m), ST_Length(geom_m) "
                                         "FROM routes WHERE route_id = 'A'").fetchone()
        with c.raw.transaction():
            c.execute("SET LOCAL enable_seqscan = off")
            used = c.execute("EXPLAIN SELECT 1 FROM communes WHERE ST_DWithin(geom_web_m, "
                             "ST_SetSRID(ST_MakePoint(500000, 2500000), 32648), 10)").fetchall()
    assert (srid, srid_m) == (4326, 32648) and 20_000 < length < 25_000
    assert len(pg_store.communes_on_route("A")) >= 2
    assert "communes_geom_web_m" in " ".join(r[0] for r in used)  # the spatial index serves the corridor


def test_a_write_through_one_server_reaches_the_other_within_2_s(pg_url, codes):
    """Two stores = two app servers (own pools). A write through A is announced to B, whose year
    views are dropped; B's next year view shows the new data."""
    import time

    from geo import yearview
    from geo.store.postgres import PostgresStore

    a, b = PostgresStore(pg_url), PostgresStore(pg_url)
    try:
        assert b.listener.wait_for(a.data_version(), 5)
        dropped = []
        b.on_change(dropped.append)
        yearview._cache[("sentinel",)] = object()
        t0 = time.monotonic()
        rev = a.upsert_assessments(2025, [Assessment(codes[0], 2025, drug_free=True, decision_no="9/QĐ")],
                                   user="u", reason="r")
        assert b.listener.wait_for(rev, 2.0), "B did not hear of A's revision within 2 s"
        delay = time.monotonic() - t0
        deadline = time.monotonic() + 2
        while rev not in dropped and time.monotonic() < deadline:
            time.sleep(0.01)
        assert rev in dropped and ("sentinel",) not in yearview._cache
        assert b.data_version() == rev and b.assessments(2025)[codes[0]].drug_free
        print(f"replication delay {delay * 1000:.0f} ms")
    finally:
        a.close()
        b.close()
