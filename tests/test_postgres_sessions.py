"""Sessions' idle timeout shared by every app server on one store (issue 14).

Two stores on the same SQLite file / the same PostgreSQL database play two app servers: a session
idle (by the store's clock) is timed out whichever server asks, an ended or timed-out session is
never revived by another server touching it, and the login gate (ui/auth.py) asks the store: a
session whose activity this server saw just now is still logged out when the store says it has
been idle for the timeout (the activity another server recorded is the one that counts).
"""

from __future__ import annotations

import datetime as dt

import pytest

from geo import audit, auth
from geo.store import open_store
from tests.app_pages import gate_app

PW = "mat-khau-dai-123"


def _backdate(store, sid: str, minutes: float) -> None:
    """Make the session idle for ``minutes`` by the store's own clock (as if nobody touched it)."""
    if type(store).__name__ == "PostgresStore":
        with store._connection() as c:
            c.execute("UPDATE app_sessions SET last_seen = now() - make_interval(secs => ?) WHERE id = ?",
                      (minutes * 60, sid))
    else:
        with store._tx() as c:
            c.execute("UPDATE app_sessions SET last_seen = last_seen - ? WHERE id = ?", (minutes * 60, sid))


def _two_servers_contract(a, b) -> None:
    assert not b.touch_session("nobody", "lan", timeout_minutes=30)  # unknown: not alive, not created
    assert b.session_idle_seconds("nobody") is None
    a.start_session("sid-1", "lan")
    assert b.touch_session("sid-1", "lan", timeout_minutes=30)  # started on A, alive on B
    assert not b.touch_session("sid-1", "mai", timeout_minutes=30)  # another user's id: refused, ended
    assert not a.touch_session("sid-1", "lan", timeout_minutes=30)
    a.start_session("sid-2", "lan")
    _backdate(a, "sid-2", 29)
    assert 29 * 60 - 5 < b.session_idle_seconds("sid-2") < 29 * 60 + 60
    assert b.touch_session("sid-2", "lan", timeout_minutes=30)  # activity on B...
    assert a.session_idle_seconds("sid-2") < 60  # ...is what A sees
    _backdate(b, "sid-2", 31)
    assert not b.touch_session("sid-2", "lan", timeout_minutes=30)  # idle 31 min: out on B
    assert not a.touch_session("sid-2", "lan", timeout_minutes=30)  # and on A: B's timeout is not undone
    a.start_session("sid-3", "lan")
    b.end_session("sid-3")  # logged out through B
    assert not a.touch_session("sid-3", "lan", timeout_minutes=30)


def test_two_servers_on_one_sqlite_file(tmp_path):
    a, b = open_store(tmp_path / "app.db"), open_store(tmp_path / "app.db")
    try:
        _two_servers_contract(a, b)
    finally:
        a.close()
        b.close()


def test_two_servers_on_one_postgresql_database(pg_url):
    from geo.store.postgres import PostgresStore

    a, b = PostgresStore(pg_url, listen=False), PostgresStore(pg_url, listen=False)
    try:
        _two_servers_contract(a, b)
    finally:
        a.close()
        b.close()


SCRIPT = """
from geo.config import load_config
from ui.auth import require_login
import streamlit as st

user = require_login(load_config())
st.write("SECRET DATA")
"""


@pytest.fixture()
def gate(tmp_path, monkeypatch):
    return gate_app(tmp_path, monkeypatch, SCRIPT, PW)


def _app(script):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(script), default_timeout=60)


def _texts(at) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "title", "info", "error") for e in getattr(at, kind))


def test_gate_idle_by_the_store_clock_logs_out_on_every_server(gate):
    """Server A logs lan in; the session moves to server B (its login state, without A's own
    bookkeeping). B saw activity just now by its own clock, but the store says the session has been
    idle 31 minutes: B logs it out (audited once), and A cannot bring it back."""
    db, script = gate
    a = _app(script).run()
    a.text_input[0].input("lan")
    a.text_input[1].input(PW)
    a.button[0].click()
    a.run()
    assert "SECRET DATA" in _texts(a)
    moved = dict(a.session_state["tq_auth"])
    with open_store(db) as s:
        assert s.session_idle_seconds(moved["sid"]) < 60  # the login recorded the session in the store
    b = _app(script)
    b.session_state["tq_auth"] = {**moved, "last_seen": dt.datetime.now(dt.timezone.utc)}
    b.run()
    assert "SECRET DATA" in _texts(b)  # alive: B touched it in the store
    with open_store(db) as s:
        _backdate(s, moved["sid"], 31)
    b = _app(script)
    b.session_state["tq_auth"] = {**moved, "last_seen": dt.datetime.now(dt.timezone.utc)}
    b.run()
    assert "SECRET DATA" not in _texts(b) and "Phiên làm việc đã hết hạn" in _texts(b)
    logouts = audit.entries(db, action="logout")
    assert len(logouts) == 1 and "không hoạt động" in logouts[0].what
    del a.session_state["tq_auth_touched"]  # A's next write to the store is due
    a.run()
    assert "SECRET DATA" not in _texts(a)


@pytest.mark.parametrize("db, expect", [
    ("postgresql://tqmap_app:MatKhauBiMat-77@127.0.0.1:1/tqmap", "Không kết nối được PostgreSQL"),
    ("mysql://tqmap@db.example.vn/tqmap", "không được hỗ trợ"),
])
def test_the_app_refuses_a_store_it_cannot_use_in_one_message(tmp_path, monkeypatch, db, expect):
    """The whole app (ui.router.main) on a bad TQMAP_DB: one Vietnamese error, no traceback, no
    login form, never the password."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TQMAP_DB", db)
    monkeypatch.setenv("TQMAP_SECRETS", str(tmp_path / "no-secrets.toml"))
    monkeypatch.delenv("TQMAP_PUBLIC_DEMO", raising=False)
    script = tmp_path / "app.py"
    script.write_text("from ui.router import main\nmain()\n", encoding="utf-8")
    at = AppTest.from_file(str(script), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [str(e.value) for e in at.error]
    assert len(errors) == 1 and expect in errors[0] and "MatKhauBiMat" not in errors[0], errors
    assert not at.text_input  # no login form
