"""The app with login (no public demo): roles decide the pages; import, history, restore, admin."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from geo import audit, auth
from geo.importer import export_year
from geo.store import open_store
from tests.app_pages import cached_html_parts, demo_banner, open_page

PASSWORD = "mat-khau-dai-123"


@pytest.fixture()
def db(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "app.db"
    shutil.copyfile(demo_db, path)
    s = open_store(path)
    for name, role in (("quantri", "admin"), ("bientap", "editor"), ("xem", "viewer")):
        auth.add_user(s, name, PASSWORD, role, by="test")
    s.close()
    monkeypatch.setenv("TQMAP_DB", str(path))
    monkeypatch.delenv("TQMAP_PUBLIC_DEMO", raising=False)
    return path


def _login(name: str, page: str | None = None):
    """Log in as ``name`` on ``page`` (None: app.py, the overview); the run after the login shows it."""
    at = open_page(page).run()
    assert [t.label for t in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]
    at.text_input[0].input(name)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def test_logged_out_visitor_sees_no_data(db):
    at = open_page().run()
    assert not at.exception
    text = " ".join([str(m.value) for m in at.markdown] + cached_html_parts(at))
    assert "35/124" not in text and "tq-strip" not in text and "tq-kpis" not in text
    assert at.title[0].value == "Đăng nhập"


def test_viewer_has_no_data_pages_in_navigation(db):
    at = _login("xem")
    assert '<span class="v">35/124</span>' in " ".join([str(m.value) for m in at.markdown] + cached_html_parts(at))
    from geo.auth import CurrentUser
    from ui import nav

    shown = set(nav.listed(CurrentUser("xem", "viewer", "password")))
    assert shown == {"tong_quan", "tuyen", "xa_trong_diem", "ho_so_xa", "tien_do", "trinh_chieu", "tuong",
                     "nguon_du_lieu"}
    assert set(nav.listed(CurrentUser("b", "editor", "password"))) == shown | {"nhap_du_lieu", "lich_su"}
    assert set(nav.listed(CurrentUser("a", "admin", "password"))) == set(nav.BY_NAME)
    assert nav.listed(None) == []


def test_editor_sees_import_and_history_but_not_admin(db):
    at = _login("bientap", "nhap_du_lieu")
    assert at.title[0].value == "Nhập dữ liệu"
    at = _login("bientap", "lich_su")
    assert at.title[0].value == "Lịch sử thay đổi dữ liệu"
    at = _login("bientap", "quan_tri")  # a deep link to a page the role may not open: it refuses
    assert at.error and "Bạn không có quyền quản lý người dùng" in at.error[0].value
    assert not [t for t in at.title if t.value == "Quản trị"]


@pytest.mark.parametrize("page,action", [("nhap_du_lieu", "nhập dữ liệu"), ("quan_tri", "quản lý người dùng"),
                                         ("lich_su", "nhập dữ liệu")])
def test_page_guard_refuses_a_viewer_even_if_reached(db, page, action):
    """Each restricted page checks the role itself, whatever the navigation shows."""
    at = _login("xem", page)
    assert not at.exception
    assert at.error and f"Bạn không có quyền {action}" in at.error[0].value
    assert not at.title  # nothing of the page rendered


def test_editor_imports_an_exported_file_with_changes(db, tmp_path):
    store = open_store(db)
    xlsx = tmp_path / "2025.xlsx"
    export_year(store, 2025, xlsx)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb.worksheets[0]
    # find a row and change its note: one change to import
    header_row = next(r for r in range(1, 15) if any(str(c.value or "").strip().lower().startswith("mã")
                                                     for c in ws[r]))
    heads = [str(c.value or "").strip() for c in ws[header_row]]
    note_col = next(i for i, h in enumerate(heads, start=1) if h.lower().startswith("ghi chú"))
    ws.cell(row=header_row + 1, column=note_col, value="Ghi chú kiểm thử")
    wb.save(xlsx)
    before_rev = store.data_version()

    at = _login("bientap", "nhap_du_lieu")
    assert not at.exception
    assert at.title[0].value == "Nhập dữ liệu"
    # Streamlit's AppTest has no file_uploader driver: drive the same functions the page calls
    from geo.importer import import_status

    rep = import_status(xlsx, 2025, store, user="bientap", dry_run=True)
    assert rep.ok and rep.changed == 1
    done = import_status(xlsx, 2025, store, user="bientap", dry_run=False, reason="kiểm thử")
    assert done.stored and store.data_version() == before_rev + 1


def test_history_and_restore_by_admin(db):
    at = _login("quantri", "lich_su")
    assert not at.exception
    assert at.title[0].value == "Lịch sử thay đổi dữ liệu"
    store = open_store(db)
    first = store.revisions()[-1].id
    at.selectbox(key="rev_restore").set_value(first).run()
    at.text_input(key="rev_reason").input("Kiểm thử khôi phục").run()
    next(b for b in at.button if b.label.startswith("Khôi phục về")).click().run()
    assert not at.exception
    assert any("Đã khôi phục" in s.value for s in at.success), ([b.label for b in at.button], [e.value for e in at.error], [w.value for w in at.warning])
    assert store.years() == []  # the seed revision held no assessment
    assert audit.entries(store, action="restore")[0].user == "quantri"


def test_editor_cannot_restore(db):
    at = _login("bientap", "lich_su")
    assert not at.exception
    assert not [b for b in at.button if "Khôi phục về" in b.label]
    assert any("Chỉ quản trị viên" in c.value for c in at.caption)


def test_targets_rows_validation():
    from geo.targets import parse_rows

    ok, problems = parse_rows([{"year": 2026, "scope": "province", "share_pct": 35.0, "count": None}])
    assert problems == [] and ok[0].share_pct == 35.0
    _, problems = parse_rows([
        {"year": 2040, "scope": "province", "share_pct": 10},
        {"year": 2026, "scope": "huyện", "share_pct": 10},
        {"year": 2026, "scope": "province", "share_pct": 10, "count": 5},
        {"year": 2026, "scope": "province", "share_pct": 140},
        {"year": 2027, "scope": "ministry", "count": 20},
        {"year": 2027, "scope": "ministry", "count": 21},
    ])
    assert problems[0].startswith("Dòng 1, cột Năm") and problems[1].startswith("Dòng 2, cột Cấp giao")
    assert problems[2].startswith("Dòng 3:") and "0–100" in problems[3] and problems[4].startswith("Dòng 6:")


def test_admin_page_renders_users_targets_audit(db):
    at = _login("quantri", "quan_tri")
    assert not at.exception
    assert at.title[0].value == "Quản trị"
    users = str(at.dataframe[0].value)
    assert "quantri" in users and "bientap" in users
    audit_table = str(at.dataframe[-1].value)
    assert "quantri" in audit_table  # the login just made is in the audit trail


def test_admin_adds_a_user_with_a_short_password_gets_vietnamese_error(db):
    at = _login("quantri", "quan_tri")
    at.text_input[0].input("moi")
    at.text_input[1].input("ngan")
    at.button[0].click().run()
    assert not at.exception
    assert at.error and "10" in at.error[0].value
    assert [u.name for u in auth.list_users(open_store(db))].count("moi") == 0


def test_demo_mark_per_item_real_statuses_with_demo_routes(db):
    """Issue 10: a real year with demo routes says exactly that; file names carry _minh-hoa only
    when the statuses are illustrative."""
    from geo import service
    from ui import common

    s = open_store(db)
    items = list(s.assessments(2025).values())
    service.import_assessments(s, 2025, items, user="bientap", reason="số liệu thật", source="that.xlsx",
                               demo=False)
    flags = s.demo_flags(2025)
    assert not flags.statuses and flags.routes
    at = _login("xem", "xa_trong_diem")
    assert not at.exception
    banner = demo_banner(at)
    from geo.escape import html_text
    from geo.model import DemoFlags

    said = common.demo_text(flags, "vi")
    assert "DỮ LIỆU MINH HỌA" in banner and html_text(said) in banner  # says what is illustrative
    assert said != common.demo_text(DemoFlags(True, True, True), "vi")  # not "everything"
    assert "_minh-hoa" not in common.demo_suffix(flags)  # real statuses: no "_minh-hoa" file name
    assert common.demo_suffix(s.demo_flags(2026)) == "_minh-hoa"  # 2026 is still all demo


def test_overview_sends_the_other_years_banner_ahead(db):
    """The Overview's year control shows a picked year at once (figures, map, legend, and the demo
    banner): with real statuses for 2025 and demo ones for 2026 the two banners differ, and the
    banner sent ahead for 2026 is the one 2026's own run then shows."""
    from geo import service
    from geo.escape import html_text
    from tests import app_pages
    from ui import common

    s = open_store(db)
    service.import_assessments(s, 2025, list(s.assessments(2025).values()), user="bientap", reason="số liệu thật",
                               source="that.xlsx", demo=False)
    said = {y: html_text(common.demo_text(s.demo_flags(y), "vi")) for y in (2025, 2026)}
    assert said[2025] != said[2026]
    at = _login("xem")  # the overview, 2025
    cached_html_parts(at)  # every part sent so far, by hash

    def text(parts):
        return "".join(app_pages._PARTS.get(p["h"]) or "" for p in parts)

    banners = [m for m in app_pages.component_payloads(at, "tq_cached_html")
               if isinstance(m, dict) and text(m["parts"]).startswith("<div class='tq-demo-banner'")]
    assert len(banners) == 1 and set(banners[0]["var"]) == {"2026"}
    assert said[2025] in text(banners[0]["parts"]) and said[2026] not in text(banners[0]["parts"])
    # the banner's element carries the figures under it too (common.demo_banner ``then``)
    ahead = [app_pages._PARTS.get(p["h"]) for p in banners[0]["var"]["2026"]]
    assert said[2026] in ahead[0] and "DỮ LIỆU MINH HỌA" in ahead[0]
    at.session_state["year"] = 2026
    at.run()
    assert not at.exception
    assert demo_banner(at) == ahead[0]  # the run shows what was sent ahead
    strips = [p for p in ahead if p.startswith('<div class="tq-strip"')]
    assert len(strips) == 1 and strips == [p for p in cached_html_parts(at) if p.startswith('<div class="tq-strip"')]


def test_public_demo_and_banner_in_english(demo_db, monkeypatch):
    monkeypatch.setenv("TQMAP_DB", str(demo_db))
    monkeypatch.setenv("TQMAP_PUBLIC_DEMO", "1")
    at = open_page("tuyen")
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Priority routes"
    # the public demo's notice: in the page's head element (common.page_setup), in English
    notices = [p for p in cached_html_parts(at) if p.startswith("<div class='tq-public'")]
    assert len(notices) == 1 and "Public demonstration — no login" in notices[0], notices
    assert not at.warning  # not also as a Streamlit warning
    banner = demo_banner(at)
    from geo.escape import html_text
    from ui import common

    assert html_text(common.demo_text(open_store(demo_db).demo_flags(2025), "en")) in banner
    assert "Commune statuses" in banner  # English


def test_viewer_refusal_in_english(db):
    at = open_page("quan_tri")
    at.query_params["lang"] = "en"
    at.run()
    assert at.title[0].value == "Log in"
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    at.text_input[0].input("xem")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.error[0].value == "You may not manage users (your role: Viewer)."
    assert any("Logged in: xem (Viewer)" in str(c.value) for c in at.sidebar.caption)
    assert [b.label for b in at.sidebar.button] == ["Log out"]
