"""The map pages' downloads (ui/downloads.py): the registry of offered files, the paper size read
from a request, the file name header, and the ASGI endpoint, driven as the server drives it (no
Streamlit, a real SQLite store for the audit)."""

from __future__ import annotations

import asyncio
import json
import urllib.parse

import pytest

from geo.store import open_store
from ui import downloads
from ui.downloads import DownloadEndpoint, DownloadError, Offer, Registry


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _offer(item="pdf-1", paper=True, make=None, name="to-trinh_{paper}_minh-hoa.pdf"):
    return Offer(item, "Tờ trình PDF", name, "application/pdf", "PDF overview {paper} 2025",
                 make or (lambda p: b"%PDF-" + (p or "none").encode()), paper=paper)


@pytest.fixture()
def store(tmp_path):
    s = open_store(tmp_path / "app.db")
    yield s
    s.close()


def _registry(store, alive=lambda sid: True, clock=None, **kw):
    reg = Registry(alive=alive, clock=clock or Clock(), **kw)
    reg.offer("tok-aaaaaaaaaaaaaaaa", session_id="s1", user="can-bo", store=store, lang="vi",
              offers=[_offer(), _offer("html-1", paper=False, name="ban-do.html")])
    return reg


def test_a_file_is_made_when_asked_and_audited(store):
    reg = _registry(store)
    before = len(store.audit_entries(limit=None))
    offer, paper, data, s = downloads.make_file(reg, "tok-aaaaaaaaaaaaaaaa", "pdf-1", "paper=A3")
    assert (paper, data, offer.file_name(paper)) == ("a3", b"%PDF-a3", "to-trinh_a3_minh-hoa.pdf")
    entries = store.audit_entries(limit=None)
    assert len(entries) == before + 1
    assert (entries[0].user, entries[0].action, entries[0].what) == ("can-bo", "export", "PDF overview a3 2025")
    # no paper asked: A4; a file without a paper size ignores the query
    assert downloads.make_file(reg, "tok-aaaaaaaaaaaaaaaa", "pdf-1", "")[1] == "a4"
    assert downloads.make_file(reg, "tok-aaaaaaaaaaaaaaaa", "html-1", "paper=zz")[1] is None


@pytest.mark.parametrize("query", ["paper=a0", "paper=", "paper=a4&paper=a3", "paper=%3Cb%3E"])
def test_a_bad_paper_size_is_refused_and_nothing_is_written(store, query):
    reg = _registry(store)
    before = len(store.audit_entries(limit=None))
    with pytest.raises(DownloadError) as e:
        downloads.make_file(reg, "tok-aaaaaaaaaaaaaaaa", "pdf-1", query)
    assert e.value.status == 400 and "Khổ giấy" in e.value.message and "A4 hoặc A3" in e.value.message
    assert len(store.audit_entries(limit=None)) == before


def test_unknown_ended_expired_and_revoked_offers_give_no_file(store):
    clock = Clock()
    alive = {"s1": True}
    reg = _registry(store, alive=lambda sid: alive.get(sid, False), clock=clock)
    with pytest.raises(DownloadError) as e:
        downloads.make_file(reg, "tok-aaaaaaaaaaaaaaaa", "xlsx-9", "")
    assert e.value.status == 404 and "xlsx-9" in e.value.message
    with pytest.raises(DownloadError) as e:
        downloads.make_file(reg, "tok-bbbbbbbbbbbbbbbb", "pdf-1", "")
    assert e.value.status == 404 and "hết hạn" in e.value.message
    alive["s1"] = False  # the tab closed: Streamlit ended the session
    with pytest.raises(DownloadError):
        downloads.make_file(reg, "tok-aaaaaaaaaaaaaaaa", "pdf-1", "")
    assert len(reg) == 0
    # an offer outlives its run by the TTL only
    reg2 = _registry(store, clock=clock)
    clock.now += downloads.TTL_S + 1
    with pytest.raises(DownloadError):
        downloads.make_file(reg2, "tok-aaaaaaaaaaaaaaaa", "pdf-1", "")
    # logout: every offer of that session goes
    reg3 = _registry(store)
    assert reg3.revoke("s1") == 1 and reg3.revoke("s1") == 0
    with pytest.raises(DownloadError):
        downloads.make_file(reg3, "tok-aaaaaaaaaaaaaaaa", "pdf-1", "")


def test_a_failed_build_is_said_and_not_audited(store):
    def broken(_paper):
        raise RuntimeError("hết bộ nhớ")

    reg = _registry(store)
    reg.offer("tok-aaaaaaaaaaaaaaaa", session_id="s1", user="can-bo", store=store, lang="vi",
              offers=[_offer("png-1", make=broken, name="to-trinh_{paper}.png")])
    before = len(store.audit_entries(limit=None))
    with pytest.raises(DownloadError) as e:
        downloads.make_file(reg, "tok-aaaaaaaaaaaaaaaa", "png-1", "paper=a4")
    assert e.value.status == 500
    assert "Không tạo được tệp to-trinh_a4.png" in e.value.message and "hết bộ nhớ" in e.value.message
    assert len(store.audit_entries(limit=None)) == before


def test_the_registry_is_bounded(store):
    reg = Registry(alive=lambda sid: True, max_sessions=3)
    for i in range(5):
        reg.offer(f"tok-{i:016d}", session_id=f"s{i}", user="u", store=store, lang="vi", offers=[_offer()])
    assert len(reg) == 3
    with pytest.raises(DownloadError):
        reg.find("tok-0000000000000000", "pdf-1")
    reg.offer("tok-x", session_id="s", user="u", store=store, lang="vi",
              offers=[_offer(f"pdf-{i}") for i in range(downloads.MAX_ITEMS + 5)])
    with pytest.raises(DownloadError):
        reg.find("tok-x", "pdf-0")  # the oldest items went
    assert reg.find("tok-x", f"pdf-{downloads.MAX_ITEMS + 4}")[1].item == f"pdf-{downloads.MAX_ITEMS + 4}"
    with pytest.raises(ValueError):
        reg.offer("tok-x", session_id="s", user="u", store=store, lang="vi", offers=[_offer("../etc")])


def test_the_file_name_header_holds_vietnamese_names():
    h = downloads.content_disposition("bản-đồ_Hà Giang.html")
    assert h.startswith('attachment; filename="b')
    assert h.encode("latin-1")  # a header value
    assert urllib.parse.unquote(h.split("filename*=UTF-8''", 1)[1]) == "bản-đồ_Hà Giang.html"
    assert '"' not in h.split('filename="', 1)[1].split('"', 1)[0]


# --- the endpoint, as the ASGI server calls it ------------------------------------------------------
def _call(app, path, method="GET", query=b"", on_start=None):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(msg):
        if msg["type"] == "http.response.start" and on_start is not None:
            on_start()
        sent.append(msg)

    scope = {"type": "http", "method": method, "path": path, "query_string": query, "headers": []}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode("latin-1") for k, v in start["headers"]}, body


def test_the_endpoint_answers_its_address_and_passes_everything_else(store):
    reg = _registry(store)
    passed = []

    async def inner(scope, receive, send):
        passed.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app = DownloadEndpoint(inner, registry=reg)
    audited = len(store.audit_entries(limit=None))
    at_start = []  # the audit as the answer starts: the export is recorded before any byte is sent
    status, headers, body = _call(app, "/_tq/dl/tok-aaaaaaaaaaaaaaaa/pdf-1", query=b"paper=a3",
                                  on_start=lambda: at_start.append([e.what for e in store.audit_entries(limit=None)]))
    assert (status, body) == (200, b"%PDF-a3")
    assert at_start[0][:len(at_start[0]) - audited] == ["PDF overview a3 2025"]
    assert headers["content-type"] == "application/pdf" and headers["cache-control"] == "no-store"
    assert "to-trinh_a3_minh-hoa.pdf" in headers["content-disposition"]
    # behind a path prefix (a proxy) too
    assert _call(app, "/tqmap/_tq/dl/tok-aaaaaaaaaaaaaaaa/html-1")[0] == 200
    # refusals: JSON with the Vietnamese message, nothing audited
    before = len(store.audit_entries(limit=None))
    for path, query, method, want in (("/_tq/dl/tok-aaaaaaaaaaaaaaaa/pdf-1", b"paper=b5", "GET", 400),
                                      ("/_tq/dl/tok-zzzzzzzzzzzzzzzz/pdf-1", b"", "GET", 404),
                                      ("/_tq/dl/tok-aaaaaaaaaaaaaaaa/pdf-1", b"", "POST", 405)):
        status, headers, body = _call(app, path, method, query)
        assert status == want, path
        assert headers["content-type"].startswith("application/json")
        assert json.loads(body.decode("utf-8"))["error"]
    assert len(store.audit_entries(limit=None)) == before
    # everything else passes untouched
    for path in ("/", "/_stcore/health", "/_tq/dl/short/pdf-1", "/_tq/dl/tok-aaaaaaaaaaaaaaaa/a/b"):
        assert _call(app, path)[0] == 204
    assert passed == ["/", "/_stcore/health", "/_tq/dl/short/pdf-1", "/_tq/dl/tok-aaaaaaaaaaaaaaaa/a/b"]
