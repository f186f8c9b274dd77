"""Two hints at the top of Streamlit's page (index.html), added by an ASGI middleware of the app's
server (ui/asgi.py): where its server is, and which files the page's map will ask for.

Why: a page opened at its own path (a shared link ``/ho_so_xa?xa=00694``, a bookmark, a reload of
``/tuyen``) made Streamlit's page ask ``/ho_so_xa/_stcore/health`` first (404: the server is at
``/``), wait 100 ms and then ask the root (streamlit/streamlit#7074). The script sets
``window.__streamlit.BACKEND_BASE_URL`` (Streamlit's own setting for a page that hosts it) to the
URL without its last segment, when that segment is one of the app's page paths (ui/nav.py). So it
holds behind a proxy that adds a prefix (``/tqmap/tuyen`` -> ``/tqmap/``), and any other URL is
left to Streamlit's own search. Measured: -90 ms median on opening ``/tuyen`` (10 interleaved
visits each); nothing changes at ``/``.

The files: a map page's persistent map (livemap) asks for its module, Leaflet, the decoder and its
geometry files only once Streamlit has started, connected, run the page and mounted the map. The
network is idle before that (Streamlit waits for its server's answers). So, once the page has
loaded, the page hint has the browser fetch them (``<link rel=preload>`` / ``modulepreload``: the
very URLs the map asks for, livemap.PRELOAD, and the geometry files the page's map last showed in
this server process, geo.maps.live.SHOWN); the map then finds them fetched. Only fetched: running
Leaflet and decoding the geometry that early was measured no faster (it competes with Streamlit's
own start). Measured, 8-10 interleaved visits each, twice: the Overview -61 and -63 ms median,
/tuyen -81 ms. The first visit after a start gets the files the warm start noted
(geo.maps.warm).

The geometry files themselves (:class:`GeometryCache`): each one's name is its content's hash, so
it is answered with ``Cache-Control: immutable``; a browser that has it does not ask again in a
later session or after a reload (Streamlit's static files carry no cache header of their own).
"""

from __future__ import annotations

import gzip
import hashlib
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
          "var last;try{last=decodeURIComponent(p.slice(i+1));}catch(e){return;}"  # a malformed %-escape
          "if(P.indexOf(last)<0)return;"
          "window.__streamlit=Object.assign({},window.__streamlit||{},"
          "{BACKEND_BASE_URL:location.origin+p.slice(0,i+1)});})();") % json.dumps(paths)
    return b"<script>" + js.encode("utf-8") + b"</script>"


def map_of_path(path: str) -> str | None:
    """The key of the persistent map of the page served at ``path`` (ui/nav.py ``PageSpec.map``;
    ``/`` is the overview), or None (a page without a map, an unknown path)."""
    from ui import nav

    name = {nav._path(p.name): p.name for p in nav.PAGES} | {nav.HOME: nav.HOME, "": nav.HOME}
    last = path.rstrip("/").rsplit("/", 1)[-1]
    spec = nav.BY_NAME.get(name.get(last, ""))
    return spec.map if spec is not None else None


def preload_script(files: dict) -> bytes:
    """A script that, once the page has loaded, has the browser fetch ``files`` (``{"module",
    "script", "style", "fetch"}``: URL lists, each fetched as the page will ask for it: a module
    import, a classic script, a stylesheet, a ``fetch()``). Fetched only: nothing runs before the
    page asks for it."""
    got = {k: list(files.get(k, ())) for k in ("module", "script", "style", "fetch")}
    js = ("window.addEventListener('load',function(){var h=document.head,F=%s;"
          "function L(r,u,a,c){var l=document.createElement('link');l.rel=r;l.href=u;if(a)l.as=a;"
          "if(c)l.crossOrigin='anonymous';l.setAttribute('data-tq-early','');h.appendChild(l);}"
          "F.module.forEach(function(u){L('modulepreload',u);});F.script.forEach(function(u){L('preload',u,'script');});"
          "F.style.forEach(function(u){L('preload',u,'style');});F.fetch.forEach(function(u){L('preload',u,'fetch',1);});});"
          ) % json.dumps(got).replace("</", "<\\/")
    return b"<script>" + js.encode("utf-8") + b"</script>"


def page_files(path: str) -> dict | None:
    """What the page at ``path`` will fetch for its map (livemap.PRELOAD and the geometry files
    its map last showed in this process), or None for a page without a map."""
    import livemap
    from geo.maps import live

    key = map_of_path(path)
    if key is None:
        return None
    return {**livemap.PRELOAD, "fetch": live.SHOWN.get(key, ())}


_HEAD = re.compile(rb"<head[^>]*>", re.I)


def with_hint(body: bytes, script: bytes) -> bytes:
    """``body`` (an HTML page) with ``script`` right after ``<head>``; unchanged without a head."""
    m = _HEAD.search(body)
    return body if m is None else body[:m.end()] + script + body[m.end():]


class PageHints:
    """ASGI middleware: every HTML page the server answers a GET with (Streamlit's index.html,
    whatever the path) gets :func:`hint_script` at the top of its head and, on a map page,
    :func:`preload_script` of :func:`page_files`. Other answers pass untouched. A compressed page
    is decompressed and sent as is (about 2 KB). ``paths``/``files``: for tests (the app's page
    paths; a function of the request path giving the files, or None)."""

    def __init__(self, app, paths: list[str] | None = None, files=None):
        self.app = app
        self.script = hint_script(page_paths() if paths is None else paths)
        self.files = page_files if files is None else files

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
                files = self.files(scope.get("path", "/"))
                script = self.script + (preload_script(files) if files else b"")
                hinted = with_hint(body, script)
                headers = [(k, v) for k, v in start["headers"] if k.lower() not in drop]
                if hinted != body:  # another body: another ETag (a browser's copy is revalidated against it)
                    headers = [(k, _etag(v, script) if k.lower() == b"etag" else v) for k, v in headers]
                body = hinted
                await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
            await send(msg)

        await self.app(scope, receive, send_hinted)


def _etag(tag: bytes, script: bytes) -> bytes:
    """Streamlit's ETag of its page, made that of the page with ``script`` in it: a browser that
    revalidates its copy gets the hinted page again, never a 304 for a copy of another body."""
    weak = tag.startswith(b"W/")
    core = tag[2:] if weak else tag
    core = core.strip().strip(b'"') + b"-" + hashlib.sha1(script).hexdigest()[:12].encode()
    return (b"W/" if weak else b"") + b'"' + core + b'"'


IMMUTABLE = b"public, max-age=31536000, immutable"


def geometry_path_pattern() -> re.Pattern:
    """The address of a geometry file of the persistent map: its name is its content's hash
    (geo.maps.live: "g" and 16 hex digits of the file's SHA-1), so what one address answers never
    changes."""
    from geo.maps.live import GEO_URL

    return re.compile(re.escape(GEO_URL) + r"/g[0-9a-f]{16}\.json$")


class GeometryCache:
    """ASGI middleware: the map's geometry files are answered with ``Cache-Control: immutable`` (a
    year), so a browser that has one keeps it across sessions and reloads, without asking the server
    again (without it, each new session's page revalidated or fetched them again). Only those
    files, only a 200 answer to a GET or HEAD; everything else passes untouched."""

    def __init__(self, app):
        self.app = app
        self.pattern = geometry_path_pattern()

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD")
                or not self.pattern.search(scope.get("path", ""))):
            await self.app(scope, receive, send)
            return

        async def send_cached(msg):
            if msg["type"] == "http.response.start" and msg.get("status") == 200:
                headers = [(k, v) for k, v in msg.get("headers", []) if k.lower() != b"cache-control"]
                msg = {**msg, "headers": [*headers, (b"cache-control", IMMUTABLE)]}
            await send(msg)

        await self.app(scope, receive, send_cached)
