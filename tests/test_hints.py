"""ui/hints.py: the script that tells Streamlit's page where its server is, and the ASGI middleware
that puts it at the top of every HTML page (and touches nothing else). The script's behaviour in a
browser is tested in tests/test_e2e_deeplinks.py."""

from __future__ import annotations

import asyncio
import gzip
from concurrent.futures import ThreadPoolExecutor

import pytest

from ui.hints import IMMUTABLE, GeometryCache, PageHints, geometry_path_pattern, hint_script, page_paths, with_hint

INDEX = b"<!doctype html><html lang=\"en\"><head><meta charset=\"UTF-8\" /><title>Streamlit</title></head><body></body></html>"


def _serve(status: int, ctype: bytes, chunks: list[bytes], extra: list | None = None):
    """A tiny ASGI app answering every request with ``chunks`` (a body sent in parts)."""
    async def app(scope, receive, send):
        headers = [(b"content-type", ctype), (b"content-length", str(sum(map(len, chunks))).encode()), *(extra or [])]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        for i, c in enumerate(chunks):
            await send({"type": "http.response.body", "body": c, "more_body": i < len(chunks) - 1})
    return app


def _call(app, method: str = "GET", path: str = "/tuyen", kind: str = "http", *,
          paths=("tuyen", "ho_so_xa"), files=lambda path: None, middleware=None):
    """Run the middleware (PageHints, or ``middleware(app)``) over ``app`` for one request:
    (response start, its headers, the body)."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(msg):
        sent.append(msg)

    mw = middleware(app) if middleware else PageHints(app, paths=list(paths), files=files)
    call = mw({"type": kind, "method": method, "path": path, "headers": []}, receive, send)
    # in a thread of its own: the browser tests' Playwright keeps an event loop in this one
    with ThreadPoolExecutor(1) as ex:
        ex.submit(asyncio.run, call).result()
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start, dict(start["headers"]), body


SCRIPT = hint_script(["tuyen", "ho_so_xa"])


def test_the_app_pages_paths_are_all_known():
    paths = page_paths()
    # every page of ui/nav.py at its own path, the overview's own path and the old /tong_quan
    assert {"tuyen", "xa_trong_diem", "ho_so_xa", "tien_do", "trinh_chieu", "tuong", "nguon_du_lieu",
            "nhap_du_lieu", "lich_su", "quan_tri", "trang_chu", "tong_quan"} <= set(paths)
    assert "" not in paths


def test_an_html_page_gets_the_script_first_in_its_head():
    start, headers, body = _call(_serve(200, b"text/html; charset=utf-8", [INDEX[:40], INDEX[40:]]))
    assert body == INDEX.replace(b"<head>", b"<head>" + SCRIPT, 1)
    assert body.index(SCRIPT) < body.index(b"<meta")
    assert headers[b"content-length"] == str(len(body)).encode()
    assert start["status"] == 200


def test_a_compressed_page_is_sent_decompressed_with_the_script():
    start, headers, body = _call(_serve(200, b"text/html", [gzip.compress(INDEX)],
                                        extra=[(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]))
    assert body == INDEX.replace(b"<head>", b"<head>" + SCRIPT, 1)
    assert b"content-encoding" not in headers
    assert headers[b"content-length"] == str(len(body)).encode()


@pytest.mark.parametrize("status,ctype,method", [
    (200, b"application/javascript", "GET"),  # Streamlit's scripts
    (200, b"application/json", "GET"),  # host-config
    (404, b"text/html", "GET"),  # an error page is not Streamlit's page
    (200, b"text/html", "POST"),
    (200, b"text/html", "HEAD"),
])
def test_everything_else_passes_untouched(status, ctype, method):
    start, headers, body = _call(_serve(status, ctype, [INDEX]), method=method)
    assert body == INDEX
    assert headers[b"content-length"] == str(len(INDEX)).encode()
    assert start["status"] == status


def test_a_page_without_a_head_is_left_as_it_is():
    assert with_hint(b"<html><body>x</body></html>", SCRIPT) == b"<html><body>x</body></html>"
    assert with_hint(b"<HTML><HEAD lang=vi><title>", b"<s>") == b"<HTML><HEAD lang=vi><s><title>"


def test_the_script_names_only_the_given_paths():
    js = hint_script(["tuyen", "ho_so_xa"]).decode()
    assert js.startswith("<script>") and js.endswith("</script>")
    assert '["tuyen", "ho_so_xa"]' in js
    assert "BACKEND_BASE_URL" in js and "</script" not in js[8:-9]


@pytest.mark.parametrize("path,key", [
    ("/", "overview"), ("/trang_chu", "overview"), ("/tong_quan", "overview"),
    ("/tuyen", "route"), ("/tuyen/", "route"), ("/tqmap/ho_so_xa", "profile"),
    ("/xa_trong_diem", "key"), ("/tien_do", "change"),
    ("/nhap_du_lieu", None), ("/trinh_chieu", None), ("/khong_co", None),
])
def test_a_path_names_its_pages_map(path, key):
    from ui.hints import map_of_path

    assert map_of_path(path) == key


def test_a_map_page_gets_its_maps_files_and_a_page_without_a_map_none(monkeypatch):
    import livemap
    from geo.maps import live
    from ui.hints import page_files

    monkeypatch.setattr(live, "SHOWN", {"route": ("/app/static/vendor/tq-geo/gabc.json",)})
    got = page_files("/tuyen")
    assert got["fetch"] == ("/app/static/vendor/tq-geo/gabc.json",)
    assert {k: got[k] for k in ("module", "script", "style")} == livemap.PRELOAD
    assert page_files("/")["fetch"] == ()  # nothing shown yet: the libraries only
    assert page_files("/nhap_du_lieu") is None and page_files("/khong_co") is None


def test_the_warm_start_guess_never_replaces_what_a_page_showed(monkeypatch):
    from geo.maps import live

    class Shown:
        def __init__(self, *urls):
            self.layers = [{"url": u} for u in urls]

    monkeypatch.setattr(live, "SHOWN", {})
    live.note_shown("overview", Shown("/a.json", "/b.json", "/a.json"), if_new=True)
    assert live.SHOWN["overview"] == ("/a.json", "/b.json")  # once each, in order
    live.note_shown("overview", Shown("/c.json"))  # a page showed it
    live.note_shown("overview", Shown("/d.json"), if_new=True)  # a later warm start
    assert live.SHOWN["overview"] == ("/c.json",)


def test_the_middleware_adds_the_pages_files_after_the_address():
    from ui.hints import preload_script

    files = {"module": ["/app/static/tq-live.js"], "fetch": ["/app/static/vendor/tq-geo/g1.json"]}
    app = _serve(200, b"text/html", [INDEX])
    for path, want in (("/tuyen", True), ("/nhap_du_lieu", False)):
        _, _, body = _call(app, path=path, paths=["tuyen"], files=lambda p: files if p == "/tuyen" else None)
        pre = preload_script(files)
        assert body.startswith(b"<!doctype html><html lang=\"en\"><head>" + hint_script(["tuyen"]))
        assert (pre in body) is want


def test_the_preload_script_holds_each_file_once_and_no_closing_tag():
    from ui.hints import preload_script

    js = preload_script({"module": ["/m.js"], "script": ["/s.js"], "style": ["/c.css"],
                         "fetch": ["/g.json", "/x</script>.json"]}).decode()
    for u in ("/m.js", "/s.js", "/c.css", "/g.json"):
        assert js.count(f'"{u}"') == 1
    assert "</script" not in js[8:-9] and "<\\/script>" in js


def test_a_hinted_page_has_an_etag_of_its_own():
    """The page's body changed, so did its ETag: a browser revalidating its copy of the hinted page
    is never told 304 for the body Streamlit holds, and two hinted bodies have two ETags."""
    etag = [(b"etag", b'"65520df55dc1"')]
    _s, plain, _b = _call(_serve(200, b"text/html", [INDEX], extra=etag))
    _s, mapped, _b = _call(_serve(200, b"text/html", [INDEX], extra=etag),
                           files=lambda path: {"module": ["/app/static/tq-live.js"]})
    assert plain[b"etag"].startswith(b'"65520df55dc1-') and plain[b"etag"].endswith(b'"')
    assert mapped[b"etag"] != plain[b"etag"]
    _s, weak, _b = _call(_serve(200, b"text/html", [INDEX], extra=[(b"etag", b'W/"abc"')]))
    assert weak[b"etag"].startswith(b'W/"abc-')
    _s, kept, _b = _call(_serve(200, b"text/html", [b"<html><body>x</body></html>"], extra=etag))
    assert kept[b"etag"] == b'"65520df55dc1"'  # no head: the body as it was, its ETag too


GEO = "/app/static/vendor/tq-geo/ga75f156d0980c829.json"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_geometry_file_is_kept_by_the_browser(method):
    start, headers, body = _call(_serve(200, b"application/json", [b"{}"], extra=[(b"cache-control", b"no-cache")]),
                                 method=method, path=GEO, middleware=GeometryCache)
    assert headers[b"cache-control"] == IMMUTABLE
    assert [k for k, _v in start["headers"]].count(b"cache-control") == 1
    assert body == b"{}"


@pytest.mark.parametrize("path,status,method", [
    ("/app/static/vendor/leaflet/leaflet.js", 200, "GET"),  # not named by its content
    ("/app/static/tq-live.js", 200, "GET"),
    ("/app/static/vendor/tq-geo/ga75f156d0980c829.json.bak", 200, "GET"),
    ("/app/static/vendor/tq-geo/gA75F156D0980C829.json", 200, "GET"),
    (GEO, 404, "GET"),
    (GEO, 200, "POST"),
])
def test_nothing_else_gets_the_cache_header(path, status, method):
    start, headers, _b = _call(_serve(status, b"application/json", [b"{}"]), method=method, path=path,
                               middleware=GeometryCache)
    assert b"cache-control" not in headers and start["status"] == status


def test_the_maps_geometry_addresses_are_those_the_cache_rule_names(demo_db, monkeypatch):
    """The rule's address pattern holds for the files the app's map really asks for."""
    from geo import yearview
    from geo.maps import live
    from geo.store import open_store

    store = open_store(demo_db)
    try:
        lm = live.split(live.app_view(yearview.year_view(store, 2025), "overview"))
    finally:
        store.close()
    urls = {layer["url"] for layer in lm.data(send_tips=False)["fix"]["layers"]}
    assert urls and all(geometry_path_pattern().search(u) for u in urls)
