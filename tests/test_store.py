"""The SQLite store on real files: migrations (and files of round 1), revisions, diff/restore,
refusals that write nothing, a crash mid-transaction, and two processes writing at once.
The backend-neutral contract is in tests/store_contract.py (run by test_store_contract.py)."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from geo import boundaries
from geo.model import DEFAULT_TARGETS, Assessment, Route, Target
from geo.paths import REPO_ROOT
from geo.store import Change, StoreError, open_store
from geo.store.migrations import MIGRATIONS

LINE = "LINESTRING (104.97 22.82, 105.0 22.9, 105.05 23.0)"


@pytest.fixture()
def codes(boundaries_gpkg):
    return list(boundaries.commune_table()["code"])


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_open_store_creates_migrates_and_reopens_idempotently(tmp_path, boundaries_gpkg):
    path = tmp_path / "sub" / "dir" / "app.db"
    s = open_store(path)
    assert path.is_file()
    assert s.schema_version() == max(v for v, _ in MIGRATIONS)
    assert [(t.year, t.scope, t.share_pct) for t in s.targets()] == sorted(
        (t.year, t.scope, t.share_pct) for t in DEFAULT_TARGETS)
    assert s.data_version() == 1 and s.revisions()[0].kind == "seed"
    assert s.years() == [] and s.routes() == [] and not s.is_demo()
    s.close()
    before = sha(path)
    s = open_store(path)  # reopen: nothing applied again, nothing seeded again
    assert s.data_version() == 1 and len(s.targets()) == len(DEFAULT_TARGETS)
    s.close()
    assert sha(path) == before
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY version")] == sorted(
        v for v, _ in MIGRATIONS)
    con.close()


def test_open_store_uses_env_path(tmp_db, boundaries_gpkg):
    s = open_store()
    assert s.path == tmp_db and tmp_db.is_file()
    s.close()


def test_upsert_changes_only_given_communes_and_history(tmp_path, codes):
    s = open_store(tmp_path / "a.db")
    r1 = s.upsert_assessments(2025, [Assessment(codes[0], 2025, complexity_class="I", addicts=3),
                                     Assessment(codes[1], 2025)], user="an", reason="nhập lần 1")
    r2 = s.upsert_assessments(2025, [Assessment(codes[1], 2025, drug_free=True, decision_no="1/QĐ-UBND")],
                              user="bình", reason="sửa", source="tep.xlsx")
    cur = s.assessments(2025)
    assert set(cur) == {codes[0], codes[1]}
    assert cur[codes[0]].addicts == 3 and cur[codes[1]].drug_free
    assert s.years() == [2025] and s.data_version() == r2 > r1
    rv = s.revisions()
    assert [r.id for r in rv][:2] == [r2, r1]
    assert rv[0].user == "bình" and rv[0].reason == "sửa" and rv[0].source == "tep.xlsx"
    assert rv[0].at.endswith("+00:00")
    d = s.diff(r1, r2)
    assert Change("assessment", f"2025/{codes[1]}", "drug_free", False, True) in d
    assert Change("assessment", f"2025/{codes[1]}", "decision_no", "", "1/QĐ-UBND") in d
    assert all(c.key == f"2025/{codes[1]}" for c in d)
    # restore r1: state as of r1 becomes current as a new revision; r2 is still in history
    r3 = s.restore(r1, user="an", reason="hoàn tác")
    assert r3 > r2 and not s.assessments(2025)[codes[1]].drug_free
    assert s.diff(r1, r3) == [] and s.diff(r2, r3) != []
    assert {r.id for r in s.revisions()} >= {r1, r2, r3}
    # restore to before any assessment removes them
    r4 = s.restore(1, user="an", reason="về ban đầu")
    assert s.assessments(2025) == {} and s.years() == []
    assert [c.field for c in s.diff(r3, r4)] == ["*", "*"]
    s.close()


def test_replace_year_routes_targets(tmp_path, codes):
    s = open_store(tmp_path / "a.db")
    s.upsert_assessments(2026, [Assessment(c, 2026) for c in codes[:5]], user="u", reason="r")
    s.replace_year(2026, [Assessment(codes[9], 2026)], user="u", reason="r")
    assert set(s.assessments(2026)) == {codes[9]}
    s.put_routes([Route("A", "Tuyến A", geometry_wkt=LINE), Route("B", "Tuyến B", geometry_wkt=LINE, year_from=2027)],
                 user="u", reason="r")
    assert [r.id for r in s.routes()] == ["A", "B"] and [r.id for r in s.routes(2025)] == ["A"]
    s.put_routes([Route("B", "Tuyến B2", geometry_wkt=LINE)], user="u", reason="r", replace=True)
    assert [(r.id, r.name) for r in s.routes()] == [("B", "Tuyến B2")]
    rev = s.delete_route("B", user="u", reason="bỏ tuyến")
    assert s.routes() == [] and s.revisions()[0].id == rev
    s.put_targets([Target(2027, "province", share_pct=55.0)], user="u", reason="r")
    assert Target(2027, "province", share_pct=55.0) in s.targets()
    s.close()


BAD_WRITES = [
    ("năm", lambda s, c: s.upsert_assessments(2024, [Assessment(c[0], 2024)], user="u", reason="r")),
    ("mã xã", lambda s, c: s.upsert_assessments(2025, [Assessment(c[0], 2025), Assessment("99999", 2025)],
                                                 user="u", reason="r")),
    ("lặp", lambda s, c: s.upsert_assessments(2025, [Assessment(c[0], 2025), Assessment(c[0], 2025)],
                                              user="u", reason="r")),
    ("âm", lambda s, c: s.replace_year(2025, [Assessment(c[0], 2025, addicts=-1)], user="u", reason="r")),
    ("phải là số", lambda s, c: s.upsert_assessments(2025, [Assessment(c[0], 2025, users="ba")], user="u", reason="r")),
    ("loại", lambda s, c: s.upsert_assessments(2025, [Assessment(c[0], 2025, complexity_class="IV")],
                                               user="u", reason="r")),
    ("khác năm", lambda s, c: s.upsert_assessments(2025, [Assessment(c[0], 2026)], user="u", reason="r")),
    ("lý do", lambda s, c: s.upsert_assessments(2025, [Assessment(c[0], 2025)], user="u", reason=" ")),
    ("ngoài tỉnh", lambda s, c: s.put_routes([Route("X", "X", geometry_wkt="LINESTRING (500000 2500000, 510000 2510000)")],
                                             user="u", reason="r")),
    ("đường", lambda s, c: s.put_routes([Route("X", "X", geometry_wkt="POLYGON ((105 22, 105.1 22, 105.1 22.1, 105 22))")],
                                        user="u", reason="r")),
    ("WKT", lambda s, c: s.put_routes([Route("X", "X", geometry_wkt="not wkt")], user="u", reason="r")),
    ("tỷ lệ", lambda s, c: s.put_targets([Target(2026, "province", share_pct=120.0)], user="u", reason="r")),
    ("phạm vi", lambda s, c: s.put_targets([Target(2026, "district", share_pct=10.0)], user="u", reason="r")),
    ("Không có tuyến", lambda s, c: s.delete_route("KHONG", user="u", reason="r")),
    ("Không có phiên bản", lambda s, c: s.restore(999, user="u", reason="r")),
]


@pytest.mark.parametrize("needle,write", BAD_WRITES, ids=[b[0] for b in BAD_WRITES])
def test_refused_write_leaves_file_byte_identical(tmp_path, codes, needle, write):
    path = tmp_path / "a.db"
    s = open_store(path)
    s.upsert_assessments(2025, [Assessment(codes[0], 2025, addicts=2)], user="u", reason="r")
    s.close()  # last connection closed: WAL checkpointed into the main file
    before = sha(path)
    s = open_store(path)
    with pytest.raises(StoreError, match=needle):
        write(s, codes)
    s.close()
    assert sha(path) == before
    assert not (tmp_path / "a.db-wal").exists() or (tmp_path / "a.db-wal").stat().st_size == 0


def test_exception_inside_transaction_rolls_back(tmp_path, codes, monkeypatch):
    from geo.store.sqlite import SQLiteStore

    s = open_store(tmp_path / "a.db")
    s.upsert_assessments(2025, [Assessment(c, 2025, addicts=1) for c in codes[:10]], user="u", reason="r")
    before = (s.data_version(), s.assessments(2025), s.revisions())
    calls = {"n": 0}
    real = SQLiteStore._write_row

    def failing(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 6:
            raise RuntimeError("mất điện giả lập")
        return real(self, *a, **k)

    monkeypatch.setattr(SQLiteStore, "_write_row", failing)
    with pytest.raises(RuntimeError):
        s.upsert_assessments(2025, [Assessment(c, 2025, addicts=7) for c in codes[:10]], user="u", reason="r")
    assert calls["n"] == 6
    monkeypatch.setattr(SQLiteStore, "_write_row", real)
    assert (s.data_version(), s.assessments(2025), s.revisions()) == before
    s.close()


def test_killed_process_mid_transaction_leaves_previous_state(tmp_path, codes):
    path = tmp_path / "a.db"
    s = open_store(path)
    s.upsert_assessments(2025, [Assessment(c, 2025, addicts=1) for c in codes], user="u", reason="r")
    before = (s.data_version(), s.assessments(2025))
    s.close()
    script = textwrap.dedent(f"""
        import os
        from geo.model import Assessment
        from geo.store import open_store
        from geo.store.sqlite import SQLiteStore
        real = SQLiteStore._write_row
        n = [0]
        def dying(self, *a, **k):
            n[0] += 1
            if n[0] == 60:
                os._exit(9)  # the process dies with the transaction open: no rollback, no commit
            return real(self, *a, **k)
        SQLiteStore._write_row = dying
        s = open_store({str(path)!r})
        codes = sorted(s.known_codes())
        s.upsert_assessments(2025, [Assessment(c, 2025, addicts=9) for c in codes], user="x", reason="y")
    """)
    p = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True)
    assert p.returncode == 9, p.stderr
    s = open_store(path)
    assert (s.data_version(), s.assessments(2025)) == before
    s.upsert_assessments(2025, [Assessment(codes[0], 2025, addicts=4)], user="u", reason="sau sự cố")
    assert s.assessments(2025)[codes[0]].addicts == 4
    s.close()


WRITER = textwrap.dedent("""
    import sys
    from geo.model import Assessment
    from geo.store import open_store
    path, start, step = sys.argv[1], int(sys.argv[2]), 2
    s = open_store(path)
    codes = sorted(s.known_codes())
    mine = codes[start::step]
    for i in range(0, len(mine), 4):   # many small transactions, interleaving with the other writer
        s.upsert_assessments(2025, [Assessment(c, 2025, addicts=start + 1) for c in mine[i:i + 4]],
                             user=f"writer{start}", reason="ghi đồng thời")
    s.close()
""")


def test_two_processes_writing_different_communes_keep_both(tmp_path, codes):
    path = tmp_path / "a.db"
    open_store(path).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(k)], cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in (0, 1)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    s = open_store(path)
    got = s.assessments(2025)
    assert len(got) == 124
    assert all(got[c].addicts == (1 if i % 2 == 0 else 2) for i, c in enumerate(sorted(got)))
    assert {r.user for r in s.revisions()} >= {"writer0", "writer1"}
    s.close()


def test_migrations_register_appends_in_order():
    from geo.store import migrations

    top = max(v for v, _ in migrations.MIGRATIONS)
    with pytest.raises(ValueError):
        migrations.register(top, "SELECT 1")
    assert list(migrations._statements("CREATE TABLE a(x); CREATE TRIGGER t AFTER INSERT ON a BEGIN "
                                       "SELECT 1; END; ")) == [
        "CREATE TABLE a(x);", " CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;"]


def test_new_migration_is_applied_to_existing_file(tmp_path, boundaries_gpkg, monkeypatch):
    from geo.store import migrations

    path = tmp_path / "a.db"
    open_store(path).close()
    top = max(v for v, _ in migrations.MIGRATIONS)
    monkeypatch.setattr(migrations, "MIGRATIONS", list(migrations.MIGRATIONS))
    migrations.register(top + 1, "CREATE TABLE audit_test (id INTEGER PRIMARY KEY, what TEXT NOT NULL);")
    s = open_store(path)
    assert s.schema_version() == top + 1
    s.close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT name FROM sqlite_master WHERE name='audit_test'").fetchone()
    con.close()


def test_migration_registered_later_with_a_lower_number_is_applied(tmp_path, boundaries_gpkg):
    """Versions are tracked one by one, so registration order cannot leave a table out."""
    from geo.store import migrations

    path = tmp_path / "late.db"
    open_store(path).close()
    low = min(v for v in range(2, 200) if v not in {v for v, _ in migrations.MIGRATIONS})
    migrations.register(low, "CREATE TABLE late_table (x INTEGER);")
    try:
        open_store(path).close()
        con = sqlite3.connect(path)
        assert con.execute("SELECT 1 FROM sqlite_master WHERE name='late_table'").fetchone()
        assert con.execute("SELECT 1 FROM schema_version WHERE version=?", (low,)).fetchone()
        con.close()
    finally:
        migrations.MIGRATIONS[:] = [m for m in migrations.MIGRATIONS if tuple(m)[0] != low]


def _round1_file(path, codes):
    """A SQLite file exactly as round 1 left it: versions 1, 2, 3 and 20, rows without hashes."""
    from geo.store.migrations import ordered

    con = sqlite3.connect(path)
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for m in ordered():
        if m.version in (1, 2, 3, 20):
            con.executescript(m.sqlite)
            con.execute("INSERT INTO schema_version VALUES (?, '2026-01-01T00:00:00+00:00')", (m.version,))
    con.execute("INSERT INTO revisions(at, user, reason, kind, summary) VALUES "
                "('2026-01-01T00:00:00+00:00', 'hệ thống', 'Khởi tạo', 'seed', '0 chỉ tiêu')")
    con.execute("INSERT INTO revisions(at, user, reason, kind, summary) VALUES "
                "('2026-01-02T00:00:00+00:00', 'lan', 'Nhập', 'assessments', '1 xã')")
    data = '{"addicts": 4, "code": "%s", "year": 2025}' % codes[0]
    con.execute("INSERT INTO assessment_versions VALUES (2, 2025, ?, ?, 0)", (codes[0], data))
    con.execute("INSERT INTO assessments VALUES (2025, ?, ?, 0, 2)", (codes[0], data))
    for i in range(3):
        con.execute("INSERT INTO audit_log(at, user, action, what, detail) VALUES (?, 'lan', 'import', ?, ?)",
                    (f"2026-01-0{i + 1}T00:00:00+00:00", f"việc {i}", '{"rows": 1}'))
    con.execute("INSERT INTO users VALUES ('lan', 'admin', '$argon2id$v=19$m=1024,t=1,p=1$x$y', 0, "
                "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', NULL)")
    con.execute("INSERT INTO login_state VALUES ('lan', 3, '2026-01-01T00:00:00+00:00', NULL)")
    con.execute("INSERT INTO settings VALUES ('present.slides', '[{\"kind\": \"key\", \"arg\": null, \"title\": null}]', "
                "'lan', '2026-01-02T00:00:00+00:00')")
    con.commit()
    con.close()


def test_round1_file_opens_and_upgrades(tmp_path, codes):
    path = tmp_path / "round1.db"
    _round1_file(path, codes)
    s = open_store(path)
    from geo.store.migrations import ordered

    assert s.schema_version() == max(m.version for m in ordered())
    assert s.assessments(2025)[codes[0]].addicts == 4
    # the legacy slide list became a revisioned setting (its own revision, by its author)
    assert s.setting("present.slides") == [{"kind": "key", "arg": None, "title": None}]
    rev = s.revisions()[0]
    assert (rev.kind, rev.user, rev.source) == ("settings", "lan", "legacy") and s.data_version() == 3
    assert [e.what for e in s.audit_entries()] == ["việc 2", "việc 1", "việc 0"]
    assert s.user("lan").role == "admin"
    rep = s.verify_chain()
    assert rep.ok and rep.revisions == 3 and rep.audit_entries == 3, rep.summary
    # and new writes chain on
    s.audit("lan", "export", "xuất")
    s.upsert_assessments(2025, [Assessment(codes[1], 2025)], user="lan", reason="r")
    assert s.verify_chain().ok
    s.close()
    con = sqlite3.connect(path)
    assert not con.execute("SELECT 1 FROM sqlite_master WHERE name='login_state'").fetchone()
    con.close()


def test_round1_registration_of_version_20_is_harmless():
    from geo.store import migrations

    n = len(migrations.MIGRATIONS)
    migrations.register(20, migrations.LEGACY_SETTINGS_SQL)  # what geo/present.py of round 1 does
    assert len(migrations.MIGRATIONS) == n
    with pytest.raises(ValueError):
        migrations.register(20, "CREATE TABLE other (x)")


def test_migration_entries_carry_sql_per_backend():
    from geo.store.migrations import Migration, ordered

    ms = ordered()
    assert [m.version for m in ms] == sorted({m.version for m in ms})
    assert all(isinstance(m, Migration) and m.sql("sqlite") for m in ms)
    assert all(m.sql("postgresql") is None or isinstance(m.sql("postgresql"), str) for m in ms)
    with pytest.raises(ValueError):
        ms[0].sql("mysql")


def test_protocol_is_complete_and_matches_the_sqlite_signatures():
    """Every Store method exists on SQLiteStore with the same parameters (names, kinds, defaults)."""
    import inspect

    from geo.store import Store
    from geo.store.sqlite import SQLiteStore

    names = [n for n, v in vars(Store).items() if not n.startswith("_") and (callable(v) or isinstance(v, property))]
    for needed in ("history", "revision", "batch", "known_codes", "schema_version", "demo_flags", "url", "setting",
                   "put_setting", "audit", "audit_entries", "verify_chain", "users", "user", "add_user",
                   "update_user", "throttle", "put_throttle", "clear_throttle"):
        assert needed in names, needed
    for n in names:
        proto, impl = getattr(Store, n), getattr(SQLiteStore, n)
        if isinstance(proto, property):
            assert isinstance(impl, property), n
            continue
        ps, is_ = inspect.signature(proto), inspect.signature(impl)
        assert [(p.name, p.kind, p.default) for p in ps.parameters.values()] == \
               [(p.name, p.kind, p.default) for p in is_.parameters.values()], n
