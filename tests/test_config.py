"""Runtime configuration from environment variables and a real secrets.toml written to tmp_path."""

from __future__ import annotations

import subprocess
import textwrap

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
