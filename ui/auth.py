"""Streamlit side of access control. In app.py, before ``st.navigation``::

    from ui.auth import load_config_or_stop, require_login, logout_button
    cfg = load_config_or_stop()
    user = require_login(cfg, store)     # returns a CurrentUser, or st.stop()s (nothing below renders)
    logout_button(user)
    # show a page only if user.can("import") …

and at the top of a restricted page: ``require_role(user, "import")``.

Three modes, chosen by the configuration (geo/config.py):
  * public demo (TQMAP_PUBLIC_DEMO=1): no login, an anonymous viewer, a notice on every page;
    refused when the store holds data not flagged as demo;
  * OIDC (``[auth]`` in secrets.toml): ``st.login``/``st.user``, role from ``[tqmap.roles]``;
  * otherwise a username/password form checked by ``geo.auth.authenticate`` (argon2, lock-out).
Logins, failed logins and logouts go to the audit trail. The password never enters session state.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo import audit, auth
from geo.auth import CurrentUser
from geo.config import Config, ConfigError, load_config, oidc_available

SESSION_KEY = "tq_auth"  # {"name", "role", "source", "display", "last_seen"}
NOTICE_KEY = "tq_auth_notice"
DEMO_NOTICE = "Chế độ trình diễn công khai — không đăng nhập. Chỉ dùng DỮ LIỆU MINH HỌA."
DEMO_USER = CurrentUser(name="khách", role="viewer", source="demo", display="Khách (trình diễn công khai)")


def load_config_or_stop() -> Config:
    """``geo.config.load_config()``; a bad value is shown (in Vietnamese) and the script stops."""
    try:
        return load_config()
    except ConfigError as exc:
        st.error(f"Cấu hình không hợp lệ: {exc}")
        st.stop()
        raise  # unreachable: st.stop() raises


def _now(now: dt.datetime | None) -> dt.datetime:
    return audit.utc(now)


def _end_session(store, what: str, notice: str | None = None) -> None:
    s = st.session_state.pop(SESSION_KEY, None)
    if s:
        audit.record(store, s["name"], "logout", what, {"source": s.get("source")})
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _current(store, cfg: Config, now: dt.datetime) -> CurrentUser | None:
    """The logged-in user of this browser session, after the idle-timeout and account checks."""
    s = st.session_state.get(SESSION_KEY)
    if not s:
        return None
    if auth.session_expired(s.get("last_seen"), now, cfg.session_timeout_minutes):
        _end_session(store, f"Tự động đăng xuất sau {cfg.session_timeout_minutes} phút không hoạt động",
                     f"Phiên làm việc đã hết hạn sau {cfg.session_timeout_minutes} phút không hoạt động. "
                     "Hãy đăng nhập lại.")
        return None
    if s.get("source") == "password":
        u = auth.get_user(store, s["name"])
        if u is None or u.disabled:  # disabled or deleted since login: out now
            _end_session(store, "Đăng xuất: tài khoản không còn hiệu lực", "Tài khoản không còn hiệu lực.")
            return None
        s["role"] = u.role  # a role change applies at once
    s["last_seen"] = now
    return CurrentUser(s["name"], s["role"], s["source"], s.get("display", ""))


def _start_session(user: CurrentUser, now: dt.datetime) -> None:
    st.session_state[SESSION_KEY] = {"name": user.name, "role": user.role, "source": user.source,
                                     "display": user.display, "last_seen": now}
    st.session_state.pop(NOTICE_KEY, None)


def _password_login(store, now: dt.datetime) -> None:
    st.title("Đăng nhập")
    st.caption("Bản đồ chương trình xã không ma túy — tỉnh Tuyên Quang. Chỉ dành cho người được cấp tài khoản.")
    notice = st.session_state.get(NOTICE_KEY)
    if notice:
        st.info(notice)
    with st.form("tq_login", clear_on_submit=True):
        # explicit keys: the form keeps its identity even when the first run after a server start
        # (Streamlit's legacy pages/ mode) and the next one are run differently
        name = st.text_input("Tên đăng nhập", max_chars=64, key="tq_login_name")
        password = st.text_input("Mật khẩu", type="password", max_chars=auth.MAX_PASSWORD, key="tq_login_pw")
        submitted = st.form_submit_button("Đăng nhập", type="primary", key="tq_login_go")
    if not submitted:
        return
    if not name.strip() or not password:
        st.error("Hãy nhập tên đăng nhập và mật khẩu.")
        return
    res = auth.authenticate(store, name, password, now=now)  # writes login / login_failed to the audit
    del password
    if res.ok and res.user:
        _start_session(CurrentUser(res.user.name, res.user.role, "password", res.user.name), now)
        st.rerun()
    st.error(res.message)


def _oidc_login(cfg: Config, store, now: dt.datetime) -> CurrentUser | None:
    if not oidc_available():
        st.error("Đăng nhập OIDC đã được cấu hình ([auth] trong secrets.toml) nhưng thiếu gói Authlib. "
                 "Quản trị viên hãy cài: pip install \"streamlit[auth]\".")
        st.stop()
    args = (cfg.oidc.provider,) if cfg.oidc and cfg.oidc.provider else ()
    if not st.user.get("is_logged_in", False):  # absent when no identity cookie exists yet
        st.session_state.pop(SESSION_KEY, None)
        st.title("Đăng nhập")
        notice = st.session_state.get(NOTICE_KEY)
        if notice:
            st.info(notice)
        st.button("Đăng nhập bằng tài khoản cơ quan", type="primary", on_click=st.login, args=args)
        return None
    verified = st.user.get("email_verified", True) is not False
    email = str(st.user.get("email") or "").strip().lower() if verified else ""
    groups = st.user.get("groups") or []
    groups = [groups] if isinstance(groups, str) else list(groups)
    role = cfg.role_for(email, groups)
    who = email or str(st.user.get("sub") or "oidc")
    if role is None:
        st.error(f"Tài khoản {who} chưa được cấp quyền truy cập. Hãy liên hệ quản trị viên.")
        st.button("Đăng xuất", on_click=st.logout)
        return None
    s = st.session_state.get(SESSION_KEY)
    if s and s.get("name") == who:
        user = _current(store, cfg, now)
        if user is None:  # idle timeout: drop Streamlit's identity cookie as well
            st.logout()
        return user
    user = CurrentUser(who, role, "oidc", str(st.user.get("name") or who))
    audit.record(store, who, "login", "Đăng nhập bằng OIDC", {"role": role})
    _start_session(user, now)
    return user


def _stop(before_stop) -> None:
    if before_stop is not None:
        before_stop()
    st.stop()


def require_login(cfg: Config | None = None, store=None, *, now: dt.datetime | None = None,
                  before_stop=None, draw_in=None) -> CurrentUser:
    """The current user, or show the login screen and ``st.stop()`` (a visitor sees no data).

    ``store``: the SQLiteStore (or its path); default ``$TQMAP_DB``. ``now``: for tests.
    ``before_stop``: called (after the login screen is drawn) just before stopping.
    ``draw_in(fn)``: runs ``fn`` (which draws the password form) where the caller wants it; the
    router draws it as the page the URL names, so the form keeps its identity between the first
    run after a server start and the next (Streamlit derives widget ids from the running page)."""
    cfg = cfg or load_config_or_stop()
    now = _now(now)
    if cfg.public_demo:
        if auth.has_real_data(store):
            st.error("Chế độ trình diễn công khai (TQMAP_PUBLIC_DEMO=1) chỉ được dùng với DỮ LIỆU MINH HỌA, "
                     "nhưng kho dữ liệu đang có số liệu thật. Hãy tắt chế độ này để bắt buộc đăng nhập.")
            _stop(before_stop)
        st.warning(DEMO_NOTICE, icon=":material/public:")
        return DEMO_USER
    if cfg.oidc:
        user = _oidc_login(cfg, store, now)
    else:
        user = _current(store, cfg, now)
        if user is None:
            (draw_in or (lambda fn: fn()))(lambda: _password_login(store, now))
    if user is None:
        _stop(before_stop)
    return user  # type: ignore[return-value]


def logout_button(user: CurrentUser | None, store=None) -> None:
    """In the sidebar: who is logged in and an “Đăng xuất” button (nothing for the public demo)."""
    if user is None or user.source == "demo":
        return
    st.sidebar.caption(f"Đăng nhập: {user.label}")
    if st.sidebar.button("Đăng xuất", key="tq_logout"):
        _end_session(store, "Đăng xuất", "Bạn đã đăng xuất.")
        if user.source == "oidc":
            st.logout()
        st.rerun()


def require_role(user: CurrentUser | None, action: str) -> None:
    """Stop the page with “Bạn không có quyền …” unless ``user`` may do ``action`` (geo.auth.ACTIONS)."""
    if user is not None and user.can(action):
        return
    role = auth.ROLE_LABELS.get(user.role, user.role) if user else "chưa đăng nhập"
    st.error(f"Bạn không có quyền {auth.ACTION_LABELS[action]} (vai trò hiện tại: {role}).")
    st.stop()


__all__ = ["require_login", "logout_button", "require_role", "load_config_or_stop", "DEMO_NOTICE", "DEMO_USER"]
