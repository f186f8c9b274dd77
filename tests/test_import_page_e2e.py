"""The import page in Chromium on a real Streamlit server: an editor uploads a messy TCVN3 workbook,
the dry run lists the rows matched by something other than the code or exact 2025 name, the import
button waits for the confirmation and a reason, and the upload leaves no temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import auth
from geo.store import open_store
from tests.conftest import StreamlitServer
from tests.test_staff_files import DATA, grid, write_xlsx


@pytest.fixture()
def editor_server(tmp_path, boundaries_gpkg):
    db = tmp_path / "app.db"
    s = open_store(db)
    auth.add_user(s, "bientap", "mat-khau-dai-123", "editor", by="test")
    s.close()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    srv = StreamlitServer({"TQMAP_DB": str(db), "TQMAP_PUBLIC_DEMO": "0", "TMPDIR": str(tmp)},
                          tmp_path / "st.log")
    yield srv, db, tmp
    srv.stop()


def test_editor_confirms_non_exact_matches_before_storing(editor_server, page, tmp_path):
    srv, db, tmp = editor_server
    book = write_xlsx(tmp_path / "bao-cao-tcvn3.xlsx", grid(legacy=True))
    page.goto(srv.url + "/")
    page.get_by_label("Tên đăng nhập").wait_for(timeout=90000)
    page.get_by_label("Tên đăng nhập").fill("bientap")
    page.get_by_label("Mật khẩu").fill("mat-khau-dai-123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Nhập dữ liệu").first.click(timeout=90000)
    page.get_by_role("heading", name="Nhập dữ liệu").first.wait_for(timeout=90000)
    page.locator("input[type=file]").first.set_input_files(str(book))
    page.get_by_text("Cần xác nhận: 5 dòng").first.wait_for(timeout=90000)
    page.get_by_text("Dòng không phải số liệu đã bỏ qua").first.wait_for(timeout=30000)
    assert "bảng mã cũ TCVN3" in page.inner_text("body")
    button = page.get_by_role("button", name="Nhập 9 thay đổi vào năm 2025")
    assert button.is_disabled()
    page.get_by_label("Lý do thay đổi (bắt buộc, ghi vào lịch sử)").fill("Báo cáo tháng 12")
    page.keyboard.press("Tab")
    page.wait_for_function("() => document.body.innerText.includes('Tôi đã kiểm tra 5 dòng')", timeout=30000)
    assert button.is_disabled()  # a reason alone is not enough: the 5 rows must be confirmed
    page.get_by_text("Tôi đã kiểm tra 5 dòng trên: đúng xã/phường").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some(b => b.innerText.includes('Nhập 9 thay đổi') && !b.disabled)",
        timeout=30000)
    button.click()
    page.get_by_text("Đã lưu: 9 thay đổi").first.wait_for(timeout=90000)
    s = open_store(db)
    try:
        assert set(s.assessments(2025)) == {code for _, _, code, _ in DATA}
        assert s.revisions()[0].source == "bao-cao-tcvn3.xlsx"
    finally:
        s.close()
    assert not list(Path(tmp).glob("tq-upload-*"))
