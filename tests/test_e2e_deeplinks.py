"""Deep links survive the login (issue 15 item 10): a bookmarked URL with its page and parameters
opens, after the login screen, exactly that page with those parameters; and a page opened at its
own path asks the server where it is once, at the root (ui/hints.py). Real server (started as
`make run` does: python -m ui.serve), Chromium."""

from __future__ import annotations

import shutil

import pytest

from geo import auth
from geo.store import open_store
from tests.conftest import StreamlitServer, real_console_errors
from ui.hints import hint_script, page_paths

PASSWORD = "mat-khau-dai-123"


@pytest.fixture(scope="module")
def login_server(demo_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("deeplinks") / "app.db"
    shutil.copyfile(demo_db, path)
    s = open_store(path)
    auth.add_user(s, "xem", PASSWORD, "viewer", by="test")
    s.close()
    srv = StreamlitServer({"TQMAP_DB": str(path), "TQMAP_PUBLIC_DEMO": "0"},
                          tmp_path_factory.mktemp("deeplinks-log") / "st.log", serve=True)
    srv.db = path
    yield srv
    srv.stop()


def _login(pg, name_label="Tên đăng nhập", pw_label="Mật khẩu", button="Đăng nhập"):
    pg.get_by_label(name_label).wait_for(timeout=90000)
    pg.get_by_label(name_label).fill("xem")
    pg.get_by_label(pw_label, exact=True).fill(PASSWORD)
    pg.get_by_role("button", name=button).click()


def _input_value(pg, label: str, starts: str) -> None:
    pg.wait_for_function("([l, s]) => (document.querySelector(`input[aria-label=\"${l}\"]`) || {}).value"
                         "?.startsWith(s)", arg=[label, starts], timeout=60000)


@pytest.mark.parametrize("path,heading", [
    ("tien_do", "Tiến độ xây dựng xã không ma túy đến 2030"),
    ("ho_so_xa?xa=02269", "Xã Thượng Lâm"),
    ("tuyen?tuyen=QL2&nam=2026", "Tuyến trọng điểm phức tạp về ma túy"),
    ("?nam=2026", "Bản đồ xã không ma túy tỉnh Tuyên Quang"),
])
def test_deep_link_survives_login(login_server, page, path, heading):
    page.goto(f"{login_server.url}/{path}")
    _login(page)
    page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=90000)
    assert "Đăng nhập: xem" in page.inner_text("body")
    if "nam=2026" in path:  # the sidebar's year control (livemap.year_select: a native select)
        page.wait_for_function("() => (document.querySelector('.tq-year select') || {}).value === '2026'",
                               timeout=60000)
        assert page.get_by_label("Năm", exact=True).input_value() == "2026"
    if not path.startswith("?"):
        assert page.url.split("?")[0].endswith("/" + path.split("?")[0])
    if path.startswith("tuyen"):
        _input_value(page, "Chọn tuyến", "Tuyến Quốc lộ 2 (")
        assert "tuyen=QL2" in page.url
    if path.startswith("ho_so_xa"):
        assert "xa=02269" in page.url
    if path == "?nam=2026":
        page.wait_for_selector(".tq-strip", timeout=60000)
        assert "44/124" in page.inner_text(".tq-strip")  # 2026's figures, not 2025's
    assert page.get_by_role("dialog").count() == 0
    assert real_console_errors(page) == []


def test_english_deep_link_logs_in_in_english(login_server, page):
    page.goto(f"{login_server.url}/xa_trong_diem?lang=en")
    page.get_by_role("heading", name="Log in").first.wait_for(timeout=90000)
    _login(page, "User name", "Password", "Log in")
    page.get_by_role("heading", name="Key communes with a complex drug situation").first.wait_for(timeout=90000)
    page.get_by_role("button", name="Log out").wait_for(timeout=60000)
    body = page.inner_text("body")
    assert "Logged in: xem (Viewer)" in body
    assert "Đăng nhập" not in body and "Đăng xuất" not in body
    assert page.url.split("?")[0].endswith("/xa_trong_diem")


def test_wrong_password_in_english(login_server, page):
    page.goto(f"{login_server.url}/tien_do?lang=en")
    page.get_by_label("User name").wait_for(timeout=90000)
    page.get_by_label("User name").fill("xem")
    page.get_by_label("Password", exact=True).fill("sai-mat-khau-roi")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Wrong user name or password.").wait_for(timeout=60000)
    assert page.url.split("?")[0].endswith("/tien_do")


def _failed_clients(db) -> list:
    from geo import audit

    return [e.detail.get("client") for e in audit.entries(db, action="login_failed", user="xem")]


def test_login_passes_the_client_address(login_server, browser):
    """The per-address throttle gets the browser's address: behind a trusted proxy (uvicorn trusts
    127.0.0.1 by default) the X-Forwarded-For address; a direct loopback connection gives None."""
    db = login_server.db
    ctx = browser.new_context(extra_http_headers={"X-Forwarded-For": "203.0.113.9"})
    pg = ctx.new_page()
    try:
        pg.goto(f"{login_server.url}/tien_do")
        pg.get_by_label("Tên đăng nhập").wait_for(timeout=90000)
        pg.get_by_label("Tên đăng nhập").fill("xem")
        pg.get_by_label("Mật khẩu", exact=True).fill("sai-mat-khau-roi")
        pg.get_by_role("button", name="Đăng nhập").click()
        pg.get_by_text("Sai tên đăng nhập hoặc mật khẩu.").wait_for(timeout=60000)
    finally:
        ctx.close()
    assert _failed_clients(db)[0] == "203.0.113.9"


HEALTH_JS = ("() => performance.getEntriesByType('resource').map(e => e.name)"
             ".filter(n => n.includes('/_stcore/health')).map(n => new URL(n).pathname)")


@pytest.mark.parametrize("path,heading", [
    ("ho_so_xa?xa=02269", "Xã Thượng Lâm"),
    ("tuyen", "Tuyến trọng điểm phức tạp về ma túy"),
])
def test_a_page_opened_at_its_path_asks_for_the_server_once_at_the_root(streamlit_server, page, path, heading):
    """Without ui/hints.py Streamlit asks /<page>/_stcore/health first (404), waits 100 ms, then
    the root's: this test then sees two requests."""
    page.goto(f"{streamlit_server.url}/{path}")
    page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=90000)
    assert page.evaluate(HEALTH_JS) == ["/_stcore/health"]
    assert page.evaluate("() => window.__streamlit.BACKEND_BASE_URL") == streamlit_server.url + "/"
    # the page works from there: the menu leads to the overview, whose map is drawn
    page.locator('[data-testid="stSidebarNav"] a', has_text="Tổng quan").first.click()
    page.get_by_role("heading", name="Bản đồ xã không ma túy tỉnh Tuyên Quang", exact=True).first.wait_for(timeout=90000)
    page.wait_for_function("() => document.querySelectorAll('.tq-live path.leaflet-interactive').length >= 124",
                           timeout=90000)
    assert page.evaluate(HEALTH_JS) == ["/_stcore/health"]
    assert real_console_errors(page) == []


def test_the_overview_at_the_root_is_left_to_streamlit(streamlit_server, page):
    page.goto(streamlit_server.url + "/")
    page.get_by_role("heading", name="Bản đồ xã không ma túy tỉnh Tuyên Quang", exact=True).first.wait_for(timeout=90000)
    assert page.evaluate("() => window.__streamlit === undefined")
    assert page.evaluate(HEALTH_JS) == ["/_stcore/health"]


@pytest.mark.parametrize("pathname,base", [
    ("/tuyen", "https://tq.example/"),
    ("/tuyen/", "https://tq.example/"),
    ("/ho_so_xa", "https://tq.example/"),
    ("/tqmap/tuyen", "https://tq.example/tqmap/"),  # behind a proxy that adds a prefix
    ("/a/b/tien_do", "https://tq.example/a/b/"),
    ("/", None),  # the root: Streamlit finds it on its own
    ("/tqmap/", None),  # not a page's path: left to Streamlit's own search
    ("/tqmap/khong_co", None),
    ("/tuyenx", None),
    ("/%E0%A4%A", None),  # a malformed %-escape: left to Streamlit, no error
])
def test_the_hint_takes_only_a_page_path_off_the_url(page, pathname, base):
    """The script itself (ui/hints.hint_script), run in Chromium on made-up addresses."""
    js = hint_script(page_paths()).decode()[len("<script>"):-len("</script>")]
    got = page.evaluate("""([js, pathname]) => {
        const win = {}, loc = {pathname: pathname, origin: "https://tq.example"};
        new Function("location", "window", js)(loc, win);
        return win.__streamlit ? win.__streamlit.BACKEND_BASE_URL : null; }""", [js, pathname])
    assert got == base


EARLY_JS = "() => Array.from(document.querySelectorAll('link[data-tq-early]')).map(l => new URL(l.href).pathname)"
REQUESTS_JS = "() => performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)"
DRAWN_JS = "() => document.querySelectorAll('.tq-live path.leaflet-interactive').length >= 124"


def test_a_map_page_fetches_its_maps_files_early_and_uses_them(streamlit_server, page):
    """ui/hints.py: once Streamlit's page has loaded, the browser fetches the map's module, Leaflet,
    the decoder and the geometry files the page's map last showed; the map then uses those very
    responses (a file fetched as the map does not ask for it, e.g. a wrong ``as``, is fetched twice)."""
    import livemap

    page.goto(streamlit_server.url + "/")  # a first visit: the server notes the map's files
    page.wait_for_function(DRAWN_JS, timeout=90000)
    page.reload()
    page.wait_for_function(DRAWN_JS, timeout=90000)
    early = page.evaluate(EARLY_JS)
    assert {u for urls in livemap.PRELOAD.values() for u in urls} <= set(early)
    geo = [u for u in early if "/tq-geo/" in u]
    asked = page.evaluate(REQUESTS_JS)
    assert geo and set(geo) == {u for u in asked if "/tq-geo/" in u}  # the map's very files
    assert [u for u in early if asked.count(u) != 1] == []  # each fetched once: the map used them
    assert real_console_errors(page) == []
    page.goto(streamlit_server.url + "/nguon_du_lieu")  # a page without a map: nothing fetched early
    page.get_by_role("heading", level=1).first.wait_for(timeout=90000)
    assert page.evaluate(EARLY_JS) == []
