"""A script at the top of Streamlit's page (index.html) that tells it where its server is, added by
an ASGI middleware of the app's server (ui/asgi.py).

Why: a page opened at its own path (a shared link ``/ho_so_xa?xa=00694``, a bookmark, a reload of
``/tuyen``) made Streamlit's page ask ``/ho_so_xa/_stcore/health`` first (404: the server is at
``/``), wait 100 ms and then ask the root (streamlit/streamlit#7074). The script sets
``window.__streamlit.BACKEND_BASE_URL`` (Streamlit's own setting for a page that hosts it) to the
URL without its last segment, when that segment is one of the app's page paths (ui/nav.py). So it
holds behind a proxy that adds a prefix (``/tqmap/tuyen`` -> ``/tqmap/``), and any other URL is
left to Streamlit's own search. Measured: -90 ms median on opening ``/tuyen`` (10 interleaved
visits each); nothing changes at ``/``.
"""

from __future__ import annotations

import gzip
import json
import re


def page_paths() -> list[str]:
    """Every url path a page of the app is served at (ui/nav.py: the pages, the overview's own
    path and the old /tong_quan)."""
    from ui import nav

    return sorted({nav._path(p.name) for p in nav.PAGES} | {nav.HOME})


def hint_script(paths: list[str]) -> bytes:
    """The script put first in Streamlit's page: sets Streamlit's server address when the page's
    URL ends in one of ``paths``; otherwise does nothing (Streamlit searches as it always does)."""
    js = ("(function(){var P=%s,p=location.pathname.replace(/\\/+$/,''),i=p.lastIndexOf('/');"
          "if(P.indexOf(decodeURIComponent(p.slice(i+1)))<0)return;"
          "window.__streamlit=Object.assign({},window.__streamlit||{},"
          "{BACKEND_BASE_URL:location.origin+p.slice(0,i+1)});})();") % json.dumps(paths)
    return b"<script>" + js.encode("utf-8") + b"</script>"


_HEAD = re.compile(rb"<head[^>]*>", re.I)


def with_hint(body: bytes, script: bytes) -> bytes:
    """``body`` (an HTML page) with ``script`` right after ``<head>``; unchanged without a head."""
    m = _HEAD.search(body)
    return body if m is None else body[:m.end()] + script + body[m.end():]


class BaseUrlHint:
    """ASGI middleware: every HTML page the server answers a GET with (Streamlit's index.html,
    whatever the path) gets :func:`hint_script` at the top of its head. Other answers pass
    untouched. A compressed page is decompressed and sent as is (about 1.5 KB)."""

    def __init__(self, app, paths: list[str] | None = None):
        self.app = app
        self.script = hint_script(page_paths() if paths is None else paths)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        held: dict = {}

        async def send_hinted(msg):
            if msg["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in msg.get("headers", [])}
                if msg.get("status") == 200 and headers.get(b"content-type", b"").startswith(b"text/html"):
                    held["start"], held["body"] = msg, []
                    return
            elif msg["type"] == "http.response.body" and "start" in held:
                held["body"].append(msg.get("body", b""))
                if msg.get("more_body"):
                    return
                start, body = held.pop("start"), b"".join(held.pop("body"))
                drop = {b"content-length"}
                if any(k.lower() == b"content-encoding" and v.strip().lower() == b"gzip" for k, v in start["headers"]):
                    body, drop = gzip.decompress(body), drop | {b"content-encoding"}
                body = with_hint(body, self.script)
                headers = [(k, v) for k, v in start["headers"] if k.lower() not in drop]
                await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
            await send(msg)

        await self.app(scope, receive, send_hinted)
