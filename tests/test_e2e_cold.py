"""A deep link is the first request a freshly started server gets (a bookmark after a restart).

Streamlit's legacy ``pages/`` mode would run the page file without app.py, and so without the
login, until app.py has run once; ui.common.page_setup() makes every page hand over to the router.
Each test starts its own server so the deep link really is the first request."""

from __future__ import annotations

import shutil

import pytest

from geo import auth
from geo.store import open_store
from tests.conftest import StreamlitServer, map_frame_paths, real_console_errors


@pytest.fixture()
def cold_server(demo_db, tmp_path):
    servers = []

    def start(public_demo: bool) -> StreamlitServer:
        path = tmp_path / f"app-{len(servers)}.db"
        shutil.copyfile(demo_db, path)
        s = open_store(path)
        auth.add_user(s, "xem", "mat-khau-dai-123", "viewer", by="test")
        s.close()
        env = {"TQMAP_DB": str(path), "TQMAP_PUBLIC_DEMO": "1" if public_demo else "0"}
        srv = StreamlitServer(env, tmp_path / f"st-{len(servers)}.log")
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()


@pytest.mark.parametrize("path", ["tuyen", "ho_so_xa?xa=00694", "quan_tri"])
def test_cold_deep_link_still_needs_login(cold_server, page, path):
    srv = cold_server(public_demo=False)
    page.goto(f"{srv.url}/{path}")
    page.get_by_role("heading", name="Đăng nhập").first.wait_for(timeout=60000)
    page.wait_for_timeout(1500)
    body = page.inner_text("body")
    assert "DỮ LIỆU MINH HỌA" not in body and "Phường Hà Giang 1" not in body
    assert page.locator(".tq-kpis, .tq-legend-side").count() == 0
    assert page.locator("iframe").count() == 0  # no map
    assert "quan tri" not in body and "nhap du lieu" not in body  # no legacy page list


def test_cold_deep_link_in_public_demo_goes_through_the_router(cold_server, page):
    srv = cold_server(public_demo=True)
    page.goto(f"{srv.url}/ho_so_xa?xa=00694")
    page.get_by_role("heading", name="Phường Hà Giang 1", exact=True).first.wait_for(timeout=60000)
    body = page.inner_text("body")
    assert "Chế độ trình diễn công khai" in body  # app.py's login gate ran
    assert "Tiếng Việt" in body  # and its language switch
    assert page.get_by_role("dialog").count() == 0  # no "Page not found"
    _, n = map_frame_paths(page, minimum=124, selector="path.tq-commune")
    assert n == 124
    assert real_console_errors(page) == []


@pytest.mark.parametrize("path", ["", "tuyen"])
def test_first_login_after_a_restart_works_and_lands_on_the_page(cold_server, page, path):
    srv = cold_server(public_demo=False)
    page.goto(f"{srv.url}/{path}")
    page.get_by_label("Tên đăng nhập").wait_for(timeout=60000)
    page.get_by_label("Tên đăng nhập").fill("xem")
    page.get_by_label("Mật khẩu").fill("mat-khau-dai-123")
    page.get_by_role("button", name="Đăng nhập").click()
    heading = "Tuyến trọng điểm phức tạp về ma túy" if path else "Bản đồ xã không ma túy tỉnh Tuyên Quang"
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60000)
    if not path:
        page.wait_for_selector(".tq-kpis", timeout=60000)
        assert "35 · 28,2%" in page.inner_text(".tq-kpis")
    assert "Đăng nhập: xem" in page.inner_text("body")  # the sidebar says who is logged in
