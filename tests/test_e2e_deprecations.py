"""No Streamlit deprecation warning in the server log on any page (issue 10).

A real server in login mode; an administrator opens every page through the app's own navigation
(one session), starts the slideshow, and the server log must not mention "deprecat"."""

from __future__ import annotations

import re
import shutil

from geo import auth
from geo.store import open_store
from tests.conftest import StreamlitServer, real_console_errors

PASSWORD = "mat-khau-dai-123"
# menu title -> a heading the page shows
PAGES = [
    ("Tuyến trọng điểm", "Tuyến trọng điểm phức tạp về ma túy"),
    ("Xã trọng điểm", "Xã trọng điểm phức tạp về ma túy"),
    ("Hồ sơ xã", None),
    ("Tiến độ", "Tiến độ xây dựng xã không ma túy đến 2030"),
    ("Trình chiếu", "Trình chiếu"),
    ("Nguồn dữ liệu", "Nguồn dữ liệu"),
    ("Nhập dữ liệu", "Nhập dữ liệu"),
    ("Lịch sử thay đổi", "Lịch sử thay đổi dữ liệu"),
    ("Quản trị", "Quản trị"),
    ("Tổng quan", "Bản đồ xã không ma túy tỉnh Tuyên Quang"),
]


def test_no_deprecation_warning_on_any_page(demo_db, tmp_path, page, artifacts_dir):
    db = tmp_path / "app.db"
    shutil.copyfile(demo_db, db)
    s = open_store(db)
    auth.add_user(s, "quantri", PASSWORD, "admin", by="test")
    s.close()
    log = tmp_path / "st.log"
    srv = StreamlitServer({"TQMAP_DB": str(db), "TQMAP_PUBLIC_DEMO": "0"}, log)
    try:
        page.goto(srv.url + "/")
        page.get_by_label("Tên đăng nhập").wait_for(timeout=90000)
        page.get_by_label("Tên đăng nhập").fill("quantri")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_selector(".tq-strip", timeout=90000)
        nav = page.locator("[data-testid='stSidebarNav']")
        for title, heading in PAGES:
            nav.get_by_role("link", name=title).click()
            if heading:
                page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=90000)
            else:
                page.wait_for_function("() => location.pathname.endsWith('ho_so_xa')", timeout=90000)
                page.get_by_role("heading", level=1).first.wait_for(timeout=90000)
            page.wait_for_selector("[data-testid='stStatusWidget']", state="detached", timeout=90000)
            if title == "Trình chiếu":  # the slideshow itself (?trinh-chieu=1)
                page.get_by_role("button", name="Bắt đầu trình chiếu").click()
                page.get_by_role("button", name="Thoát trình chiếu").wait_for(timeout=90000)
                page.wait_for_selector("iframe", timeout=90000)
                page.wait_for_selector("[data-testid='stStatusWidget']", state="detached", timeout=90000)
                deck = page.frame_locator("[data-testid='stMain'] iframe").first
                deck.locator("section, .slide, h1, h2").first.wait_for(timeout=90000)  # the slides drew
                page.screenshot(path=str(artifacts_dir / "app_presenting.png"))
                page.get_by_role("button", name="Thoát trình chiếu").click()
                page.get_by_role("heading", name="Trình chiếu", exact=True).first.wait_for(timeout=90000)
        body = page.inner_text("body")
        assert "deprecat" not in body.lower()
        # the wall screen hides the app's chrome (no menu to come back by): opened by its URL
        page.goto(srv.url + "/tuong?nam=2025")
        page.get_by_label("Tên đăng nhập").wait_for(timeout=90000)
        page.get_by_label("Tên đăng nhập").fill("quantri")
        page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_selector(".st-key-tq_wall iframe", timeout=90000)
        page.wait_for_selector("[data-testid='stStatusWidget']", state="detached", timeout=90000)
        assert real_console_errors(page) == []
    finally:
        srv.stop()
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text, text[-3000:]
    # Streamlit logs "Please replace `X` with `Y`. `X` will be removed after …" (deprecation_util)
    bad = [line for line in text.splitlines() if re.search(r"deprecat|will be removed|please replace", line, re.I)]
    assert bad == [], "\n".join(bad)
