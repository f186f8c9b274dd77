"""The audit trail on real SQLite files: every action recorded, append-only (triggers), filters, CSV export,
one door (the store; a path or URL still accepted), one transaction with the data it describes."""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3

import pytest

from geo import audit
from geo.store import open_store

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture()
def store(tmp_path):
    s = open_store(tmp_path / "app.db")
    yield s
    s.close()


@pytest.mark.parametrize("action", audit.ACTIONS)
def test_each_action_writes_its_entry(store, action):
    i = audit.record(store, "lan", action, f"Việc {action}", {"file": "tq.xlsx", "rows": 3}, now=T0)
    [e] = audit.entries(store)
    assert (e.id, e.user, e.action, e.what, e.at) == (i, "lan", action, f"Việc {action}", "2026-03-01T08:00:00+00:00")
    assert e.detail == {"file": "tq.xlsx", "rows": 3}
    assert e.action_label == audit.ACTION_LABELS[action]


def test_unknown_action_and_missing_fields_refused(store):
    before = store.path.read_bytes()
    with pytest.raises(audit.AuditError, match="không có trong danh sách"):
        audit.record(store, "lan", "drop_table", "x")
    assert store.path.read_bytes() == before
    with pytest.raises(audit.AuditError, match="Thiếu tên người thực hiện"):
        audit.record(store, "  ", "login", "x")
    with pytest.raises(audit.AuditError, match="Thiếu nội dung"):
        audit.record(store, "lan", "login", "")
    assert audit.entries(store) == []
    # the CHECK constraint holds even for a direct INSERT that bypasses the module
    with sqlite3.connect(store.path) as c, pytest.raises(sqlite3.IntegrityError):
        c.execute("INSERT INTO audit_log(at, user, action, what) VALUES ('x', 'u', 'bogus', 'w')")
    assert audit.entries(store) == []


def test_update_and_delete_are_refused_by_triggers(store):
    audit.record(store, "lan", "import", "Nhập trạng thái năm 2025")
    with sqlite3.connect(store.path) as c:
        with pytest.raises(sqlite3.IntegrityError, match="chỉ được ghi thêm"):
            c.execute("UPDATE audit_log SET user = 'kẻ gian'")
        with pytest.raises(sqlite3.IntegrityError, match="chỉ được ghi thêm"):
            c.execute("DELETE FROM audit_log")
        with pytest.raises(sqlite3.IntegrityError, match="chỉ được ghi thêm"):
            c.execute("INSERT OR REPLACE INTO audit_log(id, at, user, action, what) "
                      "VALUES (1, 'x', 'kẻ gian', 'edit', 'ghi đè')")
    [e] = audit.entries(store)
    assert e.user == "lan" and e.what == "Nhập trạng thái năm 2025"


def test_values_are_parameters_not_sql(store):
    evil = "x'); DELETE FROM audit_log; --"
    audit.record(store, evil, "edit", evil, {"note": evil})
    audit.record(store, "lan", "edit", "bình thường")
    assert [e.user for e in audit.entries(store)] == ["lan", evil]
    assert audit.entries(store, user=evil)[0].detail == {"note": evil}


def test_filters_and_order(store):
    for i, (u, a) in enumerate([("lan", "login"), ("thu", "import"), ("lan", "export"), ("thu", "login")]):
        audit.record(store, u, a, f"việc {i}", now=T0 + dt.timedelta(hours=i))
    assert [e.what for e in audit.entries(store)] == ["việc 3", "việc 2", "việc 1", "việc 0"]
    assert [e.what for e in audit.entries(store, user="lan")] == ["việc 2", "việc 0"]
    assert [e.what for e in audit.entries(store, action="login")] == ["việc 3", "việc 0"]
    assert [e.what for e in audit.entries(store, since=T0 + dt.timedelta(hours=2))] == ["việc 3", "việc 2"]
    assert len(audit.entries(store, limit=1)) == 1
    with pytest.raises(audit.AuditError):
        audit.entries(store, action="nope")


def test_long_and_control_text_is_bounded(store):
    audit.record(store, "lan", "edit", "a\x00b\nc" + "x" * 2000, {"big": "y" * 10000})
    [e] = audit.entries(store)
    assert "\x00" not in e.what and len(e.what) == audit.MAX_TEXT
    assert len(str(e.detail)) < audit.MAX_DETAIL + 100


def test_works_with_a_path_and_beside_the_store(tmp_path):
    path = tmp_path / "app.db"
    s = open_store(path)
    audit.record(path, "lan", "login", "Đăng nhập")
    assert s.revisions()
    assert audit.entries(s)[0].action == "login"
    s.close()


def test_export_csv(store, tmp_path):
    audit.record(store, "lan", "import", "Nhập tệp tq.xlsx", {"rows": 124}, now=T0)
    audit.record(store, "=HYPERLINK(\"http://x\")", "export", "+cmd|' /C calc'!A0", now=T0)
    out = tmp_path / "audit.csv"
    assert audit.export_csv(store, out) == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == audit.CSV_HEADER
    assert rows[1][2:6] == ["lan", "Nhập dữ liệu", "import", "Nhập tệp tq.xlsx"]
    # formula injection neutralised
    assert rows[2][2].startswith("'=") and rows[2][5].startswith("'+")
    assert not (tmp_path / "audit.csv.tmp").exists()
    assert audit.csv_bytes(store) == raw
    assert audit.csv_bytes(store, action="import").count(b"\n") == 2


def test_accepts_a_store_url_and_has_no_side_door(tmp_path):
    path = tmp_path / "u.db"
    audit.record(f"sqlite:///{path}", "lan", "export", "Xuất")
    assert audit.entries(path)[0].what == "Xuất" and audit.verify(path).ok
    assert not hasattr(audit, "connect")  # the second door of round 1 is gone


def test_entry_and_data_share_one_transaction(store, boundaries_gpkg):
    from geo import boundaries
    from geo.model import Assessment

    code = str(boundaries.commune_table()["code"].iloc[0])
    with pytest.raises(RuntimeError):
        with store.batch():
            store.upsert_assessments(2025, [Assessment(code, 2025)], user="lan", reason="r")
            audit.record(store, "lan", "import", "Nhập")
            raise RuntimeError("hỏng giữa chừng")
    assert audit.entries(store) == [] and store.years() == []


def test_verify_report_for_the_admin_page(store):
    audit.record(store, "lan", "login", "Đăng nhập")
    rep = audit.verify(store)
    assert rep.ok and rep.first is None and rep.audit_entries == 1
    assert rep.summary.startswith("Chuỗi kiểm chứng nguyên vẹn")
