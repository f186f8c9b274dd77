"""Logins under attack (issue 15 items 1–3) on real SQLite files: parallel guesses with threads and
with processes, the cap on concurrent argon2 verifications, per-address throttling, the progressive
delay per name that cannot lock a known admin out, the admin's unlock command, every refusal audited."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import subprocess
import sys
import threading
import time

import pytest
from argon2 import PasswordHasher

from geo import audit, auth
from geo.paths import REPO_ROOT
from geo.store import open_store

PW = "mat-khau-du-dai-2025"
WRONG = "sai-mat-khau-roi"
T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.timezone.utc)
CHEAP = dict(time_cost=1, memory_cost=1024, parallelism=1)  # same code path, a fraction of the cost


@pytest.fixture()
def cheap_hasher(monkeypatch):
    """Real argon2id, cheap parameters: the tests count verifications, they do not time them."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(**CHEAP))
    monkeypatch.setattr(auth, "_dummy_hash", None)
    auth.set_concurrency(4)
    yield
    auth.set_concurrency()


@pytest.fixture()
def db(tmp_path, cheap_hasher):
    path = tmp_path / "app.db"
    with open_store(path) as s:
        auth.add_user(s, "admin", PW, "admin", by="test")
        auth.add_user(s, "lan", PW, "editor", by="test")
    return path


def verifications() -> int:
    return auth.VERIFY_STATS["calls"]


def run_parallel(fn, n):
    """Run fn(i) in n threads released together; returns results by i."""
    barrier = threading.Barrier(n)
    out = [None] * n

    def go(i):
        barrier.wait()
        out[i] = fn(i)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    [t.start() for t in threads]
    [t.join(120) for t in threads]
    assert all(r is not None for r in out)
    return out


# --- 1. counted before verifying -----------------------------------------------------------------


@pytest.mark.parametrize("client", [None, "10.0.0.9"])
def test_31_parallel_wrong_guesses_verify_at_most_5_then_right_password_is_locked(db, client):
    store = open_store(db)
    v0 = verifications()
    res = run_parallel(lambda i: auth.authenticate(store, "admin", WRONG, client=client, now=T0), 31)
    assert verifications() - v0 <= auth.MAX_FAILURES
    assert not any(r.ok for r in res)
    right = auth.authenticate(store, "admin", PW, client=client, now=T0 + dt.timedelta(seconds=1))
    assert not right.ok and right.locked and verifications() - v0 <= auth.MAX_FAILURES
    # every refusal audited: 31 + 1 attempts, 32 login_failed entries
    assert len(store.audit_entries(action="login_failed", limit=None)) == 32
    assert store.audit_entries(action="login") == []
    store.close()


def test_31_parallel_wrong_then_right_no_login(db):
    """The issue's attack: 30 wrong guesses and then the right password, all in flight at once."""
    store = open_store(db)
    v0 = verifications()

    def attempt(i):
        if i == 30:  # "then right": sent once the first guesses have been counted (a condition, no sleep)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                t = store.throttle("pair", "admin|10.0.0.9")
                if t is not None and t.failures >= auth.MAX_FAILURES:
                    break
                time.sleep(0.01)
        return auth.authenticate(store, "admin", PW if i == 30 else WRONG, client="10.0.0.9", now=T0)

    res = run_parallel(attempt, 31)
    assert verifications() - v0 <= auth.MAX_FAILURES
    assert not any(r.ok for r in res) and res[30].locked
    assert len(store.audit_entries(action="login_failed", limit=None)) == 31
    store.close()


def test_31_parallel_in_any_order_never_more_than_5_guesses_per_window(db):
    """Submitted in random order: a success resets the count (the owner proved the password), so
    at most 5 guesses before it and 5 after it are ever verified."""
    store = open_store(db)
    v0 = verifications()
    res = run_parallel(lambda i: auth.authenticate(store, "admin", PW if i == 15 else WRONG, client="10.0.0.9",
                                                   now=T0), 31)
    verified = verifications() - v0
    assert verified <= (2 * auth.MAX_FAILURES if res[15].ok else auth.MAX_FAILURES)
    assert sum(r.ok for r in res) <= 1
    assert len(store.audit_entries(action="login_failed", limit=None)) + len(store.audit_entries(action="login")) == 31
    store.close()


def _proc_attempt(args):
    path, password, client = args
    from argon2 import PasswordHasher

    from geo import auth as a

    a._hasher = PasswordHasher(**CHEAP)
    before = a.VERIFY_STATS["calls"]
    r = a.authenticate(path, "admin", password, client=client, now=T0)
    return r.ok, r.reason, a.VERIFY_STATS["calls"] - before


def test_31_guesses_from_8_processes_on_one_file_verify_at_most_5(db):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(8) as pool:
        pool.map(_proc_attempt, [(str(db), WRONG, "10.0.0.7")] * 8)  # warm up: every worker imported
        with open_store(db) as s:  # the warm-up counted: start again from a clean state
            auth.unlock(s, "admin", client="10.0.0.7", by="test")
        res = pool.map(_proc_attempt, [(str(db), WRONG, "10.0.0.7")] * 30 + [(str(db), PW, "10.0.0.7")], chunksize=1)
    verified = sum(r[2] for r in res)
    ok = any(r[0] for r in res)
    assert verified <= (2 * auth.MAX_FAILURES if ok else auth.MAX_FAILURES), res
    with open_store(db) as s:
        assert s.verify_chain().ok


# --- 2. a cap on concurrent verifications --------------------------------------------------------


class _SlowHasher:
    """Stands in for argon2: each verification blocks until released, so the test can see how
    many run at once (the memory each would hold is what the cap bounds)."""

    def __init__(self, real):
        self.real = real
        self.release = threading.Event()

    def verify(self, h, pw):
        assert self.release.wait(60), "never released"
        return self.real.verify(h, pw)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_40_simultaneous_attempts_never_more_than_the_cap_verifying(db, monkeypatch):
    slow = _SlowHasher(auth._hasher)
    monkeypatch.setattr(auth, "_hasher", slow)
    monkeypatch.setattr(auth, "BUSY_WAIT", 0.5)
    auth.set_concurrency(4)
    auth.VERIFY_STATS["max_active"] = 0
    v0 = verifications()
    store = open_store(db)
    results: list = []
    lock = threading.Lock()

    def attempt(i):
        r = auth.authenticate(store, f"user{i}", WRONG, client=f"10.0.1.{i}", now=T0)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
    [t.start() for t in threads]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait for a condition: 36 refused while 4 are verifying
        with lock:
            if len(results) >= 36:
                break
        time.sleep(0.05)
    assert auth.VERIFY_STATS["active"] == 4 and auth.VERIFY_STATS["max_active"] == 4
    busy = [r for r in results if r.reason == "busy"]
    assert len(busy) == 36 and all(r.message == auth.MSG_BUSY and "thử lại sau" in r.message for r in busy)
    slow.release.set()
    [t.join(60) for t in threads]
    assert len(results) == 40 and verifications() - v0 == 4 and auth.VERIFY_STATS["max_active"] == 4
    e = store.audit_entries(action="login_failed", limit=None)
    assert sum(x.detail["reason"] == "busy" for x in e) == 36 and len(e) == 40
    store.close()


def test_refusals_of_a_locked_name_need_no_verification_slot(db, monkeypatch):
    """With every slot busy, attempts on a locked pair are still answered at once ("locked", not
    "busy"): a flood against a locked name cannot crowd out other logins."""
    store = open_store(db)
    for _ in range(5):
        auth.authenticate(store, "admin", WRONG, client="6.6.6.6", now=T0)
    slow = _SlowHasher(auth._hasher)
    monkeypatch.setattr(auth, "_hasher", slow)
    monkeypatch.setattr(auth, "BUSY_WAIT", 30)
    auth.set_concurrency(2)
    holders = [threading.Thread(target=auth.authenticate, args=(store, f"u{i}", WRONG),
                                kwargs={"client": f"10.0.2.{i}", "now": T0}) for i in range(2)]
    [t.start() for t in holders]
    deadline = time.monotonic() + 60
    while auth.VERIFY_STATS["active"] < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert auth.VERIFY_STATS["active"] == 2
    started = time.monotonic()
    r = auth.authenticate(store, "admin", PW, client="6.6.6.6", now=T0)
    assert r.reason == "locked" and time.monotonic() - started < 30
    slow.release.set()
    [t.join(60) for t in holders]
    store.close()


def test_default_cap_is_small_and_configurable(monkeypatch):
    monkeypatch.delenv("TQMAP_LOGIN_CONCURRENCY", raising=False)
    assert auth.set_concurrency() == 4
    monkeypatch.setenv("TQMAP_LOGIN_CONCURRENCY", "2")
    assert auth.set_concurrency() == 2
    monkeypatch.delenv("TQMAP_LOGIN_CONCURRENCY")
    auth.set_concurrency()


# --- 3. nobody can lock the admin out -------------------------------------------------------------


def test_attacker_hammering_admin_cannot_keep_admin_out(db):
    store = open_store(db)
    v0 = verifications()
    got = [auth.authenticate(store, "admin", WRONG, client="6.6.6.6", now=T0 + dt.timedelta(seconds=i))
           for i in range(60)]
    assert all(not r.ok for r in got) and got[4].locked and all(r.reason == "locked" for r in got[5:])
    assert verifications() - v0 == 5  # the 55 others were refused before any verification
    # the admin, from the office: at most a short delay, never a lock
    admin = auth.authenticate(store, "admin", PW, client="10.1.1.1", now=T0 + dt.timedelta(seconds=61))
    assert admin.ok and admin.user.role == "admin"
    # the attacker's address stays locked for that name
    assert auth.authenticate(store, "admin", PW, client="6.6.6.6", now=T0 + dt.timedelta(seconds=62)).locked
    store.close()


def test_name_delay_is_progressive_and_capped(db):
    store = open_store(db)
    # a botnet: 12 addresses × 5 guesses; each address locks itself out, the name only slows down
    t = T0
    for a in range(12):
        for _ in range(5):
            r = auth.authenticate(store, "admin", WRONG, client=f"7.7.7.{a}", now=t)
            if r.reason == "name_delay":  # polite bot: waits as told
                t += dt.timedelta(seconds=int(r.message.split("sau ")[1].split(" ")[0]))
                r = auth.authenticate(store, "admin", WRONG, client=f"7.7.7.{a}", now=t)
            assert r.reason in ("bad_password",), r
    assert auth.name_delay(5) == dt.timedelta(seconds=2) and auth.name_delay(100) == auth.NAME_MAX_DELAY
    early = auth.authenticate(store, "admin", PW, client="10.1.1.1", now=t + dt.timedelta(seconds=1))
    assert not early.ok and early.reason == "name_delay" and "thử lại sau" in early.message and not early.locked
    later = auth.authenticate(store, "admin", PW, client="10.1.1.1", now=t + auth.NAME_MAX_DELAY)
    assert later.ok
    store.close()


def test_one_address_guessing_many_names_is_locked(db):
    store = open_store(db)
    for i in range(auth.CLIENT_MAX_FAILURES):
        auth.authenticate(store, f"name{i}", WRONG, client="8.8.8.8", now=T0)
    v0 = verifications()
    r = auth.authenticate(store, "lan", PW, client="8.8.8.8", now=T0)
    assert not r.ok and r.reason == "client_locked" and "địa chỉ mạng" in r.message and verifications() == v0
    assert auth.authenticate(store, "lan", PW, client="9.9.9.9", now=T0).ok
    store.close()


def test_success_forgives_the_address_and_keeps_other_locks(db):
    store = open_store(db)
    for _ in range(3):
        auth.authenticate(store, "lan", WRONG, client="1.1.1.1", now=T0)
    assert auth.authenticate(store, "lan", PW, client="1.1.1.1", now=T0).ok
    assert store.throttle("pair", "lan|1.1.1.1") is None and store.throttle("name", "lan") is None
    assert store.throttle("client", "1.1.1.1").failures == 3  # the successful attempt was given back
    store.close()


# --- unlock by an admin -------------------------------------------------------------------------


def test_unlock_library_and_cli(db):
    for _ in range(5):
        auth.authenticate(db, "lan", WRONG, now=T0)
    assert auth.lock_state(db, "lan", now=T0) is not None
    env = {**os.environ, "TQMAP_DB": str(db)}
    r = subprocess.run([sys.executable, "-m", "geo", "users", "unlock", "lan"], cwd=REPO_ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "Đã mở khoá đăng nhập cho tên lan" in r.stdout, r.stderr
    assert auth.lock_state(db, "lan", now=T0) is None
    assert auth.authenticate(db, "lan", PW, now=T0 + dt.timedelta(seconds=1)).ok
    e = audit.entries(db, action="user_change")[0]
    assert e.what.startswith("Mở khoá đăng nhập cho lan") and e.user.startswith("cli")
    for _ in range(auth.CLIENT_MAX_FAILURES):
        auth.authenticate(db, f"x{_}", WRONG, client="5.5.5.5", now=T0)
    assert auth.authenticate(db, "lan", PW, client="5.5.5.5", now=T0).reason == "client_locked"
    assert auth.unlock(db, client="5.5.5.5", by="admin") == 1
    assert auth.authenticate(db, "lan", PW, client="5.5.5.5", now=T0).ok
    r = subprocess.run([sys.executable, "-m", "geo", "users", "unlock"], cwd=REPO_ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "Cần tên đăng nhập" in r.stderr
