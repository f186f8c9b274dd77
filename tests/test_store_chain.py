"""Tamper evidence on real SQLite files: edits made outside the app (the sqlite3 shell, triggers
dropped) are named by ``verify_chain`` / ``python -m geo audit verify`` as the first broken link."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from geo import audit, boundaries
from geo.model import Assessment, Route
from geo.paths import REPO_ROOT
from geo.store import open_store

LINE = "LINESTRING (104.97 22.82, 105.0 22.9, 105.05 23.0)"


@pytest.fixture()
def filled(tmp_path, boundaries_gpkg):
    """A store with 5 revisions and 5 audit entries, closed; returns its path."""
    codes = sorted(boundaries.commune_table()["code"].astype(str))
    path = tmp_path / "app.db"
    s = open_store(path)
    for i in range(3):
        s.upsert_assessments(2025, [Assessment(codes[i], 2025, addicts=i + 1)], user="lan", reason=f"nhập {i}")
        s.audit("lan", "import", f"Nhập lần {i}", {"i": i})
    s.put_routes([Route("QL2", "Quốc lộ 2", geometry_wkt=LINE)], user="thu", reason="tuyến")
    s.audit("thu", "import", "Nhập tuyến")
    s.audit("lan", "export", "Xuất Excel")
    assert s.verify_chain().ok
    s.close()
    return path


def tamper(path, *sql):
    """Raw SQL as an attacker with the file would run it (no foreign keys, no app)."""
    con = sqlite3.connect(path)
    try:
        for q in sql:
            con.execute(q)
        con.commit()
    finally:
        con.close()


def report(path):
    with open_store(path) as s:
        return s.verify_chain()


def cli_verify(path):
    env = {**os.environ, "TQMAP_DB": str(path)}
    return subprocess.run([sys.executable, "-m", "geo", "audit", "verify"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_intact_chain_ok_and_cli_exit_0(filled):
    rep = report(filled)
    assert rep.ok and rep.revisions == 5 and rep.audit_entries == 5 and rep.first is None
    r = cli_verify(filled)
    assert r.returncode == 0, r.stderr
    assert "nguyên vẹn" in r.stdout and rep.heads["revisions"] in r.stdout and rep.heads["audit_log"] in r.stdout
    assert audit.verify(filled).ok  # the library function the admin page calls


def test_triggers_refuse_editing_history(filled):
    for q in ("UPDATE revisions SET user = 'x' WHERE id = 2", "DELETE FROM revisions WHERE id = 2",
              "UPDATE assessment_versions SET data = '{}' WHERE rev_id = 2", "DELETE FROM route_versions",
              "UPDATE audit_log SET user = 'x'", "DELETE FROM audit_log WHERE id = 1"):
        with pytest.raises(sqlite3.IntegrityError, match="chỉ được ghi thêm"):
            tamper(filled, q)
    assert report(filled).ok


def test_edited_revision_author_and_reason(filled):
    tamper(filled, "DROP TRIGGER revisions_no_update", "UPDATE revisions SET user = 'ke-gian' WHERE id = 3")
    rep = report(filled)
    assert not rep.ok and (rep.first.table, rep.first.id) == ("revisions", 3)
    assert "thông tin phiên bản" in rep.first.problem and "revisions #3" in rep.summary
    r = cli_verify(filled)
    assert r.returncode == 1 and "revisions" in r.stderr and "mục 3" in r.stderr and "Phát hiện can thiệp" in r.stdout


def test_edited_reason_even_with_recomputed_summary(filled):
    tamper(filled, "DROP TRIGGER revisions_no_update", "UPDATE revisions SET reason = 'lý do khác' WHERE id = 2")
    assert (report(filled).first.table, report(filled).first.id) == ("revisions", 2)


def test_deleted_revision_breaks_the_next_link(filled):
    tamper(filled, "DROP TRIGGER revisions_no_delete", "DELETE FROM revisions WHERE id = 3")
    rep = report(filled)
    assert (rep.first.table, rep.first.id) == ("revisions", 4)
    assert "bị đứt" in rep.first.problem and "#2" in rep.first.problem


def test_edited_row_version(filled):
    tamper(filled, "DROP TRIGGER assessment_versions_no_update",
           "UPDATE assessment_versions SET data = replace(data, '\"addicts\": 2', '\"addicts\": 0') WHERE rev_id = 3")
    rep = report(filled)
    assert (rep.first.table, rep.first.id) == ("revisions", 3) and "dữ liệu ghi trong phiên bản" in rep.first.problem


def test_edited_current_table(filled):
    """The current tables are mutable by design: they must still equal what the history says."""
    tamper(filled, "UPDATE assessments SET data = replace(data, '\"addicts\": 3', '\"addicts\": 0')")
    rep = report(filled)
    assert rep.first.table == "assessments" and "2025/" in str(rep.first.id) and "khác giá trị" in rep.first.problem


def test_audit_entry_edited_after_dropping_triggers(filled):
    tamper(filled, "DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET what = 'Không có gì' WHERE id = 2")
    rep = report(filled)
    assert (rep.first.table, rep.first.id) == ("audit_log", 2) and "nội dung mục nhật ký" in rep.first.problem
    assert cli_verify(filled).returncode == 1


def test_audit_entry_deleted(filled):
    tamper(filled, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE id = 3")
    rep = report(filled)
    assert (rep.first.table, rep.first.id) == ("audit_log", 4) and "bị đứt" in rep.first.problem


def test_first_audit_entry_deleted(filled):
    tamper(filled, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE id = 1")
    rep = report(filled)
    assert (rep.first.table, rep.first.id) == ("audit_log", 2) and "đầu tiên" in rep.first.problem


def test_inserted_audit_entry_without_hash(filled):
    tamper(filled, "INSERT INTO audit_log(at, user, action, what) VALUES ('2026-01-01T00:00:00+00:00', 'x', 'login', 'giả')")
    rep = report(filled)
    assert (rep.first.table, rep.first.id) == ("audit_log", 6) and "thiếu mã băm" in rep.first.problem


def test_both_tables_reported(filled):
    tamper(filled, "DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET user = 'x' WHERE id = 5",
           "DROP TRIGGER revisions_no_update", "UPDATE revisions SET kind = 'x' WHERE id = 1")
    rep = report(filled)
    assert [(b.table, b.id) for b in rep.breaks] == [("revisions", 1), ("audit_log", 5)]
    assert "1 chỗ hỏng khác" in rep.summary
