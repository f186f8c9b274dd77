"""Accounts, roles and password login (argon2id), with lock-out. No streamlit here.

Roles: viewer < editor < admin; :func:`can` is the one permission table.
Passwords are hashed with argon2-cffi's ``PasswordHasher`` (argon2id); only the hash is stored,
verification is argon2's own constant-time comparison. An unknown name costs the same argon2
verification as a known one, and lock-out is tracked per *name* (known or not), so neither the
timing nor the lock-out tells whether an account exists.

Lock-out: :data:`MAX_FAILURES` failed attempts within :data:`WINDOW` lock the name for
:data:`LOCK_FOR`; while locked, the password is not even checked and the answer is the same.

``store_or_path`` everywhere: a ``SQLiteStore`` (anything with ``.path``) or the SQLite file path.
Writes that change an account also append their audit entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from . import audit
from .store import migrations

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
VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")

migrations.register(audit.AUDIT_SCHEMA_VERSION + 1, """
CREATE TABLE users (
    name          TEXT PRIMARY KEY,        -- lower-case login name
    role          TEXT NOT NULL CHECK (role IN ('viewer','editor','admin')),
    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2%'),
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    last_login    TEXT
);
-- Lock-out state per attempted name (also names that do not exist: no account enumeration).
CREATE TABLE login_state (
    name          TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL DEFAULT 0,
    window_start  TEXT,
    locked_until  TEXT
);
""")

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


def _user(row) -> User:
    return User(row[0], row[1], bool(row[2]), row[3], row[4], row[5])


_USER_COLS = "name, role, disabled, created_at, updated_at, last_login"


def get_user(store_or_path, name: str) -> User | None:
    with audit.connect(store_or_path) as c:
        row = c.execute(f"SELECT {_USER_COLS} FROM users WHERE name = ?", ((name or "").strip().lower(),)).fetchone()
    return _user(row) if row else None


def list_users(store_or_path) -> list[User]:
    with audit.connect(store_or_path) as c:
        rows = c.execute(f"SELECT {_USER_COLS} FROM users ORDER BY name").fetchall()
    return [_user(r) for r in rows]


def add_user(store_or_path, name: str, password: str, role: str = "viewer", *, by: str,
             now: dt.datetime | None = None) -> User:
    """Create an account (audited as ``user_add``). Raises :class:`AuthError` with a Vietnamese message."""
    n, r = check_name(name), check_role(role)
    check_password(password, n)
    h = _hasher.hash(password)
    at = audit.iso(now)
    with audit.connect(store_or_path) as c, audit.transaction(c):
        if c.execute("SELECT 1 FROM users WHERE name = ?", (n,)).fetchone():
            raise AuthError(f"Tên đăng nhập “{n}” đã tồn tại.")
        c.execute("INSERT INTO users(name, role, password_hash, disabled, created_at, updated_at) "
                  "VALUES (?, ?, ?, 0, ?, ?)", (n, r, h, at, at))
        audit.insert(c, by, "user_add", f"Thêm người dùng {n} với vai trò {ROLE_LABELS[r]}",
                     {"name": n, "role": r}, now)
    return get_user(store_or_path, n)  # type: ignore[return-value]


def _change(store_or_path, name: str, *, by: str, what: str, detail: dict, sql: str, params: tuple,
            now: dt.datetime | None) -> User:
    n = (name or "").strip().lower()
    with audit.connect(store_or_path) as c, audit.transaction(c):
        if not c.execute("SELECT 1 FROM users WHERE name = ?", (n,)).fetchone():
            raise AuthError(f"Không có người dùng “{name}”.")
        c.execute(sql, (*params, audit.iso(now), n))
        audit.insert(c, by, "user_change", what, {"name": n, **detail}, now)
    return get_user(store_or_path, n)  # type: ignore[return-value]


def set_role(store_or_path, name: str, role: str, *, by: str, now: dt.datetime | None = None) -> User:
    r = check_role(role)
    return _change(store_or_path, name, by=by, what=f"Đổi vai trò của {name.strip().lower()} thành {ROLE_LABELS[r]}",
                   detail={"role": r}, sql="UPDATE users SET role = ?, updated_at = ? WHERE name = ?",
                   params=(r,), now=now)


def set_disabled(store_or_path, name: str, disabled: bool = True, *, by: str,
                 now: dt.datetime | None = None) -> User:
    what = ("Vô hiệu hoá" if disabled else "Kích hoạt lại") + f" người dùng {name.strip().lower()}"
    return _change(store_or_path, name, by=by, what=what, detail={"disabled": bool(disabled)},
                   sql="UPDATE users SET disabled = ?, updated_at = ? WHERE name = ?",
                   params=(int(bool(disabled)),), now=now)


def disable_user(store_or_path, name: str, *, by: str, now: dt.datetime | None = None) -> User:
    return set_disabled(store_or_path, name, True, by=by, now=now)


def set_password(store_or_path, name: str, password: str, *, by: str, now: dt.datetime | None = None) -> User:
    """Replace the password (and clear any lock-out on the name)."""
    n = (name or "").strip().lower()
    check_password(password, n)
    user = _change(store_or_path, n, by=by, what=f"Đặt lại mật khẩu của {n}", detail={"password": "đã đổi"},
                   sql="UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?",
                   params=(_hasher.hash(password),), now=now)
    with audit.connect(store_or_path) as c:
        c.execute("DELETE FROM login_state WHERE name = ?", (n,))
    return user


# --- login -----------------------------------------------------------------------------------


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("không phải mật khẩu của ai cả — dummy")
    return _dummy_hash


def _verify(hash_: str, password: str) -> bool:
    try:
        return _hasher.verify(hash_, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _parse(s: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(s) if s else None


def locked_message(until: dt.datetime) -> str:
    return MSG_LOCKED.format(n=MAX_FAILURES, w=int(WINDOW.total_seconds() // 60),
                             until=audit.utc(until).astimezone(VN_TZ).strftime("%H:%M ngày %d/%m/%Y"))


def authenticate(store_or_path, name: str, password: str, *, now: dt.datetime | None = None,
                 record: bool = True) -> AuthResult:
    """Check a name and password; counts failures, locks the name, and (``record``) writes the
    ``login`` / ``login_failed`` audit entry in the same transaction as the lock-out state."""
    now = audit.utc(now)
    raw = (name or "").strip().lower()
    key = raw[:64] if raw else "(trống)"
    password = password if isinstance(password, str) else ""
    with audit.connect(store_or_path) as c:
        st = c.execute("SELECT failures, window_start, locked_until FROM login_state WHERE name = ?",
                       (key,)).fetchone()
        locked_until = _parse(st[2]) if st else None
        if locked_until is not None and now < locked_until:
            res = AuthResult(False, locked=True, locked_until=locked_until, message=locked_message(locked_until),
                             reason="locked")
            if record:
                audit.insert(c, key, "login_failed", "Đăng nhập khi tài khoản đang bị khoá", {"reason": "locked"}, now)
            return res
        row = c.execute(f"SELECT {_USER_COLS}, password_hash FROM users WHERE name = ?", (key,)).fetchone()
        too_long = len(password) > MAX_PASSWORD
        # Always one argon2 verification (dummy hash for unknown names): same cost either way.
        good = _verify(row[6] if row else _dummy(), password[:MAX_PASSWORD]) and not too_long
        if row and good and not row[2]:
            with audit.transaction(c):
                c.execute("DELETE FROM login_state WHERE name = ?", (key,))
                c.execute("UPDATE users SET last_login = ? WHERE name = ?", (audit.iso(now), key))
                if _hasher.check_needs_rehash(row[6]):
                    c.execute("UPDATE users SET password_hash = ? WHERE name = ?", (_hasher.hash(password), key))
                if record:
                    audit.insert(c, key, "login", "Đăng nhập bằng mật khẩu", None, now)
            return AuthResult(True, user=_user(c.execute(f"SELECT {_USER_COLS} FROM users WHERE name = ?",
                                                          (key,)).fetchone()), message="Đăng nhập thành công.",
                              reason="ok")
        reason = "unknown_user" if not row else ("disabled" if good else "bad_password")
        with audit.transaction(c):
            st = c.execute("SELECT failures, window_start FROM login_state WHERE name = ?", (key,)).fetchone()
            start = _parse(st[1]) if st else None
            if start is None or now - start > WINDOW:
                failures, start = 1, now
            else:
                failures = int(st[0]) + 1
            new_lock = now + LOCK_FOR if failures >= MAX_FAILURES else None
            c.execute("INSERT INTO login_state(name, failures, window_start, locked_until) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT(name) DO UPDATE SET failures = excluded.failures, "
                      "window_start = excluded.window_start, locked_until = excluded.locked_until",
                      (key, 0 if new_lock else failures, None if new_lock else audit.iso(start),
                       audit.iso(new_lock) if new_lock else None))
            if record:
                audit.insert(c, key, "login_failed", "Đăng nhập thất bại" + (" — tài khoản bị khoá" if new_lock else ""),
                             {"reason": reason, "failures": failures}, now)
    if new_lock:
        return AuthResult(False, locked=True, locked_until=new_lock, message=locked_message(new_lock), reason=reason)
    return AuthResult(False, message=MSG_BAD, reason=reason)


def lock_state(store_or_path, name: str, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the name is locked now, the end of the lock (UTC); else None."""
    with audit.connect(store_or_path) as c:
        row = c.execute("SELECT locked_until FROM login_state WHERE name = ?",
                        ((name or "").strip().lower(),)).fetchone()
    until = _parse(row[0]) if row else None
    return until if until and audit.utc(now) < until else None



def has_real_data(store_or_path) -> bool:
    """True when the store holds any assessment or route NOT flagged as demo data (public-demo guard)."""
    with audit.connect(store_or_path) as c:
        return bool(c.execute("SELECT 1 FROM assessments WHERE demo = 0 UNION ALL "
                              "SELECT 1 FROM routes WHERE demo = 0 LIMIT 1").fetchone())

__all__ = ["ROLES", "ROLE_LABELS", "ACTIONS", "ACTION_LABELS", "PERMISSIONS", "User", "AuthResult", "CurrentUser",
           "AuthError", "can", "session_expired", "get_user", "list_users", "add_user", "set_role", "set_disabled",
           "disable_user", "set_password", "authenticate", "lock_state", "check_password", "has_real_data"]
