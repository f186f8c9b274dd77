"""Accounts, roles, argon2 hashes, lock-out, the users CLI, and the Streamlit login gate (AppTest),
all on real SQLite files in tmp_path."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from geo import audit, auth
from geo.paths import REPO_ROOT
from geo.store import open_store
from tests.app_pages import gate_app

PW = "mat-khau-du-dai-2025"
T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "app.db"
    open_store(path).close()
    return path


def _hashes(db) -> list[str]:
    with sqlite3.connect(db) as c:
        return [r[0] for r in c.execute("SELECT password_hash FROM users")]


# --- roles -----------------------------------------------------------------------------------


def test_permission_table():
    assert auth.can("viewer", "view") and auth.can("viewer", "export")
    for action in ("import", "edit", "restore", "manage_users", "edit_targets", "view_audit"):
        assert not auth.can("viewer", action)
    assert auth.can("editor", "import") and auth.can("editor", "edit")
    for action in ("restore", "manage_users", "edit_targets", "view_audit"):
        assert not auth.can("editor", action) and auth.can("admin", action)
    assert all(auth.can("admin", a) for a in auth.ACTIONS)
    assert not auth.can(None, "view") and not auth.can("root", "view")
    # each role has everything the previous one has
    assert auth.PERMISSIONS["viewer"] < auth.PERMISSIONS["editor"] < auth.PERMISSIONS["admin"]
    with pytest.raises(ValueError, match="không có trong bảng phân quyền"):
        auth.can("admin", "delete_everything")
    assert not auth.CurrentUser("v", "viewer", "password").can("import")


def test_session_expired():
    assert not auth.session_expired(T0, T0 + dt.timedelta(minutes=29, seconds=59), 30)
    assert auth.session_expired(T0, T0 + dt.timedelta(minutes=30), 30)
    assert auth.session_expired(None, T0, 30)
    naive = dt.datetime(2026, 3, 1, 8, 0)  # naive datetimes are read as UTC
    assert not auth.session_expired(naive, T0 + dt.timedelta(minutes=5), 30)


# --- accounts --------------------------------------------------------------------------------


def test_add_user_stores_argon2id_hash_never_the_password(db):
    u = auth.add_user(db, "Lan.PC04", PW, "editor", by="test")
    assert (u.name, u.role, u.disabled) == ("lan.pc04", "editor", False)
    [h] = _hashes(db)
    assert h.startswith("$argon2id$") and PW not in h
    raw = b"".join(p.read_bytes() for p in db.parent.glob("app.db*"))
    assert PW.encode() not in raw  # not in the DB file nor its WAL
    assert not hasattr(u, "password_hash") and PW not in repr(u)
    assert [x.name for x in auth.list_users(db)] == ["lan.pc04"]


@pytest.mark.parametrize("name,password,role,msg", [
    ("lan", "ngan", "viewer", "ít nhất 10 ký tự"),
    ("lan", "aaaaaaaaaaaa", "viewer", "quá ít ký tự khác nhau"),
    ("nguyenvan", "nguyenvan-2025", "viewer", "không được chứa tên đăng nhập"),
    ("lan", PW, "superuser", "Vai trò “superuser” không hợp lệ"),
    ("a b", PW, "viewer", "Tên đăng nhập “a b” không hợp lệ"),
    ("'; DROP TABLE users; --", PW, "viewer", "không hợp lệ"),
])
def test_add_user_refusals_write_nothing(db, name, password, role, msg):
    auth.add_user(db, "admin1", PW, "admin", by="test")
    before = db.read_bytes(), audit.entries(db)
    with pytest.raises(auth.AuthError, match=msg):
        auth.add_user(db, name, password, role, by="test")
    assert [u.name for u in auth.list_users(db)] == ["admin1"]
    assert audit.entries(db) == before[1]


def test_duplicate_name_refused(db):
    auth.add_user(db, "lan", PW, "viewer", by="test")
    with pytest.raises(auth.AuthError, match="đã tồn tại"):
        auth.add_user(db, "LAN", PW + "x", "admin", by="test")
    assert auth.get_user(db, "lan").role == "viewer"


def test_set_role_disable_set_password(db):
    auth.add_user(db, "lan", PW, "viewer", by="admin")
    assert auth.set_role(db, "lan", "editor", by="admin").role == "editor"
    assert auth.authenticate(db, "lan", PW).ok
    auth.disable_user(db, "lan", by="admin")
    res = auth.authenticate(db, "lan", PW)
    assert not res.ok and res.reason == "disabled" and res.message == auth.MSG_BAD
    auth.set_disabled(db, "lan", False, by="admin")
    assert auth.authenticate(db, "lan", PW).ok
    auth.set_password(db, "lan", "mot-mat-khau-moi-khac", by="admin")
    assert not auth.authenticate(db, "lan", PW).ok
    assert auth.authenticate(db, "lan", "mot-mat-khau-moi-khac").ok
    with pytest.raises(auth.AuthError, match="Không có người dùng"):
        auth.set_role(db, "ghost", "admin", by="admin")
    actions = [e.action for e in reversed(audit.entries(db))]
    assert actions[:4] == ["user_add", "user_change", "login", "user_change"]
    assert actions.count("user_change") == 4


# --- login and lock-out ------------------------------------------------------------------------


def test_authenticate_ok_and_wrong(db):
    auth.add_user(db, "lan", PW, "editor", by="test")
    ok = auth.authenticate(db, " LAN ", PW, now=T0)
    assert ok.ok and ok.user.role == "editor" and ok.user.last_login == audit.iso(T0)
    bad = auth.authenticate(db, "lan", PW + "!", now=T0)
    unknown = auth.authenticate(db, "nobody", PW, now=T0)
    assert not bad.ok and not unknown.ok
    assert bad.message == unknown.message == auth.MSG_BAD  # no hint whether the account exists
    assert not auth.authenticate(db, "lan", "", now=T0).ok
    assert not auth.authenticate(db, "lan", PW + "x" * 1000, now=T0).ok


def test_five_failures_lock_then_unlock_after_window(db):
    auth.add_user(db, "lan", PW, "editor", by="test")
    for i in range(4):
        r = auth.authenticate(db, "lan", "sai-mat-khau-roi", now=T0 + dt.timedelta(minutes=i))
        assert not r.ok and not r.locked
    r5 = auth.authenticate(db, "lan", "sai-mat-khau-roi", now=T0 + dt.timedelta(minutes=4))
    assert r5.locked and "bị khoá" in r5.message
    until = T0 + dt.timedelta(minutes=4) + auth.LOCK_FOR
    assert r5.locked_until == until
    # the right password while locked: the same locked answer, nothing revealed
    during = auth.authenticate(db, "lan", PW, now=until - dt.timedelta(seconds=1))
    wrong_during = auth.authenticate(db, "lan", "sai-mat-khau-roi", now=until - dt.timedelta(seconds=1))
    assert not during.ok and during.locked and during.message == wrong_during.message
    assert "Tài khoản tạm thời bị khoá" in during.message and "mật khẩu đúng" not in during.message
    assert auth.lock_state(db, "lan", now=until - dt.timedelta(seconds=1)) == until
    assert auth.lock_state(db, "lan", now=until) is None
    after = auth.authenticate(db, "lan", PW, now=until)
    assert after.ok


def test_failures_outside_window_do_not_lock(db):
    auth.add_user(db, "lan", PW, "editor", by="test")
    for i in range(8):  # one failure every 4 minutes: never 5 within 15 minutes of the first
        r = auth.authenticate(db, "lan", "sai-mat-khau-roi", now=T0 + dt.timedelta(minutes=4 * i))
        assert not r.locked, i
    assert auth.authenticate(db, "lan", PW, now=T0 + dt.timedelta(minutes=40)).ok


def test_success_resets_failures(db):
    auth.add_user(db, "lan", PW, "editor", by="test")
    for i in range(4):
        auth.authenticate(db, "lan", "sai-mat-khau-roi", now=T0)
    assert auth.authenticate(db, "lan", PW, now=T0).ok
    for i in range(4):
        assert not auth.authenticate(db, "lan", "sai-mat-khau-roi", now=T0).locked


def test_unknown_names_lock_too(db):
    """Lock-out does not reveal which names exist: an unknown name locks the same way."""
    results = [auth.authenticate(db, "khong-ton-tai", "sai-mat-khau-roi", now=T0) for _ in range(5)]
    assert results[-1].locked and not any(r.locked for r in results[:-1])


def test_disabled_user_cannot_log_in(db):
    auth.add_user(db, "lan", PW, "admin", by="test")
    auth.disable_user(db, "lan", by="test")
    r = auth.authenticate(db, "lan", PW)
    assert not r.ok and r.user is None and r.message == auth.MSG_BAD


def test_login_audit_entries(db):
    auth.add_user(db, "lan", PW, "editor", by="test")
    auth.authenticate(db, "lan", "sai-mat-khau-roi", now=T0)
    auth.authenticate(db, "lan", PW, now=T0)
    e = audit.entries(db)
    assert [x.action for x in e[:2]] == ["login", "login_failed"]
    assert e[1].detail["reason"] == "bad_password" and e[0].user == "lan"
    assert all(PW not in repr(x) and "sai-mat-khau-roi" not in repr(x) for x in e)


def test_has_real_data(db):
    from geo.model import Assessment

    assert not auth.has_real_data(db)
    with open_store(db) as s:
        s.upsert_assessments(2025, [Assessment(code="00694", year=2025)], user="t", reason="thử",
                             demo=True)
        assert not auth.has_real_data(s)
        s.upsert_assessments(2025, [Assessment(code="00694", year=2025, note="x")], user="t", reason="thật")
        assert auth.has_real_data(s)


# --- CLI ---------------------------------------------------------------------------------------


def _cli(db, *args, stdin=""):
    env = {**os.environ, "TQMAP_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO_ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_cli_users(tmp_path):
    db = tmp_path / "cli.db"
    weak = _cli(db, "users", "add", "lan", "--role", "admin", "--password-stdin", stdin="ngan\n")
    assert weak.returncode == 1 and "quá yếu" in weak.stderr and "10 ký tự" in weak.stderr
    r = _cli(db, "users", "add", "lan", "--role", "admin", "--password-stdin", stdin=PW + "\n")
    assert r.returncode == 0, r.stderr
    assert "Đã thêm người dùng lan (admin)" in r.stdout and PW not in r.stdout + r.stderr
    assert auth.authenticate(db, "lan", PW).ok
    assert _hashes(db)[0].startswith("$argon2id$")
    r = _cli(db, "users", "add", "thu", "--role", "viewer", "--password-stdin", stdin=PW + "-thu\n")
    assert r.returncode == 0
    r = _cli(db, "users", "set-role", "thu", "editor")
    assert r.returncode == 0 and auth.get_user(db, "thu").role == "editor"
    r = _cli(db, "users", "disable", "thu")
    assert r.returncode == 0 and auth.get_user(db, "thu").disabled
    r = _cli(db, "users", "list")
    assert "lan\tadmin\thoạt động" in r.stdout and "thu\teditor\tVÔ HIỆU" in r.stdout
    r = _cli(db, "users", "disable", "ghost")
    assert r.returncode == 1 and "Không có người dùng" in r.stderr
    out = tmp_path / "audit.csv"
    r = _cli(db, "audit", "export", "--out", str(out))
    assert r.returncode == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "user_add" in text and "user_change" in text and "login" in text and PW not in text


# --- Streamlit login gate (AppTest) -----------------------------------------------------------

SCRIPT = """
from geo.config import load_config
from ui.auth import require_login, logout_button
import streamlit as st

user = require_login(load_config())
logout_button(user)
st.write("SECRET DATA")
st.write(f"role={user.role}")
"""


@pytest.fixture()
def app_env(tmp_path, monkeypatch):
    return gate_app(tmp_path, monkeypatch, SCRIPT, PW)


def _texts(at) -> str:
    parts = []
    for kind in ("markdown", "title", "caption", "error", "warning", "info", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def _app(script):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(script), default_timeout=30)


def _login(at, name, password):
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def test_gate_logged_out_sees_no_data(app_env):
    _, script = app_env
    at = _app(script).run()
    assert not at.exception
    assert "SECRET DATA" not in _texts(at)
    assert [t.label for t in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]
    assert at.text_input[1].proto.type == at.text_input[1].proto.PASSWORD


def test_gate_correct_password_shows_data_and_audits(app_env):
    db, script = app_env
    at = _login(_app(script).run(), "lan", PW)
    assert not at.exception
    assert "SECRET DATA" in _texts(at) and "role=editor" in _texts(at)
    inner = at.session_state._state._state  # the server-side SessionState (internal, read only)
    assert PW not in repr([inner._old_state, inner._new_session_state, inner._new_widget_state])
    assert audit.entries(db, action="login")[0].user == "lan"
    # log out: data gone, logout audited
    at.sidebar.button[0].click()
    at.run()
    assert "SECRET DATA" not in _texts(at)
    assert audit.entries(db, action="logout")[0].user == "lan"


def test_gate_wrong_passwords_lock(app_env):
    db, script = app_env
    at = _app(script).run()
    for _ in range(4):
        at = _login(at, "lan", "sai-mat-khau-roi")
        assert auth.MSG_BAD in _texts(at) and "SECRET DATA" not in _texts(at)
    at = _login(at, "lan", "sai-mat-khau-roi")
    assert "Tài khoản tạm thời bị khoá" in _texts(at)
    at = _login(at, "lan", PW)  # right password, still locked: same message, no data
    assert "Tài khoản tạm thời bị khoá" in _texts(at) and "SECRET DATA" not in _texts(at)
    assert len(audit.entries(db, action="login_failed")) == 6


def test_gate_session_timeout_logs_out(app_env):
    db, script = app_env
    at = _login(_app(script).run(), "lan", PW)
    assert "SECRET DATA" in _texts(at)
    at.session_state["tq_auth"]["last_seen"] = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=31)
    at.run()
    assert "SECRET DATA" not in _texts(at) and "Phiên làm việc đã hết hạn" in _texts(at)
    assert "không hoạt động" in audit.entries(db, action="logout")[0].what


def test_gate_disabled_while_logged_in(app_env):
    db, script = app_env
    at = _login(_app(script).run(), "lan", PW)
    auth.disable_user(db, "lan", by="admin")
    at.run()
    assert "SECRET DATA" not in _texts(at)


def test_gate_public_demo(app_env, monkeypatch):
    db, script = app_env
    monkeypatch.setenv("TQMAP_PUBLIC_DEMO", "1")
    at = _app(script).run()
    assert not at.exception
    assert "Chế độ trình diễn công khai — không đăng nhập" in _texts(at)
    assert "SECRET DATA" in _texts(at) and "role=viewer" in _texts(at)
    # real (non-demo) data in the store: public demo refused
    from geo.model import Assessment

    with open_store(db) as s:
        s.upsert_assessments(2025, [Assessment(code="00694", year=2025)], user="t", reason="số liệu thật")
    at = _app(script).run()
    assert "SECRET DATA" not in _texts(at) and "chỉ được dùng với DỮ LIỆU MINH HỌA" in _texts(at)


def test_require_role_stops_viewer(tmp_path, monkeypatch):
    script = tmp_path / "page.py"
    script.write_text(textwrap.dedent("""
        import streamlit as st
        from geo.auth import CurrentUser
        from ui.auth import require_role
        role = st.session_state.get("role", "viewer")
        require_role(CurrentUser("u", role, "password"), "import")
        st.write("IMPORT FORM")
    """), encoding="utf-8")
    at = _app(script).run()
    assert "Bạn không có quyền nhập dữ liệu" in _texts(at) and "IMPORT FORM" not in _texts(at)
    at = _app(script)
    at.session_state["role"] = "editor"
    at.run()
    assert "IMPORT FORM" in _texts(at)


def _oidc_secrets(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(textwrap.dedent("""
        [auth]
        redirect_uri = "http://localhost:8501/oauth2callback"
        cookie_secret = "0123456789abcdef0123456789abcdef-secret"
        client_id = "tqmap"
        client_secret = "s"
        server_metadata_url = "https://idp.example.vn/.well-known/openid-configuration"
    """), encoding="utf-8")
    monkeypatch.setenv("TQMAP_SECRETS", str(secrets))


def test_gate_oidc_without_authlib_shows_no_data(app_env, tmp_path, monkeypatch):
    """OIDC configured but Streamlit's auth extra (Authlib) missing: a clear message, never the data."""
    import ui.auth

    _, script = app_env
    _oidc_secrets(tmp_path, monkeypatch)
    monkeypatch.setattr(ui.auth, "oidc_available", lambda: False)  # as on a machine without Authlib
    at = _app(script).run()
    assert "thiếu gói Authlib" in _texts(at) and "SECRET DATA" not in _texts(at)


def test_gate_oidc_logged_out_visitor_gets_the_sign_in_button_only(app_env, tmp_path, monkeypatch):
    """With Authlib (a pinned requirement) and [auth] configured, st.login is offered; no data."""
    from geo.config import oidc_available

    assert oidc_available()
    _, script = app_env
    _oidc_secrets(tmp_path, monkeypatch)
    at = _app(script).run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Đăng nhập bằng tài khoản cơ quan"]
    assert "SECRET DATA" not in _texts(at)


SCRIPT_DL = """
from geo.config import load_config
from streamlit.runtime.scriptrunner import get_script_run_ctx
from ui import downloads
from ui.auth import require_login, logout_button
import streamlit as st

user = require_login(load_config())
logout_button(user)
downloads.REGISTRY.offer("tok-logout-aaaaaaaaaaaa", session_id=get_script_run_ctx().session_id, user=user.name,
                         store=None, lang="vi",
                         offers=[downloads.Offer("html-1", "HTML", "ban-do.html", "text/html", "HTML", lambda p: b"x")])
st.write("OFFERED")
"""


@pytest.mark.parametrize("how", ["logout", "timeout"])
def test_logout_and_timeout_end_the_sessions_downloads(tmp_path, monkeypatch, how):
    """The files a session's pages offered (ui/downloads.py) can no longer be fetched once that
    session logs out or times out, even from an address copied before."""
    from ui import downloads

    _, script = gate_app(tmp_path, monkeypatch, SCRIPT_DL, PW)
    at = _login(_app(script).run(), "lan", PW)
    assert "OFFERED" in _texts(at)
    assert downloads.REGISTRY.find("tok-logout-aaaaaaaaaaaa", "html-1")[1].name == "ban-do.html"
    if how == "logout":
        at.sidebar.button[0].click()
    else:
        at.session_state["tq_auth"]["last_seen"] = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=31)
    at.run()
    assert "OFFERED" not in _texts(at)
    with pytest.raises(downloads.DownloadError) as e:
        downloads.REGISTRY.find("tok-logout-aaaaaaaaaaaa", "html-1")
    assert e.value.status == 404
