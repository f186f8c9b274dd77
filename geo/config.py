"""Runtime configuration: environment variables over an optional ``.streamlit/secrets.toml``.

    cfg = load_config()          # raises ConfigError (Vietnamese message) on a bad value
    cfg.public_demo              # TQMAP_PUBLIC_DEMO=1: no login at all (demo data only)
    cfg.oidc                     # OidcConfig when [auth] is configured for st.login, else None
    cfg.role_for(email, groups)  # role from [tqmap.roles], default viewer (or None = no access)
    cfg.session_timeout_minutes  # idle minutes before logout (default 30)
    cfg.upload_limit_mb / cfg.upload_limit_bytes   # default 20

Every TQMAP_* environment variable is read in this module and nowhere else (the one table):

=============================  =============================================================  ==========================
variable                       meaning                                                        read by
=============================  =============================================================  ==========================
TQMAP_DB                       the store: a file path, ``sqlite:///abs/path.db`` or            :func:`db_url`,
                               ``postgresql://user@host/db?…`` (libpq URL; password from the   :func:`parse_db`
                               environment/PGPASSWORD or ``~/.pgpass``). Default data/app.db.
                               Any other scheme (``mysql://``, ``postgres:``, ``http://``) is
                               refused — never reinterpreted as a file name.
TQMAP_BOUNDARIES               the built GeoPackage (default data/boundaries/…2025.gpkg)       :func:`boundaries_path`
TQMAP_MIRROR                   mirror folder of the pinned sources (OWNER/REPO/COMMIT/PATH);  :func:`mirror_dir`
                               default ../shared/data beside the repository when present
TQMAP_OFFLINE                  1: never download sources (mirror or cache only)               :func:`offline`
TQMAP_PUBLIC_DEMO              1: public demo, no login (demo data only)                      :func:`load_config`
TQMAP_SESSION_TIMEOUT_MINUTES  idle minutes before logout (1–1440, default 30)                :func:`load_config`
TQMAP_UPLOAD_LIMIT_MB          upload size limit (1–200, default 20)                          :func:`load_config`
TQMAP_SECRETS                  path of secrets.toml (default .streamlit/secrets.toml)         :func:`default_secrets_path`
TQMAP_LOGIN_CONCURRENCY        password verifications at once per process (1–64, default 4;   :func:`login_concurrency`
                               argon2 holds ≈58 MB each)
TQMAP_TRUSTED_PROXIES          comma-separated addresses of reverse proxies whose               :func:`trusted_proxies`
                               X-Forwarded-For is believed (default 127.0.0.1,::1)
TQMAP_CHROMIUM                 tests only: the Chromium binary for Playwright                 :func:`chromium_path`
TQMAP_PG_BIN                   tests/make cluster: folder of initdb/pg_ctl (default: newest   :func:`pg_bin`
                               /usr/lib/postgresql/*/bin, else PATH)
=============================  =============================================================  ==========================

Environment variables win over the file for the settings that also exist in ``[tqmap]``.

secrets.toml (git-ignored, never committed)::

    [auth]                       # Streamlit's own OIDC settings, read by st.login
    redirect_uri = "https://bando.example.vn/oauth2callback"
    cookie_secret = "…long random…"
    client_id = "…"
    client_secret = "…"
    server_metadata_url = "https://idp.example.vn/.well-known/openid-configuration"

    [tqmap]
    session_timeout_minutes = 30
    upload_limit_mb = 20
    oidc_default_role = "viewer"  # or "none": unlisted people get no access
    [tqmap.roles]
    admin = ["a@congan.tuyenquang.gov.vn"]
    editor = ["b@…", "group:pc04"]   # "group:NAME" matches a name in the token's groups claim
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .paths import REPO_ROOT

DEFAULT_TIMEOUT_MIN = 30
DEFAULT_UPLOAD_MB = 20
TIMEOUT_RANGE = (1, 24 * 60)
UPLOAD_RANGE = (1, 200)
from .model import ROLES  # noqa: E402  (one definition: geo.model.ROLES)
OIDC_KEYS = ("client_id", "client_secret", "server_metadata_url")
TRUE = {"1", "true", "yes", "on", "có", "co"}
FALSE = {"0", "false", "no", "off", "không", "khong", ""}


class ConfigError(ValueError):
    """A configuration value is wrong; the message (Vietnamese) names the setting and where it came from."""


@dataclass(frozen=True)
class OidcConfig:
    provider: str | None  # None: the settings sit directly in [auth]; else the [auth.NAME] to pass to st.login
    providers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    public_demo: bool = False
    session_timeout_minutes: int = DEFAULT_TIMEOUT_MIN
    upload_limit_mb: int = DEFAULT_UPLOAD_MB
    oidc: OidcConfig | None = None
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # role -> identities (lower-case)
    oidc_default_role: str | None = "viewer"
    secrets_path: Path | None = None  # the file read, if any

    @property
    def upload_limit_bytes(self) -> int:
        return self.upload_limit_mb * 1024 * 1024

    def role_for(self, email: str | None, groups: list[str] | tuple[str, ...] | None = ()) -> str | None:
        """The highest role whose list names the e-mail or one of the groups; else the default role."""
        ids = set()
        if email:
            ids.add(str(email).strip().lower())
        for g in groups or ():
            ids.add("group:" + str(g).strip().lower())
        for role in reversed(ROLES):
            if ids & set(self.roles.get(role, ())):
                return role
        return self.oidc_default_role


def _bool(value: Any, name: str, where: str) -> bool:
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in TRUE:
        return True
    if s in FALSE:
        return False
    raise ConfigError(f"Giá trị “{value}” của {where} ({name}) không hợp lệ: chỉ nhận 1 (bật) hoặc 0 (tắt).")


def _int(value: Any, name: str, where: str, lo: int, hi: int, unit: str) -> int:
    if isinstance(value, bool):
        n = None
    elif isinstance(value, int):
        n = value
    else:
        try:
            n = int(str(value).strip())
        except ValueError:
            n = None
    if n is None:
        raise ConfigError(f"Giá trị “{value}” của {where} ({name}) không phải là số nguyên {unit}.")
    if not lo <= n <= hi:
        raise ConfigError(f"Giá trị {n} của {where} ({name}) nằm ngoài khoảng cho phép {lo}–{hi} {unit}.")
    return n


def default_secrets_path() -> Path:
    env = os.environ.get("TQMAP_SECRETS")
    return Path(env) if env else REPO_ROOT / ".streamlit" / "secrets.toml"


# --- the store (TQMAP_DB) ---------------------------------------------------------------------

DB_ENV = "TQMAP_DB"
DEFAULT_DB = REPO_ROOT / "data" / "app.db"


@dataclass(frozen=True)
class DbSpec:
    """Where the store lives: ``backend`` 'sqlite' (``path``) or 'postgresql' (``url``)."""
    backend: str
    url: str  # sqlite:////abs/file.db | postgresql://… (as given; see :attr:`display_url`)
    path: Path | None = None

    @property
    def display_url(self) -> str:
        """The URL without any password (for logs and messages)."""
        return _hide_password(self.url)


def _hide_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    netloc = (f"{parts.username}:***@" if parts.username else ":***@") + host
    return urlunsplit(parts._replace(netloc=netloc))


def parse_db(value: str | Path | None = None, env: Mapping[str, str] | None = None) -> DbSpec:
    """Interpret a store location (default ``$TQMAP_DB``, else data/app.db).

    Accepted: a file path (relative to the working folder), ``sqlite:///relative.db``,
    ``sqlite:////absolute.db``, ``postgresql://…`` / ``postgresql+psycopg://…``. Anything else that
    looks like a URL (``mysql://``, ``postgres:`` typo, ``http://``, ``C:`` aside) raises
    :class:`ConfigError`: a configuration the app cannot serve is refused, never turned into a
    folder named ``postgresql:``."""
    where = "tham số"
    if value is None:
        env = os.environ if env is None else env
        raw = env.get(DB_ENV, "").strip()
        if not raw:
            return DbSpec("sqlite", "sqlite:///" + str(DEFAULT_DB.resolve()), DEFAULT_DB)
        value, where = raw, f"biến môi trường {DB_ENV}"
    if isinstance(value, Path):
        p = value
        return DbSpec("sqlite", "sqlite:///" + str(p.resolve()), p)
    s = str(value).strip()
    if not s:
        raise ConfigError(f"Địa chỉ kho dữ liệu ({where}) đang trống.")
    low = s.lower()
    if low.startswith(("postgresql://", "postgresql+psycopg://")):
        url = "postgresql://" + s.split("://", 1)[1]
        return DbSpec("postgresql", url)
    if low.startswith("sqlite:"):
        if not low.startswith("sqlite:///"):
            raise ConfigError(f"Địa chỉ kho SQLite “{s}” ({where}) sai dạng: dùng sqlite:///duong/dan.db "
                              "(tương đối) hoặc sqlite:////duong/tuyet/doi.db.")
        rest = s[len("sqlite:///"):].split("?", 1)[0]
        if not rest:
            raise ConfigError(f"Địa chỉ kho SQLite “{s}” ({where}) thiếu đường dẫn tệp.")
        p = Path(rest)
        return DbSpec("sqlite", "sqlite:///" + str(p.resolve()), p)
    import re

    m = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*):", s)
    if m and not (len(m.group(1)) == 1 and re.match(r"^[A-Za-z]:[\\/]", s)):  # a Windows drive letter is a path
        scheme = m.group(1)
        hint = (" Có phải ý bạn là postgresql://…?" if scheme.lower().startswith("postgres") else "")
        raise ConfigError(f"Kho dữ liệu “{_hide_password(s)}” ({where}) dùng kiểu “{scheme}:” không được hỗ trợ: "
                          "chỉ nhận đường dẫn tệp SQLite, sqlite:///… hoặc postgresql://…." + hint)
    p = Path(s)
    return DbSpec("sqlite", "sqlite:///" + str(p.resolve()), p)


def db_url(env: Mapping[str, str] | None = None) -> str:
    """The store URL from TQMAP_DB (checked): ``sqlite:////abs/app.db`` or ``postgresql://…``."""
    return parse_db(None, env).url


def sqlite_path(env: Mapping[str, str] | None = None) -> Path:
    """The SQLite file from TQMAP_DB; ConfigError when TQMAP_DB names another backend."""
    spec = parse_db(None, env)
    if spec.backend != "sqlite":
        raise ConfigError(f"TQMAP_DB chọn {spec.backend} ({spec.display_url}), không phải tệp SQLite: "
                          "lệnh này chỉ làm việc với SQLite.")
    return spec.path  # type: ignore[return-value]


# --- other paths and switches -------------------------------------------------------------------


def boundaries_path(env: Mapping[str, str] | None = None) -> Path:
    """The built GeoPackage; TQMAP_BOUNDARIES overrides it (tests build into a temp folder)."""
    env = os.environ if env is None else env
    raw = env.get("TQMAP_BOUNDARIES", "").strip()
    return Path(raw) if raw else REPO_ROOT / "data" / "boundaries" / "tuyen_quang_2025.gpkg"


def mirror_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """TQMAP_MIRROR, else ../shared/data beside the repository when it exists, else None."""
    env = os.environ if env is None else env
    raw = env.get("TQMAP_MIRROR", "").strip()
    if raw:
        return Path(raw)
    beside = REPO_ROOT.parent / "shared" / "data"
    return beside if beside.is_dir() else None


def offline(env: Mapping[str, str] | None = None) -> bool:
    """TQMAP_OFFLINE=1: never download the pinned sources."""
    env = os.environ if env is None else env
    return env.get("TQMAP_OFFLINE", "").strip() not in ("", "0")


def login_concurrency(env: Mapping[str, str] | None = None) -> int:
    """How many password verifications may run at once in one process (TQMAP_LOGIN_CONCURRENCY)."""
    env = os.environ if env is None else env
    raw = env.get("TQMAP_LOGIN_CONCURRENCY", "").strip()
    if not raw:
        return 4
    return _int(raw, "TQMAP_LOGIN_CONCURRENCY", "biến môi trường TQMAP_LOGIN_CONCURRENCY", 1, 64, "lượt")


def trusted_proxies(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Addresses of reverse proxies whose X-Forwarded-For header is trusted (TQMAP_TRUSTED_PROXIES)."""
    env = os.environ if env is None else env
    raw = env.get("TQMAP_TRUSTED_PROXIES", "").strip()
    if not raw:
        return ("127.0.0.1", "::1")
    return tuple(p.strip() for p in raw.split(",") if p.strip())


def chromium_path(env: Mapping[str, str] | None = None) -> str:
    """Tests: TQMAP_CHROMIUM, else Debian's chromium on PATH."""
    import shutil

    env = os.environ if env is None else env
    return env.get("TQMAP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def pg_bin(env: Mapping[str, str] | None = None) -> Path | None:
    """Tests and ``make cluster``: TQMAP_PG_BIN (folder of the PostgreSQL server binaries), else None."""
    env = os.environ if env is None else env
    raw = env.get("TQMAP_PG_BIN", "").strip()
    return Path(raw) if raw else None


def read_secrets(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Tệp cấu hình “{path}” sai cú pháp TOML ({exc}). Hãy sửa tệp rồi chạy lại.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"Tệp cấu hình “{path}” không phải văn bản UTF-8.") from None
    except OSError as exc:
        raise ConfigError(f"Không đọc được tệp cấu hình “{path}” ({exc.strerror}).") from None


def _oidc(auth: Any, provider: Any, file: str) -> OidcConfig | None:
    if auth is None:
        return None
    if not isinstance(auth, dict):
        raise ConfigError(f"Mục [auth] trong {file} phải là một bảng (table) TOML.")
    for key in ("redirect_uri", "cookie_secret"):
        if not str(auth.get(key, "")).strip():
            raise ConfigError(f"Mục [auth] trong {file} thiếu “{key}” (bắt buộc để đăng nhập OIDC bằng st.login).")
    redirect = str(auth["redirect_uri"])
    if not redirect.startswith(("https://", "http://")) or not redirect.rstrip("/").endswith("/oauth2callback"):
        raise ConfigError(f"“redirect_uri” trong [auth] của {file} phải là địa chỉ đầy đủ kết thúc bằng "
                          f"/oauth2callback (ví dụ https://bando.example.vn/oauth2callback); đang là “{redirect}”.")
    if len(str(auth["cookie_secret"])) < 32:
        raise ConfigError(f"“cookie_secret” trong [auth] của {file} quá ngắn: cần ít nhất 32 ký tự ngẫu nhiên "
                          "(ví dụ: python -c \"import secrets; print(secrets.token_urlsafe(48))\").")
    subs = tuple(k for k, v in auth.items() if isinstance(v, dict))
    for name in subs:
        missing = [k for k in OIDC_KEYS if not str(auth[name].get(k, "")).strip()]
        if missing:
            raise ConfigError(f"Mục [auth.{name}] trong {file} thiếu {', '.join(missing)}.")
    top_missing = [k for k in OIDC_KEYS if not str(auth.get(k, "")).strip()]
    if provider not in (None, ""):
        if str(provider) not in subs:
            raise ConfigError(f"oidc_provider = “{provider}” trong [tqmap] của {file} không khớp mục [auth.…] nào"
                              + (f" (đang có: {', '.join(subs)})." if subs else "."))
        return OidcConfig(str(provider), subs)
    if not top_missing:
        return OidcConfig(None, subs)
    if subs:
        return OidcConfig(subs[0], subs)
    raise ConfigError(f"Mục [auth] trong {file} thiếu {', '.join(top_missing)}.")


def _roles(raw: Any, file: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"Mục [tqmap.roles] trong {file} phải là một bảng: admin = [\"…\"], editor = [\"…\"].")
    out = {}
    for role, ids in raw.items():
        if role not in ROLES:
            raise ConfigError(f"Vai trò “{role}” trong [tqmap.roles] của {file} không hợp lệ: chỉ nhận "
                              "admin, editor, viewer.")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ConfigError(f"[tqmap.roles] {role} trong {file} phải là danh sách chuỗi, ví dụ "
                              f"{role} = [\"ten@congan.tuyenquang.gov.vn\", \"group:pc04\"].")
        for i in ids:
            s = i.strip()
            if not (s.lower().startswith("group:") and len(s) > 6) and "@" not in s:
                raise ConfigError(f"“{i}” trong [tqmap.roles] {role} của {file} không phải địa chỉ e-mail "
                                  "hay “group:TÊN_NHÓM”.")
        out[role] = tuple(i.strip().lower() for i in ids)
    return out


def load_config(env: Mapping[str, str] | None = None, secrets_path: str | Path | None = None) -> Config:
    """Read the configuration; any bad value raises :class:`ConfigError` with a Vietnamese message."""
    env = os.environ if env is None else env
    if secrets_path is None:
        secrets_path = Path(env["TQMAP_SECRETS"]) if env.get("TQMAP_SECRETS") else default_secrets_path()
    path = Path(secrets_path)
    data = read_secrets(path)
    file = f"“{path}”"
    tq = data.get("tqmap", {})
    if not isinstance(tq, dict):
        raise ConfigError(f"Mục [tqmap] trong {file} phải là một bảng TOML.")
    known = {"public_demo", "session_timeout_minutes", "upload_limit_mb", "oidc_provider", "oidc_default_role", "roles"}
    unknown = sorted(set(tq) - known)
    if unknown:
        raise ConfigError(f"Thiết lập “{unknown[0]}” trong [tqmap] của {file} không được hỗ trợ; các thiết lập có: "
                          + ", ".join(sorted(known)) + ".")

    def pick(env_name: str, key: str, default):
        if env.get(env_name, "").strip() != "":
            return env[env_name], env_name, f"biến môi trường {env_name}"
        if key in tq:
            return tq[key], key, f"mục [tqmap] trong {file}"
        return default, key, "giá trị mặc định"

    v, n, w = pick("TQMAP_PUBLIC_DEMO", "public_demo", False)
    public_demo = _bool(v, n, w)
    v, n, w = pick("TQMAP_SESSION_TIMEOUT_MINUTES", "session_timeout_minutes", DEFAULT_TIMEOUT_MIN)
    timeout = _int(v, n, w, *TIMEOUT_RANGE, "phút")
    v, n, w = pick("TQMAP_UPLOAD_LIMIT_MB", "upload_limit_mb", DEFAULT_UPLOAD_MB)
    upload = _int(v, n, w, *UPLOAD_RANGE, "MB")
    default_role = tq.get("oidc_default_role", "viewer")
    if not isinstance(default_role, str) or default_role.strip().lower() not in (*ROLES, "none", ""):
        raise ConfigError(f"oidc_default_role = “{default_role}” trong [tqmap] của {file} không hợp lệ: chỉ nhận "
                          "viewer, editor, admin hoặc none (không cho truy cập).")
    default_role = default_role.strip().lower()
    return Config(public_demo=public_demo, session_timeout_minutes=timeout, upload_limit_mb=upload,
                  oidc=_oidc(data.get("auth"), tq.get("oidc_provider"), file), roles=_roles(tq.get("roles"), file),
                  oidc_default_role=None if default_role in ("none", "") else default_role,
                  secrets_path=path if data else None)


def oidc_available() -> bool:
    """Streamlit's st.login needs Authlib installed (``pip install "streamlit[auth]"``)."""
    import importlib.util

    return importlib.util.find_spec("authlib") is not None


__all__ = ["Config", "OidcConfig", "ConfigError", "DbSpec", "load_config", "oidc_available", "default_secrets_path",
           "parse_db", "db_url", "sqlite_path", "boundaries_path", "mirror_dir", "offline", "login_concurrency",
           "trusted_proxies", "chromium_path"]
