"""The store contract: what every :class:`geo.store.Store` implementation must do.

Not collected by itself (no ``test_`` prefix). A backend's test module imports these tests and
provides one fixture, ``store_factory``: a callable returning a NEW, empty, migrated store (the
caller closes it). SQLite: tests/test_store_contract.py. PostgreSQL::

    from tests.store_contract import *  # noqa: F401,F403

    @pytest.fixture()
    def store_factory(pg_url_factory):
        return lambda: PostgresStore(pg_url_factory())

Only the public interface is used here (no SQL): "nothing written" is checked with
:func:`snapshot`, which reads everything a caller can see.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from geo import boundaries, service
from geo.model import DEFAULT_TARGETS, YEARS, Assessment, DemoFlags, Route, Target
from geo.store import AuditEntry, ChainReport, Store, StoreError, Throttle

LINE = "LINESTRING (104.97 22.82, 105.0 22.9, 105.05 23.0)"
LINE2 = "LINESTRING (105.2 22.0, 105.3 22.1)"
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture()
def codes(boundaries_gpkg) -> list[str]:
    return sorted(boundaries.commune_table()["code"].astype(str))


@pytest.fixture()
def store(store_factory):
    s = store_factory()
    yield s
    s.close()


def snapshot(s: Store) -> tuple:
    """Everything a caller can read (used to prove a refused write changed nothing)."""
    return (s.data_version(), s.years(), {y: s.assessments(y) for y in YEARS}, s.routes(), s.targets(),
            s.setting("present.slides"), s.revisions(1000), s.audit_entries(limit=None), s.users(),
            s.throttle("pair", "lan|1.2.3.4"), s.demo_flags())


# --- identity, schema, seed ------------------------------------------------------------------


def test_is_a_store_with_url_and_schema(store):
    assert isinstance(store, Store)
    assert store.url.startswith(("sqlite:///", "postgresql://")) and ":***@" not in store.url
    from geo.store.migrations import ordered

    assert store.schema_version() == max(m.version for m in ordered())
    assert store.data_version() == 1 and store.revisions()[0].kind == "seed"
    assert sorted((t.year, t.scope) for t in store.targets()) == sorted((t.year, t.scope) for t in DEFAULT_TARGETS)
    assert store.years() == [] and store.routes() == [] and store.users() == [] and store.audit_entries() == []
    assert store.demo_flags() == DemoFlags(False, False, False) and not store.is_demo()
    assert store.verify_chain().ok


# --- assessments, routes, targets ---------------------------------------------------------------


def test_assessments_history_and_demo_flags(store, codes):
    r1 = store.upsert_assessments(2025, [Assessment(codes[0], 2025, addicts=2), Assessment(codes[1], 2025)],
                                  user="lan", reason="nhập", source="a.xlsx", demo=True)
    assert store.assessments(2025)[codes[0]].addicts == 2 and store.years() == [2025]
    assert store.demo_flags(2025) == DemoFlags(statuses=True, routes=False, targets=False)
    r2 = store.replace_year(2025, [Assessment(codes[0], 2025, addicts=3)], user="lan", reason="thay")
    assert list(store.assessments(2025)) == [codes[0]] and not store.demo_flags(2025).statuses
    store.upsert_assessments(2026, [Assessment(codes[0], 2026, drug_free=True)], user="lan", reason="r")
    assert {y: a.addicts for y, a in store.history(codes[0]).items()} == {2025: 3, 2026: 0}
    rev = store.revision(r1)
    assert rev.user == "lan" and rev.source == "a.xlsx" and rev.demo and store.revision(r2).kind == "replace_year"
    assert store.revision(99999) is None
    assert store.data_version() == r2 + 1


def test_routes_and_targets(store):
    r = store.put_routes([Route("QL2", "Quốc lộ 2", geometry_wkt=LINE), Route("B", "B", geometry_wkt=LINE2,
                                                                           year_to=2025)],
                         user="lan", reason="tuyến", demo=True)
    assert [x.id for x in store.routes()] == ["B", "QL2"] and [x.id for x in store.routes(2026)] == ["QL2"]
    assert store.demo_flags(2026).routes and store.revision(r).kind == "routes"
    store.put_routes([Route("QL2", "Quốc lộ 2 (sửa)", geometry_wkt=LINE)], user="lan", reason="thay", replace=True)
    assert [x.name for x in store.routes()] == ["Quốc lộ 2 (sửa)"] and not store.demo_flags(2026).routes
    store.delete_route("QL2", user="lan", reason="bỏ")
    assert store.routes() == []
    store.put_targets([Target(2027, "province", share_pct=55.0)], user="lan", reason="chỉ tiêu")
    assert Target(2027, "province", share_pct=55.0) in store.targets()


BAD = [
    ("năm", lambda s, c: s.upsert_assessments(2024, [Assessment(c[0], 2024)], user="u", reason="r")),
    ("mã xã", lambda s, c: s.upsert_assessments(2025, [Assessment("99999", 2025)], user="u", reason="r")),
    ("âm", lambda s, c: s.replace_year(2025, [Assessment(c[0], 2025, addicts=-1)], user="u", reason="r")),
    ("lý do", lambda s, c: s.upsert_assessments(2025, [Assessment(c[0], 2025)], user="u", reason=" ")),
    ("người thực hiện", lambda s, c: s.put_targets([Target(2026, "province", share_pct=5.0)], user="", reason="r")),
    ("ngoài tỉnh", lambda s, c: s.put_routes([Route("X", "X", geometry_wkt="LINESTRING (500000 2500000, 5 5)")],
                                             user="u", reason="r")),
    ("tỷ lệ", lambda s, c: s.put_targets([Target(2026, "province", share_pct=120.0)], user="u", reason="r")),
    ("Không có tuyến", lambda s, c: s.delete_route("KHONG", user="u", reason="r")),
    ("Không có phiên bản", lambda s, c: s.restore(999, user="u", reason="r")),
    ("JSON", lambda s, c: s.put_setting("present.slides", {1, 2}, user="u", reason="r")),
    ("Tên thiết lập", lambda s, c: s.put_setting("", [1], user="u", reason="r")),
    ("danh sách nhật ký", lambda s, c: s.audit("u", "drop_table", "x")),
    ("Thiếu nội dung", lambda s, c: s.audit("u", "login", " ")),
    ("đã tồn tại", lambda s, c: s.add_user("lan", "admin", HASH, now="2026-01-01T00:00:00+00:00")),
    ("Không có người dùng", lambda s, c: s.update_user("ghost", now="2026-01-01T00:00:00+00:00", role="admin")),
    ("argon2", lambda s, c: s.add_user("moi", "admin", "plain", now="2026-01-01T00:00:00+00:00")),
]


@pytest.mark.parametrize("needle,write", BAD, ids=[b[0] for b in BAD])
def test_refused_writes_change_nothing(store, codes, needle, write):
    store.upsert_assessments(2025, [Assessment(codes[0], 2025, addicts=2)], user="u", reason="r")
    store.add_user("lan", "viewer", HASH, now="2026-01-01T00:00:00+00:00")
    before = snapshot(store)
    with pytest.raises(StoreError, match=needle):
        write(store, codes)
    assert snapshot(store) == before


def test_contradiction_refused_with_located_message(store, codes):
    """Drug-free and classed in one year (QĐ 28 Điều 6): refused, row named, nothing written."""
    store.upsert_assessments(2025, [Assessment(codes[0], 2025)], user="u", reason="r")
    before = snapshot(store)
    rows = [Assessment(codes[1], 2025), Assessment(codes[2], 2025, drug_free=True, complexity_class="II")]
    for write in (store.upsert_assessments, store.replace_year):
        with pytest.raises(StoreError) as exc:
            write(2025, rows, user="u", reason="r")
        msg = str(exc.value)
        assert "bản ghi thứ 2" in msg and codes[2] in msg and "không ma túy" in msg and "loại II" in msg
    assert snapshot(store) == before


# --- revisions, diff, restore, settings ------------------------------------------------------------


def test_diff_and_restore_cover_every_entity(store, codes):
    base = store.data_version()
    store.upsert_assessments(2025, [Assessment(codes[0], 2025, addicts=1)], user="u", reason="r")
    store.put_routes([Route("QL2", "Quốc lộ 2", geometry_wkt=LINE)], user="u", reason="r")
    store.put_setting("present.slides", [{"kind": "overview", "arg": None, "title": None}], user="u", reason="r")
    mid = store.data_version()
    store.upsert_assessments(2025, [Assessment(codes[0], 2025, addicts=5)], user="u", reason="r")
    store.put_setting("present.slides", [{"kind": "key", "arg": None, "title": None}], user="u", reason="r")
    store.delete_route("QL2", user="u", reason="r")
    changes = {(c.entity, c.key, c.field): (c.before, c.after) for c in store.diff(mid, store.data_version())}
    assert changes[("assessment", f"2025/{codes[0]}", "addicts")] == (1, 5)
    assert changes[("route", "QL2", "*")][1] is None
    assert changes[("setting", "present.slides", "value")] == ([{"kind": "overview", "arg": None, "title": None}],
                                                               [{"kind": "key", "arg": None, "title": None}])
    rev = store.restore(mid, user="lan", reason="nhầm")
    assert store.revision(rev).kind == "restore"
    assert store.assessments(2025)[codes[0]].addicts == 1 and [r.id for r in store.routes()] == ["QL2"]
    assert store.setting("present.slides") == [{"kind": "overview", "arg": None, "title": None}]
    store.restore(base, user="lan", reason="về đầu")
    assert store.years() == [] and store.routes() == [] and store.setting("present.slides") is None
    with pytest.raises(StoreError, match="Không có phiên bản"):
        store.diff(1, 99999)


def test_settings_are_revisioned_json(store):
    assert store.setting("present.slides") is None
    r = store.put_setting("present.slides", [{"kind": "overview", "title": "Tiêu đề <b>"}], user="lan", reason="r")
    assert store.revision(r).kind == "settings" and store.revision(r).user == "lan"
    assert store.setting("present.slides") == [{"kind": "overview", "title": "Tiêu đề <b>"}]
    assert store.data_version() == r
    store.put_setting("ui.misc", {"a": 1.5, "b": None}, user="lan", reason="r")
    assert store.setting("ui.misc") == {"a": 1.5, "b": None}
    store.put_setting("ui.misc", None, user="lan", reason="bỏ")
    assert store.setting("ui.misc") is None


# --- audit -----------------------------------------------------------------------------------


def test_audit_append_filter_and_chain(store):
    ids = [store.audit(u, a, f"việc {i}", {"i": i} if i else None, now=T0 + dt.timedelta(hours=i))
           for i, (u, a) in enumerate([("lan", "login"), ("thu", "import"), ("lan", "export"), ("thu", "login")])]
    assert ids == sorted(ids) and len(set(ids)) == 4
    e = store.audit_entries()
    assert [x.what for x in e] == ["việc 3", "việc 2", "việc 1", "việc 0"] and isinstance(e[0], AuditEntry)
    assert e[0].detail == {"i": 3} and e[-1].detail is None and e[0].at == "2026-03-01T11:00:00+00:00"
    assert [x.what for x in store.audit_entries(user="lan")] == ["việc 2", "việc 0"]
    assert [x.what for x in store.audit_entries(action="login")] == ["việc 3", "việc 0"]
    assert [x.what for x in store.audit_entries(since=T0 + dt.timedelta(hours=2))] == ["việc 3", "việc 2"]
    assert len(store.audit_entries(limit=1)) == 1
    rep = store.verify_chain()
    assert isinstance(rep, ChainReport) and rep.ok and rep.audit_entries == 4 and "nguyên vẹn" in rep.summary
    assert rep.heads["audit_log"] and rep.heads["revisions"]


# --- users and login throttling ----------------------------------------------------------------


def test_users_and_throttle(store):
    store.add_user("lan", "editor", HASH, now="2026-01-01T00:00:00+00:00")
    u = store.user("LAN ")
    assert u.name == "lan" and u.role == "editor" and not u.disabled and u.password_hash == HASH
    store.update_user("lan", now="2026-01-02T00:00:00+00:00", role="admin", disabled=True)
    u = store.user("lan")
    assert u.role == "admin" and u.disabled and u.updated_at == "2026-01-02T00:00:00+00:00"
    store.update_user("lan", now="2026-01-03T00:00:00+00:00", last_login="2026-01-03T00:00:00+00:00")
    assert store.user("lan").last_login == "2026-01-03T00:00:00+00:00"
    assert [x.name for x in store.users()] == ["lan"] and store.user("ghost") is None
    t = Throttle("pair", "lan|1.2.3.4", 3, "2026-01-01T00:00:00+00:00", None)
    store.put_throttle(t)
    store.put_throttle(Throttle("pair", "lan|5.6.7.8", 1, None, None))
    store.put_throttle(Throttle("name", "lan", 4, None, "2026-01-01T00:00:05+00:00"))
    assert store.throttle("pair", "lan|1.2.3.4") == t and store.throttle("client", "1.2.3.4") is None
    assert store.clear_throttle("pair", "lan|") == 2 and store.throttle("pair", "lan|1.2.3.4") is None
    assert store.throttle("name", "lan").failures == 4
    with pytest.raises(StoreError):
        store.throttle("everyone", "x")


def test_has_real_data(store, codes):
    assert not store.has_real_data()
    store.upsert_assessments(2025, [Assessment(codes[0], 2025)], user="u", reason="r", demo=True)
    assert not store.has_real_data()
    store.upsert_assessments(2025, [Assessment(codes[1], 2025)], user="u", reason="r")
    assert store.has_real_data()


# --- batch: one transaction --------------------------------------------------------------------------


def test_batch_commits_everything_together(store, codes):
    with store.batch() as b:
        assert b is store
        rev = store.upsert_assessments(2025, [Assessment(codes[0], 2025)], user="u", reason="r")
        store.put_setting("present.slides", [1], user="u", reason="r")
        store.audit("u", "import", "nhập", {"revision": rev})
        store.add_user("lan", "viewer", HASH, now="2026-01-01T00:00:00+00:00")
        store.put_throttle(Throttle("name", "lan", 1, None, None))
    assert store.years() == [2025] and store.setting("present.slides") == [1]
    assert store.audit_entries()[0].detail == {"revision": rev} and store.user("lan") and store.throttle("name", "lan")
    assert store.verify_chain().ok


def test_exception_inside_batch_leaves_everything_unchanged(store, codes):
    store.upsert_assessments(2025, [Assessment(codes[0], 2025, addicts=1)], user="u", reason="r")
    before = snapshot(store)
    with pytest.raises(RuntimeError, match="giả lập"):
        with store.batch():
            store.upsert_assessments(2025, [Assessment(codes[0], 2025, addicts=9)], user="u", reason="r")
            store.put_routes([Route("QL2", "Quốc lộ 2", geometry_wkt=LINE)], user="u", reason="r")
            store.put_setting("present.slides", [1], user="u", reason="r")
            store.audit("u", "import", "nhập")
            store.add_user("lan", "viewer", HASH, now="2026-01-01T00:00:00+00:00")
            store.put_throttle(Throttle("pair", "lan|1.2.3.4", 9, None, None))
            raise RuntimeError("lỗi giả lập giữa chừng")
    assert snapshot(store) == before
    # a refusal inside a batch rolls back the writes before it, too
    with pytest.raises(StoreError):
        with store.batch():
            store.audit("u", "import", "nhập")
            store.upsert_assessments(2025, [Assessment("99999", 2025)], user="u", reason="r")
    assert snapshot(store) == before
    assert store.verify_chain().ok
    # and the store still writes normally afterwards
    store.audit("u", "export", "xuất")
    assert store.audit_entries()[0].what == "xuất" and store.verify_chain().ok


def test_service_writes_and_audits_in_one_transaction(store, codes, monkeypatch):
    rev = service.import_assessments(store, 2025, [Assessment(codes[0], 2025)], user="lan", reason="quý IV",
                                     source="tq.xlsx")
    e = store.audit_entries()[0]
    assert (e.user, e.action, e.detail["revision"], e.detail["source"]) == ("lan", "import", rev, "tq.xlsx")
    before = snapshot(store)
    # the audit write fails after the data write: neither remains
    monkeypatch.setattr(type(store), "audit", lambda self, *a, **k: (_ for _ in ()).throw(RuntimeError("đĩa đầy")))
    with pytest.raises(RuntimeError):
        service.import_assessments(store, 2025, [Assessment(codes[1], 2025)], user="lan", reason="r", source="b")
    with pytest.raises(RuntimeError):
        service.save_setting(store, "present.slides", [1], user="lan", reason="r")
    monkeypatch.undo()
    assert snapshot(store) == before
    r2 = service.put_routes(store, [Route("QL2", "Quốc lộ 2", geometry_wkt=LINE)], user="lan", reason="r")
    r3 = service.delete_route(store, "QL2", user="lan", reason="r")
    r4 = service.put_targets(store, [Target(2027, "province", share_pct=50.0)], user="lan", reason="r")
    r5 = service.restore(store, rev, user="lan", reason="r")
    r6 = service.save_setting(store, "present.slides", [{"kind": "overview"}], user="lan", reason="r")
    service.record_export(store, "lan", "Xuất Excel")
    acts = [(x.action, (x.detail or {}).get("revision")) for x in store.audit_entries()]
    assert acts[:7] == [("export", None), ("edit", r6), ("restore", r5), ("edit", r4), ("edit", r3),
                        ("import", r2), ("import", rev)]
    assert store.verify_chain().ok


def test_data_version_grows_with_every_revision(store, codes):
    v = [store.data_version()]
    store.upsert_assessments(2025, [Assessment(codes[0], 2025)], user="u", reason="r")
    v.append(store.data_version())
    store.put_setting("k", 1, user="u", reason="r")
    v.append(store.data_version())
    store.audit("u", "export", "x")  # the audit trail is not data
    v.append(store.data_version())
    assert v[0] < v[1] < v[2] == v[3]


def test_threads_share_one_store(store, codes):
    errors = []

    def work(i):
        try:
            for j in range(3):
                store.upsert_assessments(2025, [Assessment(codes[i], 2025, addicts=j)], user=f"t{i}", reason="r")
                store.audit(f"t{i}", "edit", f"lần {j}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert len(store.assessments(2025)) == 6 and len(store.audit_entries()) == 18
    assert store.verify_chain().ok
