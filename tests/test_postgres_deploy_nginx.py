"""The nginx site of deploy/ (as `make cluster` runs it): a browser pinned to a replica stays there
when some of its requests fail. nginx's default marks a replica down after failed requests and
re-hashes its browsers onto another replica for a while; a Streamlit browser whose WebSocket then
(re)connects there finds no session — logged out, its submitted login form lost. Two small HTTP
servers stand in for the replicas (no Streamlit, no PostgreSQL)."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _replica(name: str):
    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/fail":  # a request the replica drops (reset, crash of one handler…)
                self.connection.shutdown(socket.SHUT_RDWR)
                self.connection.close()
                return
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def _get(port: int, path: str, cookie: str | None = None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        r = c.getresponse()
        return r.status, r.read().decode(), r.getheader("Set-Cookie")
    finally:
        c.close()


@pytest.fixture()
def site(tmp_path):
    from deploy.cluster import LocalCluster, _nginx_bin

    try:
        _nginx_bin()
    except RuntimeError as exc:
        pytest.fail(f"{exc}", pytrace=False)
    a, b = _replica("A"), _replica("B")
    fake = SimpleNamespace(base=tmp_path, port=_free_port(), upload_mb=20,
                           replicas=[(a.server_address[1], None, None), (b.server_address[1], None, None)])
    LocalCluster._start_nginx(fake)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(fake.port, "/who")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (Path(tmp_path / "nginx" / "stderr.log").read_text())
            time.sleep(0.1)
        yield fake.port, {"A": a, "B": b}
    finally:
        fake.nginx.terminate()
        fake.nginx.wait(30)
        a.shutdown()
        b.shutdown()


def test_a_pinned_browser_stays_on_its_replica_when_requests_fail(site):
    port, _ = site
    status, first, set_cookie = _get(port, "/who")
    assert status == 200 and set_cookie and set_cookie.startswith("tqmap_srv=")
    cookie = set_cookie.split(";", 1)[0]
    assert all(_get(port, "/who", cookie)[1] == first for _ in range(5))  # sticky
    for _ in range(5):  # its replica drops requests: each one is answered by the other (GET retried)
        status, body, _ = _get(port, "/fail", cookie)
        assert status in (200, 502)
    assert [_get(port, "/who", cookie)[1] for _ in range(5)] == [first] * 5  # still pinned: never re-hashed


def test_the_site_keeps_no_idle_upstream_connections():
    """uvicorn (Streamlit's server) closes idle connections after 5 s; nginx reusing one it just
    closed fails the request ("Connection reset by peer"): measured under 20 browsers."""
    from deploy.cluster import render_site

    site = render_site(["127.0.0.1:8501", "127.0.0.1:8502"])
    assert "keepalive " not in site.split("server {", 1)[0]
    assert 'proxy_set_header Connection "";' not in site
