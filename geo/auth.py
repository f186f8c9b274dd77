"""Accounts, roles and password login (argon2id), with throttling. No streamlit here.

Roles: viewer < editor < admin; :func:`can` is the one permission table.
Passwords are hashed with argon2-cffi's ``PasswordHasher`` (argon2id); only the hash is stored,
verification is argon2's own constant-time comparison. An unknown name costs the same argon2
verification as a known one, and throttling is tracked per *name* (known or not), so neither the
timing nor the lock-out tells whether an account exists.

Login protections (:func:`authenticate`):

* **Count before verifying.** The throttling state is checked and the attempt counted in ONE
  write transaction (``store.batch()``) *before* the password is verified, so parallel attempts
  cannot slip past the limit: of 31 simultaneous guesses at most :data:`MAX_FAILURES` are verified.
* **A cap on concurrent verifications.** argon2 holds ≈58 MB per verification; at most
  :func:`geo.config.login_concurrency` (default 4) run at once per process. An attempt that finds
  no free slot within :data:`BUSY_WAIT` seconds gets :data:`MSG_BUSY` without any verification.
* **Throttling per (name, client address)**: :data:`MAX_FAILURES` failures within :data:`WINDOW`
  lock that pair for :data:`LOCK_FOR`; **per client address** (all names): :data:`CLIENT_MAX_FAILURES`
  failures lock the address; **per name alone** (all addresses): only a progressive delay
  (:func:`name_delay`, capped at :data:`NAME_MAX_DELAY`), never a lock — so someone hammering a
  known admin's name from their address cannot keep the admin (from another address) out.
* ``python -m geo users unlock NAME`` (or :func:`unlock`) clears a name's locks and delays.
* Every refusal is audited (``login_failed`` with ``detail.reason``: bad_password, unknown_user,
  disabled, locked, client_locked, name_delay, busy, invalid).

The client address: the app passes ``client=`` — in Streamlit ``st.context.ip_address`` (1.45+),
or behind a reverse proxy the first address of ``st.context.headers["X-Forwarded-For"]`` when the
proxy is trusted. With ``client=None`` (CLI, tests, unknown) the per-address limit is off and the
pair limit acts per name, as in round 1.

``store`` everywhere: a :class:`geo.store.Store`; a path / URL is still accepted (the store is
opened for the call). Writes that change an account also append their audit entry in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from . import audit
from .audit import use_store
from .store import Store, StoreError, Throttle

ROLES = ("viewer", "editor", "admin")  # ordered: each role has everything the previous one has
ROLE_LABELS = {"viewer": "Người xem", "editor": "Biên tập viên", "admin": "Quản trị viên"}
ACTIONS = ("view", "export", "import", "edit", "restore", "manage_users", "edit_targets", "view_audit")
ACTION_LABELS = {
    "view": "xem dữ liệu", "export": "xuất dữ liệu", "import": "nhập dữ liệu", "edit": "sửa dữ liệu",
    "restore": "khôi phục phiên bản", "manage_users": "quản lý người dùng", "edit_targets": "sửa chỉ tiêu",
    "view_audit": "xem nhật ký kiểm tra",
}
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"view", "export"}),
    "editor": frozenset({"view", "export", "import", "edit"}),
    "admin": frozenset(ACTIONS),
}

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
LOCK_FOR = dt.timedelta(minutes=15)
MIN_PASSWORD = 10
MAX_PASSWORD = 256
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")

MSG_BAD = "Sai tên đăng nhập hoặc mật khẩu."
MSG_LOCKED = ("Tài khoản tạm thời bị khoá do đăng nhập sai {n} lần trong {w} phút. "
              "Hãy thử lại sau {until} (giờ Việt Nam) hoặc liên hệ quản trị viên.")
MSG_CLIENT_LOCKED = ("Có quá nhiều lần đăng nhập sai từ địa chỉ mạng của bạn: tạm khoá đến {until} (giờ Việt Nam). "
                     "Liên hệ quản trị viên nếu cần.")
MSG_WAIT = "Tên đăng nhập này vừa bị thử sai nhiều lần: hãy thử lại sau {s} giây."
MSG_BUSY = "Hệ thống đang bận, thử lại sau ít giây."
VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")

CLIENT_MAX_FAILURES = 20  # per client address, all names, within WINDOW
NAME_FREE_FAILURES = 4  # per name, all addresses: no delay up to this many failures in WINDOW
NAME_MAX_DELAY = dt.timedelta(seconds=60)
BUSY_WAIT = 5.0  # seconds an attempt waits for a free verification slot before "busy"
UNKNOWN_CLIENT = "(không rõ)"

_hasher = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)
_dummy_hash: str | None = None


class AuthError(ValueError):
    """A refused account operation (message in Vietnamese); nothing has been written."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool
    created_at: str
    updated_at: str
    last_login: str | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    user: User | None = None
    locked: bool = False
    locked_until: dt.datetime | None = None
    message: str = ""  # Vietnamese, safe to show as is
    reason: str = ""  # for logs only: ok | bad_password | unknown_user | disabled | locked | invalid


@dataclass(frozen=True)
class CurrentUser:
    """The person using the app now (password, OIDC or the anonymous public-demo visitor)."""
    name: str
    role: str
    source: str  # "password" | "oidc" | "demo"
    display: str = ""

    def can(self, action: str) -> bool:
        return can(self.role, action)

    @property
    def label(self) -> str:
        return f"{self.display or self.name} ({ROLE_LABELS.get(self.role, self.role)})"


# --- roles ----------------------------------------------------------------------------------


def can(role: str | None, action: str) -> bool:
    """True when ``role`` may do ``action``; unknown roles and actions are refused."""
    if action not in ACTIONS:
        raise ValueError(f"Hành động “{action}” không có trong bảng phân quyền: {', '.join(ACTIONS)}.")
    return action in PERMISSIONS.get(role or "", frozenset())


def check_role(role: str) -> str:
    r = (role or "").strip().lower()
    if r not in ROLES:
        raise AuthError(f"Vai trò “{role}” không hợp lệ: chỉ nhận viewer (người xem), editor (biên tập) "
                        f"hoặc admin (quản trị).")
    return r


def check_name(name: str) -> str:
    n = (name or "").strip().lower()
    if not NAME_RE.match(n):
        raise AuthError(f"Tên đăng nhập “{name}” không hợp lệ: cần 2–64 ký tự gồm chữ cái không dấu, chữ số "
                        "và . _ @ -, bắt đầu bằng chữ cái hoặc chữ số.")
    return n


def check_password(password: str, name: str = "") -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AuthError(f"Mật khẩu quá yếu: cần ít nhất {MIN_PASSWORD} ký tự.")
    if len(password) > MAX_PASSWORD:
        raise AuthError(f"Mật khẩu quá dài: tối đa {MAX_PASSWORD} ký tự.")
    if name and len(name) >= 4 and name.lower() in password.lower():
        raise AuthError("Mật khẩu quá yếu: không được chứa tên đăng nhập.")
    if len(set(password)) < 4:
        raise AuthError("Mật khẩu quá yếu: có quá ít ký tự khác nhau.")


def session_expired(last_seen: dt.datetime | None, now: dt.datetime | None, minutes: float) -> bool:
    """True when the session has been idle for ``minutes`` or more (or has no last-seen time)."""
    if last_seen is None:
        return True
    return audit.utc(now) - audit.utc(last_seen) >= dt.timedelta(minutes=minutes)


# --- accounts --------------------------------------------------------------------------------


def _user(rec) -> User:
    return User(rec.name, rec.role, rec.disabled, rec.created_at, rec.updated_at, rec.last_login)


def get_user(store: Store | str | Path, name: str) -> User | None:
    with use_store(store) as s:
        rec = s.user((name or "").strip().lower())
    return _user(rec) if rec else None


def list_users(store: Store | str | Path) -> list[User]:
    with use_store(store) as s:
        return [_user(r) for r in s.users()]


def add_user(store: Store | str | Path, name: str, password: str, role: str = "viewer", *, by: str,
             now: dt.datetime | None = None) -> User:
    """Create an account (audited as ``user_add``, same transaction). Raises :class:`AuthError`."""
    n, r = check_name(name), check_role(role)
    check_password(password, n)
    h = _hasher.hash(password)
    with use_store(store) as s:
        try:
            with s.batch():
                s.add_user(n, r, h, now=audit.iso(now))
                s.audit(by, "user_add", f"Thêm người dùng {n} với vai trò {ROLE_LABELS[r]}", {"name": n, "role": r},
                        now=now)
        except StoreError as exc:
            raise AuthError(str(exc)) from None
        return _user(s.user(n))


def _change(store, name: str, *, by: str, what: str, detail: dict, now: dt.datetime | None, **fields) -> User:
    n = (name or "").strip().lower()
    with use_store(store) as s:
        try:
            with s.batch():
                if s.user(n) is None:
                    raise AuthError(f"Không có người dùng “{name}”.")
                s.update_user(n, now=audit.iso(now), **fields)
                s.audit(by, "user_change", what, {"name": n, **detail}, now=now)
                if "password_hash" in fields:  # a new password clears any lock on the name
                    s.clear_throttle("pair", n + "|")
                    s.clear_throttle("name", n)
        except StoreError as exc:
            raise AuthError(str(exc)) from None
        return _user(s.user(n))


def set_role(store: Store | str | Path, name: str, role: str, *, by: str, now: dt.datetime | None = None) -> User:
    r = check_role(role)
    return _change(store, name, by=by, what=f"Đổi vai trò của {name.strip().lower()} thành {ROLE_LABELS[r]}",
                   detail={"role": r}, now=now, role=r)


def set_disabled(store: Store | str | Path, name: str, disabled: bool = True, *, by: str,
                 now: dt.datetime | None = None) -> User:
    what = ("Vô hiệu hoá" if disabled else "Kích hoạt lại") + f" người dùng {name.strip().lower()}"
    return _change(store, name, by=by, what=what, detail={"disabled": bool(disabled)}, now=now,
                   disabled=bool(disabled))


def disable_user(store: Store | str | Path, name: str, *, by: str, now: dt.datetime | None = None) -> User:
    return set_disabled(store, name, True, by=by, now=now)


def set_password(store: Store | str | Path, name: str, password: str, *, by: str,
                 now: dt.datetime | None = None) -> User:
    """Replace the password (and clear any lock-out on the name)."""
    n = (name or "").strip().lower()
    check_password(password, n)
    return _change(store, n, by=by, what=f"Đặt lại mật khẩu của {n}", detail={"password": "đã đổi"}, now=now,
                   password_hash=_hasher.hash(password))


def unlock(store: Store | str | Path, name: str | None = None, *, by: str, client: str | None = None,
           now: dt.datetime | None = None) -> int:
    """Clear the login locks and delays of ``name`` (every address) and/or of a client address.
    Audited as ``user_change``. Returns how many throttling rows were cleared."""
    n = (name or "").strip().lower()
    c = (client or "").strip()
    if not n and not c:
        raise AuthError("Cần tên đăng nhập hoặc địa chỉ mạng để mở khoá.")
    with use_store(store) as s:
        with s.batch():
            cleared = 0
            if n:
                cleared += s.clear_throttle("pair", n + "|") + s.clear_throttle("name", n)
            if c:
                cleared += s.clear_throttle("client", c)
            what = "Mở khoá đăng nhập" + (f" cho {n}" if n else "") + (f" từ địa chỉ {c}" if c else "")
            s.audit(by, "user_change", what, {"unlock": n or None, "client": c or None, "cleared": cleared}, now=now)
    return cleared


# --- login -----------------------------------------------------------------------------------

_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None
_slots_n = 0
# Verification counters (for tests and the benchmark): calls, active now, highest seen at once.
VERIFY_STATS = {"calls": 0, "active": 0, "max_active": 0}
_stats_lock = threading.Lock()


def set_concurrency(n: int | None = None) -> int:
    """(Re)create the verification semaphore with ``n`` slots (default: TQMAP_LOGIN_CONCURRENCY, 4)."""
    global _slots, _slots_n
    from .config import login_concurrency

    n = int(n) if n else login_concurrency()
    with _slots_lock:
        _slots, _slots_n = threading.BoundedSemaphore(n), n
    return n


def _slot_pool() -> threading.BoundedSemaphore:
    if _slots is None:
        set_concurrency()
    return _slots  # type: ignore[return-value]


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("không phải mật khẩu của ai cả — dummy")
    return _dummy_hash


def _verify(hash_: str, password: str) -> bool:
    with _stats_lock:
        VERIFY_STATS["calls"] += 1
        VERIFY_STATS["active"] += 1
        VERIFY_STATS["max_active"] = max(VERIFY_STATS["max_active"], VERIFY_STATS["active"])
    try:
        return _hasher.verify(hash_, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    finally:
        with _stats_lock:
            VERIFY_STATS["active"] -= 1


def _parse(s: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(s) if s else None


def _vn(t: dt.datetime) -> str:
    return audit.utc(t).astimezone(VN_TZ).strftime("%H:%M ngày %d/%m/%Y")


def locked_message(until: dt.datetime) -> str:
    return MSG_LOCKED.format(n=MAX_FAILURES, w=int(WINDOW.total_seconds() // 60), until=_vn(until))


def name_delay(failures: int) -> dt.timedelta:
    """Wait imposed on a name (from any address) after ``failures`` failures within WINDOW:
    none up to NAME_FREE_FAILURES, then 2, 4, 8 … seconds, at most NAME_MAX_DELAY."""
    if failures <= NAME_FREE_FAILURES:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** min(failures - NAME_FREE_FAILURES, 16)), NAME_MAX_DELAY)


def _bump(t: Throttle | None, scope: str, key: str, now: dt.datetime) -> Throttle:
    """One more failure in the window (a new window when the old one is over)."""
    start = _parse(t.window_start) if t else None
    if t is None or start is None or now - start > WINDOW:
        return Throttle(scope, key, 1, audit.iso(now), None)
    return Throttle(scope, key, t.failures + 1, t.window_start, t.blocked_until)


def _blocked(t: Throttle | None, now: dt.datetime) -> dt.datetime | None:
    until = _parse(t.blocked_until) if t else None
    return until if until is not None and now < until else None


def _client_key(client: str | None) -> str | None:
    c = (client or "").strip()[:100]
    return c or None


def _refuse(s: Store, key: str, client: str | None, reason: str, what: str, now: dt.datetime, record: bool,
            **extra) -> None:
    if record:
        s.audit(key, "login_failed", what, {"reason": reason, "client": client, **extra}, now=now)


def authenticate(store: Store | str | Path, name: str, password: str, *, client: str | None = None,
                 now: dt.datetime | None = None, record: bool = True) -> AuthResult:
    """Check a name and password under the protections described in the module docstring.

    ``client``: the client's network address (``st.context.ip_address`` or the trusted proxy's
    X-Forwarded-For), None when unknown. ``record``: write the ``login`` / ``login_failed`` audit
    entry in the same transaction as the throttling state."""
    now = audit.utc(now)
    raw = (name or "").strip().lower()
    key = raw[:64] if raw else "(trống)"
    password = password if isinstance(password, str) else ""
    ckey = _client_key(client)
    pair_key = f"{key}|{ckey or UNKNOWN_CLIENT}"
    pool = _slot_pool()
    with use_store(store) as s:
        if _blocked_now(s, key, ckey, pair_key, now):
            # Refused in any case (the gate below re-checks inside its transaction): no slot needed,
            # so a flood against a locked name cannot crowd out other people's logins.
            return _authenticate(s, key, password, ckey, pair_key, now, record, pool)
        if not pool.acquire(timeout=BUSY_WAIT):
            with s.batch():
                _refuse(s, key, ckey, "busy", "Đăng nhập bị từ chối: hệ thống đang bận", now, record)
            return AuthResult(False, message=MSG_BUSY, reason="busy")
        try:
            return _authenticate(s, key, password, ckey, pair_key, now, record)
        finally:
            pool.release()


def _blocked_now(s: Store, key: str, ckey: str | None, pair_key: str, now: dt.datetime) -> bool:
    """Read-only pre-check (an optimisation; the gate transaction is the authority)."""
    return any(_blocked(t, now) is not None for t in
               (s.throttle("pair", pair_key), s.throttle("client", ckey) if ckey else None, s.throttle("name", key)))


def _authenticate(s: Store, key: str, password: str, ckey: str | None, pair_key: str, now: dt.datetime,
                  record: bool, pool: threading.BoundedSemaphore | None = None) -> AuthResult:
    """The gate, the verification and the outcome. ``pool``: the slot is not held yet (the
    pre-check expected a refusal); it is taken only if the gate lets the attempt through."""
    # 1. Gate: check every limit and count this attempt, in one write transaction, before verifying.
    with s.batch():
        pair = s.throttle("pair", pair_key)
        until = _blocked(pair, now)
        if until is not None:
            _refuse(s, key, ckey, "locked", "Đăng nhập khi tài khoản đang bị khoá", now, record)
            return AuthResult(False, locked=True, locked_until=until, message=locked_message(until), reason="locked")
        cl = s.throttle("client", ckey) if ckey else None
        until = _blocked(cl, now)
        if until is not None:
            _refuse(s, key, ckey, "client_locked", "Đăng nhập từ địa chỉ mạng đang bị khoá", now, record)
            return AuthResult(False, locked=True, locked_until=until, reason="client_locked",
                              message=MSG_CLIENT_LOCKED.format(until=_vn(until)))
        nm = s.throttle("name", key)
        until = _blocked(nm, now)
        if until is not None:
            wait = max(1, int((until - now).total_seconds() + 0.999))
            _refuse(s, key, ckey, "name_delay", "Đăng nhập quá sớm sau nhiều lần sai", now, record, wait_s=wait)
            return AuthResult(False, message=MSG_WAIT.format(s=wait), reason="name_delay")
        pair = _bump(pair, "pair", pair_key, now)
        pair_lock = now + LOCK_FOR if pair.failures >= MAX_FAILURES else None
        s.put_throttle(Throttle("pair", pair_key, pair.failures, pair.window_start,
                                audit.iso(pair_lock) if pair_lock else None))
        if ckey:
            cl = _bump(cl, "client", ckey, now)
            client_lock = now + LOCK_FOR if cl.failures >= CLIENT_MAX_FAILURES else None
            s.put_throttle(Throttle("client", ckey, cl.failures, cl.window_start,
                                    audit.iso(client_lock) if client_lock else None))
        nm = _bump(nm, "name", key, now)
        delay = name_delay(nm.failures)
        s.put_throttle(Throttle("name", key, nm.failures, nm.window_start, audit.iso(now + delay) if delay else None))
        rec = s.user(key)

    # 2. Verify (outside any transaction; at most login_concurrency() at once in this process).
    too_long = len(password) > MAX_PASSWORD
    if pool is not None and not pool.acquire(timeout=BUSY_WAIT):
        with s.batch():
            _refuse(s, key, ckey, "busy", "Đăng nhập bị từ chối: hệ thống đang bận", now, record)
        return AuthResult(False, message=MSG_BUSY, reason="busy")
    try:
        # Always one argon2 verification (dummy hash for unknown names): same cost either way.
        good = _verify(rec.password_hash if rec else _dummy(), password[:MAX_PASSWORD]) and not too_long
    finally:
        if pool is not None:
            pool.release()

    # 3. Outcome.
    if rec and good and not rec.disabled:
        new_hash = _hasher.hash(password) if _hasher.check_needs_rehash(rec.password_hash) else None
        with s.batch():
            s.clear_throttle("pair", pair_key)
            s.clear_throttle("name", key)
            if ckey:  # this attempt was counted in advance: give it back
                cl = s.throttle("client", ckey)
                if cl is not None and cl.failures > 0:
                    s.put_throttle(Throttle("client", ckey, cl.failures - 1, cl.window_start, cl.blocked_until))
            s.update_user(key, now=audit.iso(now), last_login=audit.iso(now), password_hash=new_hash)
            if record:
                s.audit(key, "login", "Đăng nhập bằng mật khẩu", {"client": ckey} if ckey else None, now=now)
            user = _user(s.user(key))
        return AuthResult(True, user=user, message="Đăng nhập thành công.", reason="ok")
    reason = "unknown_user" if not rec else ("disabled" if good else "bad_password")
    if too_long:
        reason = "invalid"
    if record:
        with s.batch():
            s.audit(key, "login_failed", "Đăng nhập thất bại" + (" — tài khoản bị khoá" if pair_lock else ""),
                    {"reason": reason, "failures": pair.failures, "client": ckey}, now=now)
    if pair_lock:
        return AuthResult(False, locked=True, locked_until=pair_lock, message=locked_message(pair_lock), reason=reason)
    return AuthResult(False, message=MSG_BAD, reason=reason)


def lock_state(store: Store | str | Path, name: str, *, client: str | None = None,
               now: dt.datetime | None = None) -> dt.datetime | None:
    """When the name is locked now (for ``client``; None = unknown address), the end of the lock (UTC)."""
    key = (name or "").strip().lower()
    with use_store(store) as s:
        t = s.throttle("pair", f"{key}|{_client_key(client) or UNKNOWN_CLIENT}")
    return _blocked(t, audit.utc(now))


def has_real_data(store: Store | str | Path) -> bool:
    """True when the store holds any assessment or route NOT flagged as demo data (public-demo guard)."""
    with use_store(store) as s:
        return s.has_real_data()


__all__ = ["ROLES", "ROLE_LABELS", "ACTIONS", "ACTION_LABELS", "PERMISSIONS", "User", "AuthResult", "CurrentUser",
           "AuthError", "can", "session_expired", "get_user", "list_users", "add_user", "set_role", "set_disabled",
           "disable_user", "set_password", "unlock", "authenticate", "lock_state", "check_password", "has_real_data",
           "name_delay", "set_concurrency", "VERIFY_STATS", "MSG_BUSY", "MSG_BAD", "MSG_WAIT"]
