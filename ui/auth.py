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
Every text on screen comes from geo.i18n (the sidebar's language switch); audit entries stay in
Vietnamese (they are the office's records).

Idle timeout: a login is recorded in the store (``start_session``); each run records activity there
(``touch_session``, at most once a minute) and the store answers whether the session is still alive
by ITS clock — so every app server on one store agrees, and a session ended or timed out by one
server stays ended on all (:func:`_alive_in_store`).

Client address (per-address login throttling in geo.auth): :func:`client_address` passes
``st.context.ip_address`` and the request headers to ``geo.auth.client_address``, which uses
X-Forwarded-For only when the peer is a trusted proxy (TQMAP_TRUSTED_PROXIES, geo.config).
Streamlit serves through uvicorn, which itself substitutes the X-Forwarded-For address for
connections from 127.0.0.1/::1 (uvicorn's FORWARDED_ALLOW_IPS); a client connecting directly
cannot choose its address with that header.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time

import streamlit as st

from geo import audit, auth
from geo.auth import CurrentUser
from geo.config import Config, ConfigError, load_config, oidc_available
from geo.i18n import t as _t

SESSION_KEY = "tq_auth"  # {"name", "role", "source", "display", "last_seen", "sid"}
TOUCH_KEY = "tq_auth_touched"  # time.monotonic() when this server last recorded the session's activity in the store
TOUCH_EVERY_S = 60.0  # at most one store write per session per minute (or a quarter of the timeout)
NOTICE_KEY = "tq_auth_notice"  # an i18n key and its arguments, shown on the login screen
DEMO_NOTICE = _t("auth.demo_notice", "vi")
DEMO_USER = CurrentUser(name="khách", role="viewer", source="demo", display=_t("auth.demo_user", "vi"))


def t(key: str, **kw) -> str:
    """The text of ``key`` in the language chosen in the sidebar (Vietnamese by default)."""
    return _t(key, st.session_state.get("lang", "vi"), **kw)


def client_address() -> str | None:
    """The browser's network address (see the module docstring), None when unknown or loopback."""
    try:
        ip = st.context.ip_address
        headers = st.context.headers
    except Exception:  # no script run context (bare tests)
        return None
    ip = ip if isinstance(ip, str) and ip else None  # (AppTest gives a stand-in object)
    # geo.auth.client_address: X-Forwarded-For only from a trusted proxy (TQMAP_TRUSTED_PROXIES);
    # Streamlit reports a local nginx as None, which alone would put every user in one bucket.
    return auth.client_address(ip, headers if hasattr(headers, "get") else None)


def user_label(user: CurrentUser) -> str:
    who = t("auth.demo_user") if user.source == "demo" else (user.display or user.name)
    return t("auth.logged_in_as", who=who, role=t(f"role.{user.role}"))


def load_config_or_stop() -> Config:
    """``geo.config.load_config()``; a bad value is shown (in Vietnamese) and the script stops."""
    try:
        return load_config()
    except ConfigError as exc:
        st.error(t("auth.bad_config", error=str(exc)))
        st.stop()
        raise  # unreachable: st.stop() raises


def store_or_stop(get_store):
    """``get_store()``; a store the app cannot use (unsupported TQMAP_DB, a PostgreSQL server that
    does not answer or refuses the login) is shown in one Vietnamese line and the script stops —
    never a traceback, never the password (the messages carry the URL without it)."""
    from geo.store import StoreError

    try:
        return get_store()
    except (ConfigError, StoreError) as exc:
        st.error(t("auth.bad_config", error=str(exc)))
        st.stop()
        raise  # unreachable: st.stop() raises


def _now(now: dt.datetime | None) -> dt.datetime:
    return audit.utc(now)


def _sessions(store, method: str, *args, **kw):
    """``store.<method>(…)`` of the shared session table (geo.store: start/touch/end_session); None
    when the store has no such table (another Store implementation)."""
    with audit.use_store(store) as s:
        fn = getattr(s, method, None)
        return None if fn is None else fn(*args, **kw)


def _touch_every(timeout_minutes: float) -> float:
    return min(TOUCH_EVERY_S, timeout_minutes * 60 / 4)


def _alive_in_store(store, s: dict, timeout_minutes: float) -> bool:
    """Record this run's activity in the store and ask it whether the session is still alive: idle
    time is measured by the store's clock from the last activity ANY app server recorded, and a
    session ended or timed out by any server stays ended. Writes at most every ``_touch_every``
    seconds (so the store's idle time can lag this server's by that much, never more)."""
    sid = s.get("sid")
    if not sid:
        return True
    last = st.session_state.get(TOUCH_KEY)
    if last is not None and time.monotonic() - last < _touch_every(timeout_minutes):
        return True
    alive = _sessions(store, "touch_session", sid, s["name"], timeout_minutes=timeout_minutes)
    st.session_state[TOUCH_KEY] = time.monotonic()
    return alive is not False


def _end_session(store, what: str, notice: tuple[str, dict] | None = None) -> None:
    s = st.session_state.pop(SESSION_KEY, None)
    _revoke_downloads()
    st.session_state.pop(TOUCH_KEY, None)
    if s:
        if s.get("sid"):
            _sessions(store, "end_session", s["sid"])
        audit.record(store, s["name"], "logout", what, {"source": s.get("source")})
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _revoke_downloads() -> None:
    """The files this browser session's pages offered (ui/downloads.py) can no longer be fetched."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from ui import downloads

    ctx = get_script_run_ctx()
    if ctx is not None:
        downloads.REGISTRY.revoke(ctx.session_id)


def _show_notice() -> None:
    notice = st.session_state.get(NOTICE_KEY)
    if notice:
        key, kw = notice
        st.info(t(key, **kw))


def _current(store, cfg: Config, now: dt.datetime) -> CurrentUser | None:
    """The logged-in user of this browser session, after the idle-timeout and account checks."""
    s = st.session_state.get(SESSION_KEY)
    if not s:
        return None
    if (auth.session_expired(s.get("last_seen"), now, cfg.session_timeout_minutes)
            or not _alive_in_store(store, s, cfg.session_timeout_minutes)):
        _end_session(store, f"Tự động đăng xuất sau {cfg.session_timeout_minutes} phút không hoạt động",
                     ("auth.expired", {"m": cfg.session_timeout_minutes}))
        return None
    if s.get("source") == "password":
        u = auth.get_user(store, s["name"])
        if u is None or u.disabled:  # disabled or deleted since login: out now
            _end_session(store, "Đăng xuất: tài khoản không còn hiệu lực", ("auth.inactive", {}))
            return None
        s["role"] = u.role  # a role change applies at once
    s["last_seen"] = now
    return CurrentUser(s["name"], s["role"], s["source"], s.get("display", ""))


def _start_session(store, user: CurrentUser, now: dt.datetime) -> None:
    sid = secrets.token_urlsafe(18)  # the store's id of this login (not Streamlit's session id)
    _sessions(store, "start_session", sid, user.name)
    st.session_state[SESSION_KEY] = {"name": user.name, "role": user.role, "source": user.source,
                                     "display": user.display, "last_seen": now, "sid": sid}
    st.session_state[TOUCH_KEY] = time.monotonic()
    st.session_state.pop(NOTICE_KEY, None)


def _password_login(store, now: dt.datetime) -> None:
    st.title(t("auth.title"))
    st.caption(t("auth.caption"))
    _show_notice()
    with st.form("tq_login", clear_on_submit=True):
        # explicit keys (labels change with the language); the router draws the form as the page
        # the URL names, so it keeps its identity from the first run after a server start on
        name = st.text_input(t("auth.name"), max_chars=64, key="tq_login_name")
        password = st.text_input(t("auth.password"), type="password", max_chars=auth.MAX_PASSWORD, key="tq_login_pw")
        submitted = st.form_submit_button(t("auth.go"), type="primary", key="tq_login_go")
    if not submitted:
        return
    if not name.strip() or not password:
        st.error(t("auth.missing"))
        return
    # writes login / login_failed to the audit; throttled per name and per client address
    res = auth.authenticate(store, name, password, client=client_address(), now=now)
    del password
    if res.ok and res.user:
        _start_session(store, CurrentUser(res.user.name, res.user.role, "password", res.user.name), now)
        st.rerun()
    st.error(_failure_text(res))


_FAILURES = {"locked": "auth.fail.locked", "client_locked": "auth.fail.client_locked",
             "name_delay": "auth.fail.name_delay", "busy": "auth.fail.busy"}


def _failure_text(res) -> str:
    """geo.auth's message in Vietnamese (it says until when); the same meaning in English."""
    if st.session_state.get("lang", "vi") == "vi" and res.message:
        return res.message
    return t(_FAILURES.get(res.reason, "auth.fail.bad"))


def _oidc_login(cfg: Config, store, now: dt.datetime) -> CurrentUser | None:
    if not oidc_available():
        st.error(t("auth.oidc_missing"))
        st.stop()
    args = (cfg.oidc.provider,) if cfg.oidc and cfg.oidc.provider else ()
    if not st.user.get("is_logged_in", False):  # absent when no identity cookie exists yet
        st.session_state.pop(SESSION_KEY, None)
        st.title(t("auth.title"))
        _show_notice()
        st.button(t("auth.oidc_go"), type="primary", on_click=st.login, args=args)
        return None
    verified = st.user.get("email_verified", True) is not False
    email = str(st.user.get("email") or "").strip().lower() if verified else ""
    groups = st.user.get("groups") or []
    groups = [groups] if isinstance(groups, str) else list(groups)
    role = cfg.role_for(email, groups)
    who = email or str(st.user.get("sub") or "oidc")
    if role is None:
        st.error(t("auth.oidc_no_role", who=who))
        st.button(t("auth.logout"), on_click=st.logout)
        return None
    s = st.session_state.get(SESSION_KEY)
    if s and s.get("name") == who:
        user = _current(store, cfg, now)
        if user is None:  # idle timeout: drop Streamlit's identity cookie as well
            st.logout()
        return user
    user = CurrentUser(who, role, "oidc", str(st.user.get("name") or who))
    audit.record(store, who, "login", "Đăng nhập bằng OIDC", {"role": role})
    _start_session(store, user, now)
    return user


def _stop(before_stop) -> None:
    if before_stop is not None:
        before_stop()
    st.stop()


def require_login(cfg: Config | None = None, store=None, *, now: dt.datetime | None = None,
                  before_stop=None, draw_in=None, notice: bool = True) -> CurrentUser:
    """The current user, or show the login screen and ``st.stop()`` (a visitor sees no data).

    ``store``: the SQLiteStore (or its path); default ``$TQMAP_DB``. ``now``: for tests.
    ``before_stop``: called (after the login screen is drawn) just before stopping.
    ``draw_in(fn)``: runs ``fn`` (which draws the password form) where the caller wants it; the
    router draws it as the page the URL names, so the form keeps its identity between the first
    run after a server start and the next (Streamlit derives widget ids from the running page).
    ``notice``: draw the public-demo notice here (False: the page's head draws it, the router's
    way: ui.common.page_setup, one element with the page's stylesheet)."""
    cfg = cfg or load_config_or_stop()
    now = _now(now)
    if cfg.public_demo:
        if auth.has_real_data(store):
            st.error(t("auth.demo_refused"))
            _stop(before_stop)
        if notice:
            st.warning(t("auth.demo_notice"), icon=":material/public:")
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
    st.sidebar.caption(user_label(user))
    if st.sidebar.button(t("auth.logout"), key="tq_logout"):
        _end_session(store, "Đăng xuất", ("auth.logged_out", {}))
        if user.source == "oidc":
            st.logout()
        st.rerun()


def require_role(user: CurrentUser | None, action: str) -> None:
    """Stop the page with “Bạn không có quyền …” unless ``user`` may do ``action`` (geo.auth.ACTIONS)."""
    if user is not None and user.can(action):
        return
    role = t(f"role.{user.role}") if user else t("auth.not_logged_in")
    st.error(t("auth.no_right", action=t(f"auth.action.{action}"), role=role))
    st.stop()


__all__ = ["require_login", "logout_button", "require_role", "load_config_or_stop", "store_or_stop", "DEMO_NOTICE",
           "DEMO_USER"]
