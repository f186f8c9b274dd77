"""A deep link is the first request a freshly started server gets (a bookmark after a restart).

Streamlit runs in its legacy ``pages/`` mode until some session has called st.navigation (a
``pages`` folder exists beside app.py): the first request for /tuyen runs pages/tuyen.py as a script.
The page file hands over to ui.router.main() (see ui/router.py), so that first request shows the
app's own navigation and the page — never Streamlit's list of file names, never "Page not found",
never data before the login. Each test starts its own server so the deep link really is the first
request."""

from __future__ import annotations

import shutil

import pytest

from geo import auth
from geo.store import open_store
from tests.conftest import StreamlitServer, map_frame_paths, real_console_errors

PASSWORD = "mat-khau-dai-123"
# what the viewer's (and the public demo's) navigation menu lists, in order
VIEWER_MENU = ["Tổng quan", "Tuyến trọng điểm", "Xã trọng điểm", "Hồ sơ xã", "Tiến độ", "Trình chiếu",
               "Màn hình treo tường", "Nguồn dữ liệu"]
# every URL of the app and the heading its page shows (public demo: an anonymous viewer)
URLS = [
    ("", "Bản đồ xã không ma túy tỉnh Tuyên Quang"),
    ("tong_quan", "Bản đồ xã không ma túy tỉnh Tuyên Quang"),
    ("tuyen?tuyen=QL2", "Tuyến trọng điểm phức tạp về ma túy"),
    ("xa_trong_diem", "Xã trọng điểm phức tạp về ma túy"),
    ("ho_so_xa?xa=00694", "Phường Hà Giang 1"),
    ("tien_do", "Tiến độ xây dựng xã không ma túy đến 2030"),
    ("trinh_chieu", "Trình chiếu"),
    ("nguon_du_lieu", "Nguồn dữ liệu"),
    ("nhap_du_lieu", None),  # editors only: the page refuses the anonymous viewer
    ("lich_su", None),
    ("quan_tri", None),
]


@pytest.fixture()
def cold_server(demo_db, tmp_path):
    servers = []

    def start(public_demo: bool) -> StreamlitServer:
        path = tmp_path / f"app-{len(servers)}.db"
        shutil.copyfile(demo_db, path)
        s = open_store(path)
        auth.add_user(s, "xem", PASSWORD, "viewer", by="test")
        auth.add_user(s, "quantri", PASSWORD, "admin", by="test")
        s.close()
        env = {"TQMAP_DB": str(path), "TQMAP_PUBLIC_DEMO": "1" if public_demo else "0"}
        srv = StreamlitServer(env, tmp_path / f"st-{len(servers)}.log")
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()


def menu(pg) -> list[str]:
    """The texts of the sidebar's navigation links (Streamlit's nav widget)."""
    nav = pg.locator("[data-testid='stSidebarNav']")
    if nav.count() == 0:
        return []
    return [t.strip() for t in nav.locator("a").all_inner_texts() if t.strip()]


def _menu_titles(pg) -> list[str]:
    # a link's text is "<material icon name>\n<title>": keep the title
    return [t.split("\n")[-1].strip() for t in menu(pg)]


def _route_chosen(pg, name: str) -> None:
    """The route select box shows ``name`` (the ?tuyen= parameter was honoured)."""
    pg.wait_for_function("(n) => (document.querySelector('input[aria-label=\"Chọn tuyến\"]') || {}).value"
                         "?.startsWith(n)", arg=name, timeout=30000)


@pytest.mark.parametrize("path,heading", URLS, ids=[u or "root" for u, _ in URLS])
def test_cold_deep_link_shows_the_app_navigation_and_the_page(cold_server, page, path, heading):
    srv = cold_server(public_demo=True)
    page.goto(f"{srv.url}/{path}")
    if heading:
        page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=90000)
    else:
        page.get_by_text("Bạn không có quyền").first.wait_for(timeout=90000)
    page.locator("[data-testid='stSidebarNav']").wait_for(timeout=30000)
    # the router's language switch (.first: while the legacy run's sidebar is replaced by the app's
    # own, both can be in the page for a moment; strict mode then failed a full run once)
    page.get_by_text("Tiếng Việt", exact=True).first.wait_for(timeout=30000)
    page.get_by_text("Chế độ trình diễn công khai", exact=False).first.wait_for(timeout=30000)  # its gate
    assert _menu_titles(page) == VIEWER_MENU  # the app's own navigation, not file names
    body = page.inner_text("body")
    assert "Chế độ trình diễn công khai" in body and "Tiếng Việt" in body  # the router's gate ran
    assert page.get_by_role("dialog").count() == 0  # no "Page not found"
    assert "Page not found" not in body
    if path.startswith("ho_so_xa"):
        # a cold server builds the year view and the map's files in this very request (no warm
        # start: streamlit run app.py): on a busy machine that took more than the default 30 s once
        _, n = map_frame_paths(page, minimum=124, selector="path.tq-commune", timeout_s=120)
        assert n == 124
    if path.startswith("tuyen"):
        _route_chosen(page, "Tuyến Quốc lộ 2 (cửa khẩu")
    if path == "tong_quan":
        page.wait_for_url(f"{srv.url}/", timeout=30000)  # forwarded to the overview's own URL
    assert real_console_errors(page) == []
    assert page.external_requests == []


@pytest.mark.parametrize("path", ["tuyen", "ho_so_xa?xa=00694", "quan_tri"])
def test_cold_deep_link_still_needs_login(cold_server, page, path):
    srv = cold_server(public_demo=False)
    page.goto(f"{srv.url}/{path}")
    page.get_by_role("heading", name="Đăng nhập").first.wait_for(timeout=90000)
    page.wait_for_timeout(1500)  # nothing else arrives later
    body = page.inner_text("body")
    assert "DỮ LIỆU MINH HỌA" not in body and "Phường Hà Giang 1" not in body
    assert page.locator(".tq-strip, .tq-kpis, .tq-legend-side").count() == 0
    assert page.locator("iframe, .tq-live").count() == 0  # no map
    assert menu(page) == []  # no page list at all on the login screen
    assert "quan tri" not in body and "nhap du lieu" not in body  # no legacy file list
    assert page.url.endswith(f"/{path}")  # the deep link is kept for after the login


@pytest.mark.parametrize("path,user,heading", [
    ("", "xem", "Bản đồ xã không ma túy tỉnh Tuyên Quang"),
    ("tuyen?tuyen=QL34", "xem", "Tuyến trọng điểm phức tạp về ma túy"),
    ("quan_tri", "quantri", "Quản trị"),
])
def test_first_login_after_a_restart_lands_on_the_page(cold_server, page, path, user, heading):
    srv = cold_server(public_demo=False)
    page.goto(f"{srv.url}/{path}")
    page.get_by_label("Tên đăng nhập").wait_for(timeout=90000)
    page.get_by_label("Tên đăng nhập").fill(user)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=90000)
    if not path:
        page.wait_for_selector(".tq-strip", timeout=60000)
        assert "35/124" in page.inner_text(".tq-strip") and "28,2%" in page.inner_text(".tq-strip")
    if path.startswith("tuyen"):
        _route_chosen(page, "Tuyến Quốc lộ 34 (")
        assert "tuyen=QL34" in page.url
    assert f"Đăng nhập: {user}" in page.inner_text("body")  # the sidebar says who is logged in
    expected = VIEWER_MENU + (["Nhập dữ liệu", "Lịch sử thay đổi", "Quản trị"] if user == "quantri" else [])
    assert _menu_titles(page) == expected
    assert page.get_by_role("dialog").count() == 0
