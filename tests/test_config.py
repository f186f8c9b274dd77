"""Runtime configuration from environment variables and a real secrets.toml written to tmp_path."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from geo.config import Config, ConfigError, load_config
from geo.paths import REPO_ROOT

OIDC = """
[auth]
redirect_uri = "https://bando.example.vn/oauth2callback"
cookie_secret = "0123456789abcdef0123456789abcdef-secret"
client_id = "tqmap"
client_secret = "s3cr3t"
server_metadata_url = "https://idp.example.vn/.well-known/openid-configuration"
"""


def _cfg(tmp_path, text: str | None = None, **env) -> Config:
    path = tmp_path / "secrets.toml"
    if text is not None:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_config(env=env, secrets_path=path)


def test_defaults_without_file(tmp_path):
    c = _cfg(tmp_path)
    assert (c.public_demo, c.session_timeout_minutes, c.upload_limit_mb, c.oidc) == (False, 30, 20, None)
    assert c.upload_limit_bytes == 20 * 1024 * 1024 and c.secrets_path is None
    assert c.role_for("ai@x.vn") == "viewer"


def test_env_values(tmp_path):
    c = _cfg(tmp_path, TQMAP_PUBLIC_DEMO="1", TQMAP_SESSION_TIMEOUT_MINUTES="45", TQMAP_UPLOAD_LIMIT_MB="5")
    assert (c.public_demo, c.session_timeout_minutes, c.upload_limit_mb) == (True, 45, 5)
    assert not _cfg(tmp_path, TQMAP_PUBLIC_DEMO="0").public_demo
    assert not _cfg(tmp_path, TQMAP_PUBLIC_DEMO="").public_demo


def test_file_values_and_env_override(tmp_path):
    text = """
    [tqmap]
    public_demo = true
    session_timeout_minutes = 10
    upload_limit_mb = 8
    """
    c = _cfg(tmp_path, text)
    assert (c.public_demo, c.session_timeout_minutes, c.upload_limit_mb) == (True, 10, 8)
    c = _cfg(tmp_path, text, TQMAP_PUBLIC_DEMO="0", TQMAP_SESSION_TIMEOUT_MINUTES="60")
    assert (c.public_demo, c.session_timeout_minutes, c.upload_limit_mb) == (False, 60, 8)


@pytest.mark.parametrize("env,msg", [
    ({"TQMAP_PUBLIC_DEMO": "maybe"}, "TQMAP_PUBLIC_DEMO.*chỉ nhận 1 \\(bật\\) hoặc 0 \\(tắt\\)"),
    ({"TQMAP_SESSION_TIMEOUT_MINUTES": "ba mươi"}, "TQMAP_SESSION_TIMEOUT_MINUTES.*không phải là số nguyên phút"),
    ({"TQMAP_SESSION_TIMEOUT_MINUTES": "0"}, "ngoài khoảng cho phép 1–1440 phút"),
    ({"TQMAP_UPLOAD_LIMIT_MB": "-3"}, "TQMAP_UPLOAD_LIMIT_MB.*ngoài khoảng cho phép 1–200 MB"),
    ({"TQMAP_UPLOAD_LIMIT_MB": "2.5"}, "không phải là số nguyên MB"),
])
def test_bad_env_values_vietnamese(tmp_path, env, msg):
    with pytest.raises(ConfigError, match=msg):
        _cfg(tmp_path, **env)


@pytest.mark.parametrize("text,msg", [
    ("[tqmap\nx=1", "sai cú pháp TOML"),
    ("[tqmap]\nsession_timeout_minutes = \"lâu\"", "session_timeout_minutes.*không phải là số nguyên phút"),
    ("[tqmap]\nupload_limit_mb = true", "upload_limit_mb.*không phải là số nguyên MB"),
    ("[tqmap]\ntimeout = 5", "Thiết lập “timeout” trong \\[tqmap\\].*không được hỗ trợ"),
    ("[tqmap.roles]\nboss = [\"a@x.vn\"]", "Vai trò “boss”.*chỉ nhận admin, editor, viewer"),
    ("[tqmap.roles]\nadmin = \"a@x.vn\"", "phải là danh sách chuỗi"),
    ("[tqmap.roles]\nadmin = [\"khong-phai-email\"]", "không phải địa chỉ e-mail hay “group:TÊN_NHÓM”"),
    ("[tqmap]\noidc_default_role = \"god\"", "oidc_default_role.*không hợp lệ"),
    ("[auth]\nclient_id = \"x\"", "thiếu “redirect_uri”"),
    (OIDC.replace("/oauth2callback", "/callback"), "phải là địa chỉ đầy đủ kết thúc bằng /oauth2callback"),
    (OIDC.replace("0123456789abcdef0123456789abcdef-secret", "ngan"), "“cookie_secret”.*quá ngắn"),
    (OIDC.replace("client_secret = \"s3cr3t\"", ""), "thiếu client_secret"),
    (OIDC + "[tqmap]\noidc_provider = \"google\"", "không khớp mục \\[auth.…\\] nào"),
])
def test_bad_file_values_vietnamese(tmp_path, text, msg):
    with pytest.raises(ConfigError, match=msg) as exc:
        _cfg(tmp_path, text)
    assert "secrets.toml" in str(exc.value)  # says where


def test_not_utf8_file(tmp_path):
    (tmp_path / "secrets.toml").write_bytes(b"[tqmap]\n# ghi ch\xfa \xe9\n")
    with pytest.raises(ConfigError, match="UTF-8|TOML"):
        load_config(env={}, secrets_path=tmp_path / "secrets.toml")


def test_oidc_and_role_mapping(tmp_path):
    c = _cfg(tmp_path, OIDC + """
[tqmap.roles]
admin = ["Chi.Huy@CongAn.TuyenQuang.gov.vn"]
editor = ["bien.tap@congan.tuyenquang.gov.vn", "group:PC04"]
viewer = ["group:lanh-dao"]
""")
    assert c.oidc is not None and c.oidc.provider is None
    assert c.role_for("chi.huy@congan.tuyenquang.gov.vn") == "admin"
    assert c.role_for("BIEN.TAP@congan.tuyenquang.gov.vn") == "editor"
    assert c.role_for("ai@x.vn", ["pc04"]) == "editor"
    assert c.role_for("chi.huy@congan.tuyenquang.gov.vn", ["pc04"]) == "admin"  # highest wins
    assert c.role_for("ai@x.vn") == "viewer" and c.role_for(None) == "viewer"
    c = _cfg(tmp_path, OIDC + "[tqmap]\noidc_default_role = \"none\"\n")
    assert c.role_for("ai@x.vn") is None  # unlisted people get no access


def test_named_provider(tmp_path):
    text = """
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "0123456789abcdef0123456789abcdef-secret"
[auth.keycloak]
client_id = "tqmap"
client_secret = "s"
server_metadata_url = "https://kc.example.vn/realms/ca/.well-known/openid-configuration"
"""
    c = _cfg(tmp_path, text)
    assert c.oidc.provider == "keycloak" and c.oidc.providers == ("keycloak",)
    c = _cfg(tmp_path, text + "[tqmap]\noidc_provider = \"keycloak\"\n")
    assert c.oidc.provider == "keycloak"


def test_env_secrets_path(tmp_path, monkeypatch):
    p = tmp_path / "other.toml"
    p.write_text("[tqmap]\nupload_limit_mb = 3\n", encoding="utf-8")
    monkeypatch.setenv("TQMAP_SECRETS", str(p))
    for k in ("TQMAP_UPLOAD_LIMIT_MB", "TQMAP_PUBLIC_DEMO", "TQMAP_SESSION_TIMEOUT_MINUTES"):
        monkeypatch.delenv(k, raising=False)
    assert load_config().upload_limit_mb == 3


def test_secrets_file_is_git_ignored():
    r = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=REPO_ROOT)
    assert r.returncode == 0
    tracked = subprocess.run(["git", "ls-files", ".streamlit"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert "secrets.toml" not in tracked.stdout


# --- TQMAP_DB and the other variables read in geo.config ---------------------------------------

from geo import config as _config  # noqa: E402


@pytest.mark.parametrize("value,backend,tail", [
    ("data/x.db", "sqlite", "/data/x.db"),
    ("/abs/app.db", "sqlite", "/abs/app.db"),
    ("sqlite:///rel/app.db", "sqlite", "/rel/app.db"),
    ("sqlite:////abs/app.db", "sqlite", "/abs/app.db"),
    ("postgresql://postgres@/tqmap?host=/tmp/sock&port=5432", "postgresql", "tqmap?host=/tmp/sock&port=5432"),
    ("postgresql+psycopg://u@h/db", "postgresql", "u@h/db"),
])
def test_db_locations_accepted(value, backend, tail):
    spec = _config.parse_db(None, {"TQMAP_DB": value})
    assert spec.backend == backend and spec.url.endswith(tail)
    assert _config.db_url({"TQMAP_DB": value}) == spec.url
    if backend == "sqlite":
        assert spec.url.startswith("sqlite:////") and spec.path.name in ("app.db", "x.db")


def test_db_default_is_data_app_db():
    spec = _config.parse_db(None, {})
    assert spec.backend == "sqlite" and spec.path == _config.DEFAULT_DB


@pytest.mark.parametrize("value,needle", [
    ("mysql://root@localhost/tq", "“mysql:” không được hỗ trợ"),
    ("postgres://u@h/db", "Có phải ý bạn là postgresql"),
    ("postgres:u@h/db", "Có phải ý bạn là postgresql"),
    ("postgresql:/tqmap", "“postgresql:” không được hỗ trợ"),
    ("http://example.org/app.db", "“http:” không được hỗ trợ"),
    ("sqlite://rel.db", "sai dạng"),
    ("sqlite:///", "thiếu đường dẫn"),
])
def test_db_locations_refused(value, needle):
    with pytest.raises(ConfigError, match=needle) as exc:
        _config.parse_db(None, {"TQMAP_DB": value})
    assert "TQMAP_DB" in str(exc.value)


def test_password_never_shown():
    with pytest.raises(ConfigError) as exc:
        _config.parse_db(None, {"TQMAP_DB": "mysql://u:bi-mat@h/db"})
    assert "bi-mat" not in str(exc.value)
    spec = _config.parse_db("postgresql://u:bi-mat@h:5433/db")
    assert "bi-mat" not in spec.display_url and spec.display_url == "postgresql://u:***@h:5433/db"


def _geo(tmp_path, *args, **env):
    import os
    import subprocess
    import sys

    from geo.paths import REPO_ROOT

    full = {**os.environ, **env}
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=tmp_path, env=full, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("url", ["postgres://postgres@/tqmap?host=/tmp&port=5432", "mysql://root@localhost/tq",
                                 "http://x/app.db"])
def test_unservable_db_refused_and_no_folder_created(tmp_path, url):
    """Issue 14's defect: ``TQMAP_DB=postgresql:…`` once created a folder literally named ``postgresql:``."""
    from geo.paths import REPO_ROOT

    r = _geo(tmp_path, "demo", TQMAP_DB=url, PYTHONPATH=str(REPO_ROOT))
    assert r.returncode == 2 and "LỖI" in r.stderr and "không được hỗ trợ" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_postgresql_url_never_becomes_a_sqlite_file(tmp_path):
    from geo.paths import REPO_ROOT
    from geo.store import open_store

    url = "postgresql://postgres@/tqmap?host=" + str(tmp_path / "nosock") + "&port=5432"
    r = _geo(tmp_path, "revisions", "list", TQMAP_DB=url, PYTHONPATH=str(REPO_ROOT))
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert not (tmp_path / "postgresql:").exists() and not list(tmp_path.glob("*.db"))
    try:
        import geo.store.postgres  # noqa: F401  (the postgres helper's backend)
    except ModuleNotFoundError:
        with pytest.raises(ConfigError, match="PostgreSQL"):
            open_store(url)


def test_other_variables(tmp_path):
    assert _config.boundaries_path({"TQMAP_BOUNDARIES": "/x/b.gpkg"}) == Path("/x/b.gpkg")
    assert _config.boundaries_path({}).name == "tuyen_quang_2025.gpkg"
    assert _config.mirror_dir({"TQMAP_MIRROR": str(tmp_path)}) == tmp_path
    assert _config.offline({"TQMAP_OFFLINE": "1"}) and not _config.offline({"TQMAP_OFFLINE": "0"})
    assert _config.login_concurrency({}) == 4 and _config.login_concurrency({"TQMAP_LOGIN_CONCURRENCY": "2"}) == 2
    with pytest.raises(ConfigError, match="TQMAP_LOGIN_CONCURRENCY"):
        _config.login_concurrency({"TQMAP_LOGIN_CONCURRENCY": "0"})
    assert _config.chromium_path({"TQMAP_CHROMIUM": "/opt/c"}) == "/opt/c"


def test_every_tqmap_variable_is_documented_in_config():
    """Every TQMAP_* name used in the code is in geo/config.py's table."""
    import re

    from geo.paths import REPO_ROOT

    doc = (REPO_ROOT / "geo" / "config.py").read_text(encoding="utf-8")
    used = set()
    for p in [*REPO_ROOT.glob("geo/**/*.py"), *REPO_ROOT.glob("ui/**/*.py"), *REPO_ROOT.glob("pages/*.py"),
              REPO_ROOT / "app.py", *REPO_ROOT.glob("tests/*.py")]:
        used |= set(re.findall(r"TQMAP_[A-Z_]+[A-Z]", p.read_text(encoding="utf-8")))
    missing = sorted(v for v in used if v not in doc)
    assert not missing, missing
