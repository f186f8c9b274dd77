"""Every `python -m geo` command on PostgreSQL, and every command's answer to a TQMAP_DB it cannot use.

* The whole command list (every leaf of the parser that touches the store, checked against the
  parser so a new command cannot be forgotten) runs as real processes with
  ``TQMAP_DB=postgresql://…`` (the app role; the owner for backup/restore/init, as deployed).
* A bad TQMAP_DB — a server that does not answer, a wrong password, a scheme the app does not
  serve — gives every one of those commands ONE Vietnamese line on stderr starting with "LỖI:",
  exit code ≠ 0, no traceback, and never the password.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from geo.paths import REPO_ROOT

# Commands that never open the store named by TQMAP_DB: `data` builds the boundary GeoPackage,
# `bench` measures on stores of its own, `status template` writes a blank form.
NO_STORE = {"data", "bench", "status template"}


def leaf_commands(p=None, prefix=()) -> set[str]:
    """Every runnable command of the parser, e.g. "users add", "export pdf", "demo"."""
    from geo import cli

    p = p or cli.parser()
    subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return {" ".join(prefix)}
    out: set[str] = set()
    for name, sp in subs[0].choices.items():
        out |= leaf_commands(sp, prefix + (name,))
    return out


def _route_file(path):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"id": "CLI1", "name": "Tuyến thử dòng lệnh"},
        "geometry": {"type": "LineString", "coordinates": [[105.20, 21.80], [105.25, 21.85], [105.30, 21.90]]}}]}),
        encoding="utf-8")
    return path


def _flip_file(store, year, path):
    """The exported year with ONE commune changed (not drug-free, unclassed -> drug-free)."""
    from geo.importer.template import write_template
    from geo.model import CLASSES

    cur = store.assessments(year)
    code = next(c for c, a in sorted(cur.items()) if not a.drug_free and a.complexity_class not in CLASSES)
    changed = dict(cur)
    changed[code] = replace(cur[code], drug_free=True, decision_no=f"9/QĐ-UBND-{year}",
                            decision_date=dt.date(year, 6, 1), target_year=None)
    write_template(path, year, assessments=changed, demo=False)
    return code


def _argv(cmd: str, files: dict, db: str) -> list[str]:
    """Minimal valid arguments for ``cmd`` (files exist; the store is the only thing that can fail)."""
    year = ["--year", "2025"]
    return {
        "demo": ["demo"],
        "revisions list": ["revisions", "list"],
        "revisions diff": ["revisions", "diff", "1", "2"],
        "revisions restore": ["revisions", "restore", "1", "--reason", "thử"],
        "status import": ["status", "import", str(files["xlsx"]), *year, "--reason", "thử"],
        "status export": ["status", "export", *year, "--out", str(files["dir"] / "out.xlsx")],
        "routes import": ["routes", "import", str(files["geojson"]), "--reason", "thử"],
        "export html": ["export", "html", *year, "--out", str(files["dir"] / "m.html")],
        "export pdf": ["export", "pdf", *year, "--out", str(files["dir"] / "m.pdf")],
        "export png": ["export", "png", *year, "--out", str(files["dir"] / "m.png")],
        "export slides": ["export", "slides", *year, "--out", str(files["dir"] / "s.html")],
        "users add": ["users", "add", "lan", "--role", "editor", "--password-stdin"],
        "users list": ["users", "list"],
        "users disable": ["users", "disable", "lan"],
        "users enable": ["users", "enable", "lan"],
        "users set-password": ["users", "set-password", "lan", "--password-stdin"],
        "users set-role": ["users", "set-role", "lan", "viewer"],
        "users unlock": ["users", "unlock", "lan"],
        "audit export": ["audit", "export", "--out", str(files["dir"] / "a.csv")],
        "audit verify": ["audit", "verify"],
        "backup": ["backup", "--out", str(files["dir"] / "b.pgdump")],
        "restore": ["restore", str(files["backup"]), "--force"],
        "store copy": ["store", "copy", "--from", db, "--to", "sqlite:///" + str(files["dir"] / "copy.db")],
        "store init": ["store", "init", "--url", db],
    }[cmd]


@pytest.fixture()
def files(tmp_path):
    from geo.importer.template import write_template

    xlsx = tmp_path / "trang_thai_2025.xlsx"
    write_template(xlsx, 2025, demo=False)
    fake_backup = tmp_path / "sao_luu.pgdump"
    fake_backup.write_bytes(b"PGDMP not really")
    return {"dir": tmp_path, "xlsx": xlsx, "geojson": _route_file(tmp_path / "r.geojson"), "backup": fake_backup}


def _run_inprocess(argv: list[str], monkeypatch) -> tuple[int, str, str]:
    """``geo.cli.main(argv)`` with captured output; an uncaught exception fails the test (traceback)."""
    from geo import cli

    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO("mat-khau-dai-123\n"))
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = cli.main(argv)
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else 1
    return rc, out.getvalue(), err.getvalue()


_ARGV_KEYS = ("demo", "revisions list", "revisions diff", "revisions restore", "status import", "status export",
              "routes import", "export html", "export pdf", "export png", "export slides", "users add",
              "users list", "users disable", "users enable", "users set-password", "users set-role",
              "users unlock", "audit export", "audit verify", "backup", "restore", "store copy", "store init")


def test_the_command_list_is_every_command(tmp_path):
    """A new command must join the lists below (or NO_STORE, saying why)."""
    assert leaf_commands() - NO_STORE == set(_ARGV_KEYS)
    for cmd in _ARGV_KEYS:
        _argv(cmd, {"dir": tmp_path, "xlsx": "x", "geojson": "g", "backup": "b"}, "db")


def test_every_command_refuses_a_bad_tqmap_db(pg_cluster, files, monkeypatch):
    """Unreachable server, wrong password (in PGPASSWORD and in the URL), unsupported scheme: one
    Vietnamese line, exit code ≠ 0, no traceback (the call would raise), password never shown."""
    from geo import yearview

    secret = "SaiMatKhau-rat-bi-mat-42"
    wrong_url = f"postgresql://tqmap_app:{secret}@127.0.0.1:{pg_cluster.port}/tqmap_template"
    cases = {
        "unreachable": ("postgresql://tqmap_app@127.0.0.1:1/tqmap", None, "Không kết nối được PostgreSQL"),
        "wrong password (PGPASSWORD)": (pg_cluster.url("tqmap_app", "tqmap_template"), secret,
                                        "password authentication failed"),
        "wrong password (URL)": (wrong_url, None, "password authentication failed"),
        "unsupported scheme": ("mysql://tqmap@db.example.vn/tqmap", None, "không được hỗ trợ"),
    }
    problems = []
    for label, (db, pgpassword, expected) in cases.items():
        monkeypatch.setenv("TQMAP_DB", db)
        if pgpassword:
            monkeypatch.setenv("PGPASSWORD", pgpassword)
        else:
            monkeypatch.delenv("PGPASSWORD", raising=False)
        for cmd in _ARGV_KEYS:
            expect = expected
            yearview.invalidate()
            rc, out, err = _run_inprocess(_argv(cmd, files, db), monkeypatch)
            if cmd == "store init" and label == "unsupported scheme":
                expect = "chỉ dành cho PostgreSQL"
            lines = [l for l in err.strip().splitlines() if l.strip()]
            if (rc == 0 or len(lines) != 1 or not lines[0].startswith("LỖI:") or "Traceback" in out + err
                    or secret in out + err or expect not in err):
                problems.append(f"{label} / {cmd}: rc={rc} stdout={out[-200:]!r} stderr={err[-400:]!r}")
    assert not problems, "\n".join(problems)


def test_every_command_runs_on_postgresql(pg_url, pg_env, tmp_path, files):
    """The whole list, as real processes on TQMAP_DB=postgresql://… (app role; the owner where a
    deployment uses the owner), in an order where each command has something to work on."""
    from geo.store.postgres import PostgresStore

    dbname = pg_url.rsplit("/", 1)[1].split("?")[0]
    owner_url = pg_env.url("tqmap_owner", dbname)
    app_env = {**os.environ, "TQMAP_DB": pg_url, "PGPASSWORD": pg_env.app_password}
    owner_env = {**app_env, "PGPASSWORD": pg_env.owner_password}
    done: list[str] = []

    def geo(cmd: str, *args: str, stdin: str | None = None, env=None, ok: str = "") -> str:
        p = subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO_ROOT, env=env or app_env, input=stdin,
                           capture_output=True, text=True, timeout=600)
        both = p.stdout + p.stderr
        assert p.returncode == 0, f"{cmd}: rc={p.returncode}\n{both[-2000:]}"
        assert "Traceback" not in both and pg_env.app_password not in both and pg_env.owner_password not in both
        assert ok in both, f"{cmd}: {ok!r} not in {both[-1500:]}"
        done.append(cmd)
        return p.stdout

    d = tmp_path
    geo("demo", "demo", ok="DỮ LIỆU MINH HỌA")
    geo("demo", "demo", "--if-empty", ok="đã có dữ liệu")
    geo("status export", "status", "export", "--year", "2025", "--out", str(d / "2025.xlsx"))
    assert (d / "2025.xlsx").stat().st_size > 5000
    s = PostgresStore(pg_url, listen=False)
    try:
        code = _flip_file(s, 2025, d / "flip.xlsx")
        v0 = s.data_version()
    finally:
        s.close()
    geo("status import", "status", "import", str(d / "flip.xlsx"), "--year", "2025", "--dry-run", "--reason", "thử")
    geo("status import", "status", "import", str(d / "flip.xlsx"), "--year", "2025", "--reason", "thử dòng lệnh")
    geo("routes import", "routes", "import", str(files["geojson"]), "--reason", "tuyến thử", "--user", "cli-test")
    out = geo("revisions list", "revisions", "list")
    assert "thử dòng lệnh" in out and "tuyến thử" in out
    geo("revisions diff", "revisions", "diff", str(v0), str(v0 + 1), ok=code)
    geo("revisions restore", "revisions", "restore", str(v0), "--reason", "trả lại", "--user", "cli-test")
    for fmt, ext in (("html", "html"), ("pdf", "pdf"), ("png", "png"), ("slides", "html")):
        out_file = d / f"ban_do_{fmt}.{ext}"
        geo(f"export {fmt}", "export", fmt, "--year", "2025", "--out", str(out_file))
        assert out_file.stat().st_size > 10_000, fmt
    pw = "mat-khau-dai-123\n"
    geo("users add", "users", "add", "lan", "--role", "editor", "--password-stdin", stdin=pw)
    geo("users set-role", "users", "set-role", "lan", "viewer")
    geo("users set-password", "users", "set-password", "lan", "--password-stdin", stdin="mat-khau-moi-456\n")
    geo("users disable", "users", "disable", "lan")
    geo("users enable", "users", "enable", "lan")
    geo("users unlock", "users", "unlock", "lan")
    geo("users list", "users", "list", ok="lan\tviewer\thoạt động")
    geo("audit verify", "audit", "verify", ok="nguyên vẹn")
    geo("audit export", "audit", "export", "--out", str(d / "audit.csv"))
    assert "user_change" in (d / "audit.csv").read_text(encoding="utf-8-sig")
    geo("store copy", "store", "copy", "--from", pg_url, "--to", "sqlite:///" + str(d / "copy.db"))
    geo("store init", "store", "init", "--url", owner_url, "--app-role", "tqmap_app", env=owner_env)
    geo("backup", "backup", "--db", owner_url, "--out", str(d / "b.pgdump"), env=owner_env)
    geo("restore", "restore", str(d / "b.pgdump"), "--db", owner_url, "--force", "--app-role", "tqmap_app",
        env=owner_env, ok="cấp lại quyền")
    geo("audit verify", "audit", "verify", ok="nguyên vẹn")  # the app role reads the restored store
    assert set(done) == set(_ARGV_KEYS), set(_ARGV_KEYS) - set(done)
