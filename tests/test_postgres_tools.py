"""Moving and keeping data: `store copy` SQLite -> PostgreSQL -> SQLite (everything, ids kept,
counts and hashes checked), refusals that leave the target untouched, backup/restore on both
backends (SQLite online backup API while the store is open; pg_dump/pg_restore)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from geo.demo import build_demo
from geo.model import Assessment
from geo.paths import REPO_ROOT
from geo.store import open_store as SQLiteStore  # imports every schema module (users, settings)
from geo.store.tools import ToolError, backup, copy, restore


def snapshot(store) -> dict:
    """What a user can see of a store, through the Store interface."""
    years = store.years()
    return {
        "years": years,
        "assessments": {y: store.assessments(y) for y in years},
        "routes": store.routes(),
        "targets": store.targets(),
        "revisions": store.revisions(10_000),
        "data_version": store.data_version(),
        "diff": store.diff(1, store.data_version()),
        "audit": [(e.id, e.at, e.user, e.action, e.what, e.detail) for e in store.audit_entries(limit=None)],
        "users": store.users(),
        "settings": store.setting("present.slides"),
        "chain": (lambda r: (r.ok, r.revisions, r.audit_entries, r.heads))(store.verify_chain()),
    }


@pytest.fixture()
def demo_sqlite(tmp_path, boundaries_gpkg):
    """A SQLite store with the demo data, a later edit, a restore, and audit entries."""
    from geo import audit

    path = tmp_path / "app.db"
    s = SQLiteStore(path)
    build_demo(s)
    code = sorted(s.known_codes())[0]
    r = s.upsert_assessments(2025, [Assessment(code, 2025, addicts=42, note="“sửa” <b>")], user="lan", reason="sửa")
    s.restore(r - 1, user="lan", reason="hoàn tác")
    from geo import auth

    s.put_setting("present.slides", [{"kind": "overview", "arg": None, "title": None}], user="lan", reason="r")
    s.close()
    for i in range(2):
        audit.record(path, "lan", "export", f"Xuất bản đồ {i}", {"i": i})
    auth.add_user(path, "lan", "mat-khau-dai-123", "editor", by="admin")
    return path


def test_copy_sqlite_to_postgres_and_back_keeps_everything(demo_sqlite, pg_env, tmp_path, monkeypatch):
    from geo.store.postgres import PostgresStore

    name = f"copy_{os.getpid()}"
    pg_env.sql(f"CREATE DATABASE {name} OWNER tqmap_owner", "postgres")
    pg_env.sql("CREATE EXTENSION postgis", name)
    owner = pg_env.url("tqmap_owner", name)
    monkeypatch.setenv("PGPASSWORD", pg_env.owner_password)  # the owner creates the schema
    rep = copy(f"sqlite:///{demo_sqlite}", owner)
    assert rep.tables["revisions"][0] >= 6 and rep.tables["audit_log"][0] == 3
    assert {"assessment_versions", "route_versions", "target_versions", "assessments", "routes", "targets",
            "users", "settings"} <= set(rep.tables)
    pg = PostgresStore(owner, listen=False)
    sq = SQLiteStore(demo_sqlite)
    try:
        from geo import audit

        a, b = snapshot(sq), snapshot(pg)
        assert a == b and a["chain"][0] and len(a["audit"]) == 3 and a["users"] and a["settings"]
        rev = pg.upsert_assessments(2025, [Assessment(sorted(pg.known_codes())[1], 2025)], user="u", reason="sau chép")
        assert rev == a["data_version"] + 1  # ids continue after the copied ones
        assert pg.audit("u", "login", "Đăng nhập") == 4
        # back to a new SQLite file: identical to the PostgreSQL store
        back = tmp_path / "back.db"
        rep2 = copy(owner, f"sqlite:///{back}")
        assert rep2.tables["revisions"][0] == rev
        sb = SQLiteStore(back)
        assert snapshot(sb) == snapshot(pg) and snapshot(sb)["chain"][0]
        sb.close()
    finally:
        pg.close()
        sq.close()
        pg_env.drop_database(name)


def test_copy_refuses_a_target_with_data_and_a_non_store(demo_sqlite, pg_store, pg_url, tmp_path):
    from tests.test_postgres import pg_dump_hash

    before = pg_dump_hash(pg_store)
    with pytest.raises(ToolError, match="đã có dữ liệu"):
        copy(f"sqlite:///{demo_sqlite}", pg_url)
    assert pg_dump_hash(pg_store) == before
    other = tmp_path / "other.db"
    import sqlite3

    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.close()
    with pytest.raises(ToolError, match="không phải kho dữ liệu"):
        copy(f"sqlite:///{other}", f"sqlite:///{tmp_path / 'new.db'}")
    with pytest.raises(ToolError, match="không được hỗ trợ"):  # the same words as geo.config's refusal
        copy(f"mysql://x@y/z", f"sqlite:///{tmp_path / 'new.db'}")


def test_sqlite_backup_while_open_and_restore(demo_sqlite, tmp_path):
    s = SQLiteStore(demo_sqlite)  # the store stays open (online backup)
    before = snapshot(s)
    out = backup(f"sqlite:///{demo_sqlite}", tmp_path / "b" / "app.backup")
    code = sorted(s.known_codes())[5]
    s.upsert_assessments(2025, [Assessment(code, 2025, addicts=7)], user="u", reason="sau sao lưu")
    with pytest.raises(ToolError, match="--force"):
        restore(f"sqlite:///{demo_sqlite}", out)
    s.close()
    restore(f"sqlite:///{demo_sqlite}", out, force=True)
    s = SQLiteStore(demo_sqlite)
    assert snapshot(s)["revisions"] == before["revisions"] and snapshot(s)["assessments"] == before["assessments"]
    s.close()
    fresh = tmp_path / "fresh.db"
    restore(f"sqlite:///{fresh}", out)
    s = SQLiteStore(fresh)
    assert snapshot(s)["data_version"] == before["data_version"]
    s.close()


def test_postgres_backup_and_restore_with_pg_dump(pg_env, demo_sqlite, tmp_path, monkeypatch):
    from geo.store.postgres import PostgresStore

    src, dst = f"bk_src_{os.getpid()}", f"bk_dst_{os.getpid()}"
    for n in (src, dst):
        pg_env.sql(f"CREATE DATABASE {n} OWNER tqmap_owner", "postgres")
        pg_env.sql("CREATE EXTENSION postgis", n)
    monkeypatch.setenv("PGPASSWORD", pg_env.owner_password)
    try:
        copy(f"sqlite:///{demo_sqlite}", pg_env.url("tqmap_owner", src))
        s = PostgresStore(pg_env.url("tqmap_owner", src), listen=False)
        before = snapshot(s)
        # through the CLI, as an operator would
        env = {**os.environ, "TQMAP_DB": pg_env.url("tqmap_owner", src)}
        out = tmp_path / "tq.pgdump"
        p = subprocess.run([sys.executable, "-m", "geo.store.tools", "backup", "--out", str(out)], cwd=REPO_ROOT,
                           env=env, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        assert pg_env.owner_password not in p.stdout + p.stderr
        s.upsert_assessments(2026, [Assessment(sorted(s.known_codes())[0], 2026)], user="u", reason="sau sao lưu")
        with pytest.raises(ToolError, match="--force"):
            restore(pg_env.url("tqmap_owner", src), out)
        s.close()
        restore(pg_env.url("tqmap_owner", src), out, force=True)
        restore(pg_env.url("tqmap_owner", dst), out)
        for n in (src, dst):
            t = PostgresStore(pg_env.url("tqmap_owner", n), listen=False)
            assert snapshot(t) == before
            assert t.route_membership(2025) and sum(map(len, t.route_membership(2025).values())) > 0
            t.close()
        with pytest.raises(ToolError, match="SQLite"):
            restore(pg_env.url("tqmap_owner", dst), demo_sqlite)
    finally:
        for n in (src, dst):
            pg_env.drop_database(n)


def test_cli_commands_run_on_postgresql(pg_url, pg_env, tmp_path, monkeypatch, boundaries_gpkg):
    """TQMAP_DB=postgresql://… serves the CLI: demo, status export/import, revisions, users, audit
    verify, export html; the password (PGPASSWORD) never appears in any output."""
    env = {**os.environ, "TQMAP_DB": pg_url, "PGPASSWORD": pg_env.app_password}

    def geo(*args, stdin=None):
        p = subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO_ROOT, env=env, input=stdin,
                           capture_output=True, text=True, timeout=600)
        assert pg_env.app_password not in p.stdout + p.stderr
        return p

    p = geo("demo")
    assert p.returncode == 0 and "DỮ LIỆU MINH HỌA" in p.stdout and pg_url in p.stdout, p.stderr
    assert geo("demo", "--if-empty").returncode == 0
    xlsx = tmp_path / "2025.xlsx"
    assert geo("status", "export", "--year", "2025", "--out", str(xlsx)).returncode == 0 and xlsx.is_file()
    p = geo("revisions", "list")
    assert p.returncode == 0 and "minh họa" in p.stdout
    p = geo("users", "add", "lan", "--role", "editor", "--password-stdin", stdin="mat-khau-dai-123\n")
    assert p.returncode == 0, p.stderr
    assert "lan\teditor" in geo("users", "list").stdout
    p = geo("audit", "verify")
    assert p.returncode == 0 and "nguyên vẹn" in p.stdout, p.stdout + p.stderr
    html = tmp_path / "map.html"
    p = geo("export", "html", "--year", "2025", "--out", str(html))
    assert p.returncode == 0 and html.stat().st_size > 100_000, p.stderr
