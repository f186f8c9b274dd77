"""Plain records the store returns and the backend-independent rules for audit entries.

Kept apart from the backends so SQLite and PostgreSQL validate and shape rows the same way."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from .migrations import AUDIT_ACTIONS


class StoreError(ValueError):
    """A write the store refuses (message in Vietnamese); nothing has been written."""


class AuditError(StoreError):
    """A malformed audit call (message in Vietnamese); nothing has been written."""


ACTIONS = AUDIT_ACTIONS
ACTION_LABELS = {
    "login": "Đăng nhập", "login_failed": "Đăng nhập thất bại", "logout": "Đăng xuất",
    "import": "Nhập dữ liệu", "edit": "Sửa dữ liệu", "restore": "Khôi phục phiên bản",
    "export": "Xuất dữ liệu", "user_add": "Thêm người dùng", "user_change": "Thay đổi người dùng",
}
MAX_TEXT = 500
MAX_DETAIL = 4000
DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class Revision:
    id: int
    at: str  # UTC ISO 8601
    user: str
    reason: str
    kind: str
    summary: str
    source: str
    demo: bool = False


@dataclass(frozen=True)
class Change:
    entity: str  # 'assessment' | 'route' | 'target' | 'setting'
    key: str  # '2025/00694' | 'QL2' | '2025/ministry' | 'present.slides'
    field: str  # a field name, or '*' when the whole row appears or disappears
    before: Any
    after: Any


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str  # UTC ISO 8601
    user: str
    action: str
    what: str
    detail: Any  # decoded JSON (dict/list/str/number) or None

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


@dataclass(frozen=True)
class UserRecord:
    """An account row as stored (``password_hash`` never leaves geo.auth)."""
    name: str
    role: str
    disabled: bool
    created_at: str
    updated_at: str
    last_login: str | None
    password_hash: str


@dataclass(frozen=True)
class Throttle:
    """Login throttling state of one (scope, key): scope 'pair' | 'client' | 'name'."""
    scope: str
    key: str
    failures: int
    window_start: str | None
    blocked_until: str | None


def utc(now: dt.datetime | None = None) -> dt.datetime:
    now = now or dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return now.astimezone(dt.timezone.utc)


def iso(now: dt.datetime | None = None) -> str:
    return utc(now).isoformat(timespec="seconds")


def _clean(text: Any, limit: int) -> str:
    s = "" if text is None else str(text)
    s = "".join(ch if ch.isprintable() or ch in "\t" else " " for ch in s).strip()
    return s[:limit]


def check_action(action: str) -> str:
    if action not in ACTIONS:
        raise AuditError(f"Hành động “{action}” không có trong danh sách nhật ký: {', '.join(ACTIONS)}.")
    return action


def audit_row(user: str, action: str, what: str, detail: Any = None) -> tuple[str, str, str, str | None]:
    """Validate and normalise an audit entry: (user, action, what, detail JSON or None)."""
    check_action(action)
    user = _clean(user, 200)
    if not user:
        raise AuditError("Thiếu tên người thực hiện cho nhật ký.")
    what = _clean(what, MAX_TEXT)
    if not what:
        raise AuditError("Thiếu nội dung (“what”) cho nhật ký.")
    det = None
    if detail is not None:
        det = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
        if len(det) > MAX_DETAIL:
            det = json.dumps({"cắt_bớt": det[:MAX_DETAIL]}, ensure_ascii=False)
    return user, action, what, det


def decode_detail(detail: str | None) -> Any:
    if detail is None:
        return None
    try:
        return json.loads(detail)
    except ValueError:
        return detail
