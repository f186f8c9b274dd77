"""The map pages' downloads (standalone HTML map, PDF/PNG briefing sheet, Excel table): the files
a run offers, and the server's address that makes one when the browser asks for it.

Why not ``st.download_button``: each is a Streamlit element with its own script chunk (fetched and
run on every map page's first open), and the Overview's row of three, in five columns, cost ~45 ms
of its open (measured: the row left out, 12 interleaved visits, twice). The row is now one element
of ours (livemap.downloads, static/tq-live.js ``downloadRow``): native buttons, the paper size and
the print button in it, no rerun when the paper changes.

How a download works:

1. A run offers its files (:meth:`Registry.offer`, through ui.mapview.offer_files): for each, a function that makes the bytes (called only
   when asked), the file's name, its type and the audit text. They are kept in :data:`REGISTRY`
   under this browser session's token (random, 144 bits, made once per session), with the
   session's id and the user's name.
2. A click asks ``GET /_tq/dl/<token>/<item>?paper=a4`` (:class:`DownloadEndpoint`, an ASGI
   middleware of the app's server, ui/asgi.py). The file is made then, on a worker thread, from
   the data of that moment, the export is audited, and the answer carries the file as an
   attachment. A wrong address, a paper size other than A4/A3, a token of a session that has ended
   (tab closed, logout, server restart) or a failed build is answered with a JSON ``{"error": …}``
   in the page's language; the browser shows it under the buttons and saves nothing.

The token is the capability, as Streamlit's own media addresses are: it is known only to the
session that made it, dies with that session (checked on every request) and at logout, and an
offer is kept at most :data:`TTL_S` after the run that made it. Behind nginx the sticky cookie
sends the request to the replica that holds the session (deploy/nginx).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import threading
import time
import traceback
import urllib.parse
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

from geo.i18n import t

PREFIX = "/_tq/dl/"
PAPERS = ("a4", "a3")
TTL_S = 4 * 3600  # an offer outlives the run that made it by this much (a page left open over lunch)
MAX_SESSIONS = 5000  # the oldest session's offers go first beyond this
MAX_ITEMS = 64  # per session (a few per page)
_ITEM = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_PATH = re.compile(re.escape(PREFIX) + r"([A-Za-z0-9_-]{16,64})/([^/]{1,64})$")


@dataclass(frozen=True)
class Offer:
    """One file a page offers. ``make(paper)`` gives its bytes (``paper`` is None unless
    ``paper``); ``name`` and ``what`` (the audit text) may hold ``{paper}``."""

    item: str
    label: str
    name: str
    mime: str
    what: str
    make: Callable[[str | None], bytes]
    paper: bool = False

    def file_name(self, paper: str | None) -> str:
        return self.name.replace("{paper}", paper or "")

    def audit_text(self, paper: str | None) -> str:
        return self.what.replace("{paper}", paper or "")


@dataclass
class _Session:
    session_id: str
    user: str
    store: object
    lang: str
    until: float
    items: "OrderedDict[str, Offer]" = field(default_factory=OrderedDict)


class DownloadError(Exception):
    """A request that gets no file: ``status`` and a message for the person who clicked."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _session_alive(session_id: str) -> bool:
    """Whether Streamlit still holds this browser session (a closed tab's session ends)."""
    try:
        from streamlit.runtime import Runtime

        if not Runtime.exists():
            return True  # no runtime in this process (tests of the registry alone)
        return bool(Runtime.instance().is_active_session(session_id))
    except Exception:  # noqa: BLE001 - an unknown Streamlit: the TTL still bounds the offer
        return True


class Registry:
    """The files offered by each browser session, by its token (thread-safe)."""

    def __init__(self, *, ttl_s: float = TTL_S, max_sessions: int = MAX_SESSIONS, clock=time.monotonic,
                 alive=_session_alive):
        self._lock = threading.Lock()
        self._by_token: OrderedDict[str, _Session] = OrderedDict()
        self.ttl_s, self.max_sessions, self.clock, self.alive = ttl_s, max_sessions, clock, alive

    def offer(self, token: str, *, session_id: str, user: str, store, lang: str, offers: list[Offer]) -> None:
        """Keep ``offers`` for the session ``token`` (an item offered again replaces the old one)."""
        for o in offers:
            if not _ITEM.match(o.item):
                raise ValueError(f"download item id {o.item!r}")
        now = self.clock()
        with self._lock:
            s = self._by_token.get(token)
            if s is None or s.session_id != session_id:  # a token is one session's: never another's offers
                s = self._by_token[token] = _Session(session_id, user, store, lang, 0.0)
            s.user, s.store, s.lang, s.until = user, store, lang, now + self.ttl_s
            for o in offers:
                s.items[o.item] = o
                s.items.move_to_end(o.item)
            while len(s.items) > MAX_ITEMS:
                s.items.popitem(last=False)
            self._by_token.move_to_end(token)
            while len(self._by_token) > self.max_sessions:
                self._by_token.popitem(last=False)

    def revoke(self, session_id: str) -> int:
        """Drop every offer of the browser session ``session_id`` (logout); returns how many sessions."""
        with self._lock:
            gone = [k for k, s in self._by_token.items() if s.session_id == session_id]
            for k in gone:
                del self._by_token[k]
        return len(gone)

    def find(self, token: str, item: str) -> tuple[_Session, Offer]:
        """The session and offer behind a request, or DownloadError (404: unknown, ended, expired)."""
        with self._lock:
            s = self._by_token.get(token)
            if s is not None and s.until < self.clock():
                del self._by_token[token]
                s = None
        if s is not None and not self.alive(s.session_id):
            with self._lock:
                self._by_token.pop(token, None)
            s = None
        if s is None:
            raise DownloadError(404, t("dl.err.expired"))
        with self._lock:
            offer = s.items.get(item)
        if offer is None:
            raise DownloadError(404, t("dl.err.unknown", s.lang, item=item[:64]))
        return s, offer

    def __len__(self) -> int:
        return len(self._by_token)


REGISTRY = Registry()
# True once this process serves the app through ui/asgi.py (which answers the download address);
# under a plain ``streamlit run app.py`` the buttons are shown disabled, with the reason.
SERVED = False


def new_token() -> str:
    return secrets.token_urlsafe(18)


def url(token: str, item: str) -> str:
    return f"{PREFIX}{token}/{item}"


def read_paper(query: str, lang: str = "vi") -> str:
    """The paper size of a request's query string (``paper=a4|a3``, A4 when absent); anything else
    is refused (DownloadError 400), never guessed."""
    got = urllib.parse.parse_qs(query, keep_blank_values=True).get("paper")
    if not got:
        return PAPERS[0]
    if len(got) != 1 or got[0].lower() not in PAPERS:
        raise DownloadError(400, t("dl.err.paper", lang, got=", ".join(got)[:40]))
    return got[0].lower()


def make_file(registry: Registry, token: str, item: str, query: str) -> tuple[Offer, str | None, bytes, _Session]:
    """Find the offer, read its paper size, make its bytes and audit the export (on the caller's
    thread: the endpoint calls this on a worker thread). DownloadError when no file is given."""
    from geo import service

    s, offer = registry.find(token, item)
    paper = read_paper(query, s.lang) if offer.paper else None
    try:
        data = offer.make(paper)
    except Exception as e:  # noqa: BLE001 - said to the person who clicked, and written to the log
        traceback.print_exc()
        raise DownloadError(500, t("dl.err.failed", s.lang, name=offer.file_name(paper), why=str(e)[:300] or type(e).__name__))
    service.record_export(s.store, s.user, offer.audit_text(paper))
    return offer, paper, data, s


def content_disposition(name: str) -> str:
    """``attachment`` with the file's name, for every browser: an ASCII fallback and the UTF-8 name
    (RFC 6266 / 5987)."""
    ascii_ = re.sub(r'[^A-Za-z0-9._-]', "_", name.encode("ascii", "ignore").decode()) or "tep"
    return f"attachment; filename=\"{ascii_}\"; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"


class DownloadEndpoint:
    """ASGI middleware: ``GET …/_tq/dl/<token>/<item>[?paper=a4|a3]`` answers with the offered file
    (made now, on a worker thread), every other request passes to the app untouched."""

    def __init__(self, app, registry: Registry | None = None):
        self.app = app
        self.registry = registry

    async def __call__(self, scope, receive, send):
        m = _PATH.search(scope.get("path", "")) if scope["type"] == "http" else None
        if m is None:
            await self.app(scope, receive, send)
            return
        registry = self.registry or REGISTRY
        if scope.get("method") != "GET":
            await _answer(send, 405, {"error": t("dl.err.method")}, extra=[(b"allow", b"GET")])
            return
        query = scope.get("query_string", b"").decode("latin-1")
        try:
            offer, paper, data, _ = await asyncio.to_thread(make_file, registry, m.group(1), m.group(2), query)
        except DownloadError as e:
            await _answer(send, e.status, {"error": e.message})
            return
        headers = [(b"content-type", offer.mime.encode("latin-1")),
                   (b"content-disposition", content_disposition(offer.file_name(paper)).encode("latin-1")),
                   (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"),
                   (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})


async def _answer(send, status: int, body: dict, extra=()) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"), (b"cache-control", b"no-store"),
                            (b"content-length", str(len(raw)).encode()), *extra]})
    await send({"type": "http.response.body", "body": raw})
