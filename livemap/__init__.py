"""The persistent map as a Streamlit component (custom components v2, no iframe).

    from livemap import live_map
    clicked = live_map(view, key="overview", height=720, badge=None)

``view`` is a folium map built by :mod:`geo.maps.views` (``app=True``) or an already split
:class:`geo.maps.live.LiveMap`. The first run of a browser tab fetches Leaflet, the decoder and
each geometry file once (from ``/app/static/``, i.e. this server); every later run sends only
the per-layer style and tooltip table (~15-20 KB for the overview). Returns the ``code`` of the
commune the user clicked (once per click), else None. Pan and zoom do not rerun the page, and a
rerun keeps the user's pan/zoom unless the view's bounds change (e.g. a search focus).

Needs ``server.enableStaticServing = true`` (.streamlit/config.toml) and Leaflet installed under
static/vendor (``geo.maps.assets.install_static()``, done by ``python -m geo data`` and at app start).
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid

import streamlit as st

from geo.maps import live


LIVE_JS = "/app/static/tq-live.js"
# What a page's map loads besides its geometry files, as the browser asks for each (static/tq-live.js
# libs(): Leaflet and the decoder as classic scripts, Leaflet's stylesheet): the server's page hint
# (ui/hints.py) has the browser fetch them early, so these must be the very same URLs.
PRELOAD = {"module": (LIVE_JS,),
           "script": ("/app/static/vendor/leaflet/leaflet.js", "/app/static/tq-topo.js"),
           "style": ("/app/static/vendor/leaflet/leaflet.css",)}


# Streamlit sends a component's inline JS with every run: each of ours is a one-line loader of
# one export of the real module, which the browser fetches once from the app's static folder
# (static/tq-live.js). The host element is marked as the export runs (``data-tq-mounted``: tests
# wait for every component of a page to have run, see tests/conftest.COMPONENTS_RAN_JS).
def _loader(export: str) -> str:
    return ("export default function (c) {\n"
            f'  const done = import(new URL("{LIVE_JS}", window.location.href).href)'
            f".then(m => (c.parentElement.dataset.tqMounted = 1, m.{export}(c)));\n"
            "  return () => done.then(f => f && f());\n}")


@functools.lru_cache(maxsize=None)
def _component(name: str = "tq_livemap", export: str = "default"):
    return st.components.v2.component(name, js=_loader(export), isolate_styles=False)


def live_map(view, *, key: str, height: int = 720, badge: str | None = None,
             page_fit: dict | None = None, fade: dict | None = None, texts: dict | None = None,
             previews: dict | None = None) -> str | None:
    """Show ``view``; return the code of a commune clicked since the last run (or None).

    ``badge``: the demo badge's text (default: the map's own, geo.maps.demo_mark; "" for none).
    ``page_fit``: ``{"min", "fold"}`` (ui.layout.page_fit): the map and the page's side panel take
    the window's height left (at least ``min`` px; the legend folded from the start with ``fold``)
    and the view is fitted to it, by the map itself (static/tq-live.js ``pageFit``); else ``height``. ``fade``: the faded styles of the communes
    (geo.maps.live.app_fade) that the page's filter panel (:func:`filter_panel` with this ``key``
    as ``map_key``) gives the communes it does not keep. ``texts``: ``{"failed", "retry"}``, the
    notice shown over the map when a file it needs could not be loaded, in the page's language
    (default: Vietnamese, in static/tq-live.js). ``previews``: ``{year: view}``, the same page's
    map for its other years, made as this run makes ``view``: the year control (:func:`year_select`)
    restyles the map from them at once when a year is picked, before that year's run arrives
    (without tooltips until then). Each travels once per session and content, then its hash."""
    lm = view if isinstance(view, live.LiveMap) else live.split(view)
    # Tooltips are sent once per content in a session (a filter change keeps them); the browser
    # asks again ("missing") if it does not hold them, and the next run sends them.
    sent = st.session_state.setdefault(f"_tq_live_tips_{key}", set())
    missing = st.session_state.pop(f"_tq_live_missing_{key}", False)
    # the tooltip pieces this map's browser side holds (a year or language change sends the new ones)
    book_key = f"_tq_live_book_{key}"
    if missing or book_key not in st.session_state:
        st.session_state[book_key] = {"id": uuid.uuid4().hex[:12], "parts": {}}
    send = missing or lm.tips_key not in sent
    tips = lm.tips_delta(st.session_state[book_key]) if send else None
    send_fixed = missing or lm.fixed_key not in sent
    # as UTF-8 bytes: Streamlit's own JSON would write every Vietnamese letter as \\uXXXX
    data = lm.data(height=height, badge=badge, send_tips=send, tips=tips, send_fixed=send_fixed)
    if page_fit is not None:
        data["page"] = {"min": int(page_fit.get("min", 260)), "fold": bool(page_fit.get("fold", False))}
    data["name"] = key
    if fade is not None:
        data["fade"] = fade
    if texts:
        data["msg"] = texts
    pre_key = f"_tq_live_pre_{key}"
    pre_sent = st.session_state.setdefault(pre_key, set())
    if missing:
        pre_sent.clear()
    if previews:
        data["pre"] = _previews(previews, pre_sent, height=height, badge=badge)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    live.note_shown(key, lm)  # the page hint's geometry files for this map (ui/hints.py)
    if send:
        sent.add(lm.tips_key)
    if send_fixed:
        sent.add(lm.fixed_key)

    def _missing():
        st.session_state[f"_tq_live_missing_{key}"] = True
        sent.clear()
        pre_sent.clear()

    result = _component()(data=payload.encode("utf-8"), key=key, height="content", on_clicked_change=lambda: None,
                          on_missing_change=_missing)
    clicked = getattr(result, "clicked", None) if result is not None else None
    if not isinstance(clicked, dict) or clicked.get("layer") != "communes":
        return None
    seen = f"_tq_live_seen_{key}"
    stamp = (clicked.get("id"), clicked.get("at"))
    if st.session_state.get(seen) == stamp:
        return None
    st.session_state[seen] = stamp
    return str(clicked.get("id"))


def _previews(previews: dict, sent: set, *, height: int, badge: str | None) -> dict:
    """The map's data for other years (:meth:`geo.maps.live.LiveMap.data` as a run sends it, with
    the tooltips' key only: the browser shows none until the run), by content hash; a payload
    travels when this session has not sent it yet."""
    years, add = {}, {}
    for year, view in previews.items():
        lm = view if isinstance(view, live.LiveMap) else live.split(view)
        d = lm.data(height=height, badge=badge, send_tips=False, send_fixed=False)
        d.pop("tips", None)
        text = json.dumps(d, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        h = _hash(text)
        years[str(int(year))] = h
        if h not in sent:
            add[h] = d
            sent.add(h)
    return {"years": years, "add": add}


# --- HTML that rarely changes (the legend beside the map and its stylesheet) ---------------------
# Streamlit re-sends every element on every run; this component sends each part of its HTML once
# per session and content (the browser keeps it under its hash), then only the hash: a filter
# change, which leaves the legend as it was, costs a few bytes instead of ~8 KB. Its code is
# static/tq-live.js's ``cachedHtml`` (the inline JS, re-sent each run, is a one-line loader).
def _sent_once(store: str, key: str):
    """(the hashes of what this session has sent to the component ``key``, the ``missing``
    callback): the browser asks again (``missing``) when it lacks a part, and the next run sends
    that component everything.

    Per component, not per session: a part that two components of one run share (a table's
    stylesheet in two tabs) went, when the session kept one list, only with the first of them in
    the server's order, and the other one named it by its hash. The browser mounts the components of
    a page in its own order (each loads its script on its own), so the second one could come first,
    lack the part and ask again: every fresh open of a commune's profile ran the whole page twice.
    A part now travels once per session to each component that shows it."""
    sent = st.session_state.setdefault(store, {}).setdefault(key, set())
    flag = f"{store}_missing_{key}"
    if st.session_state.pop(flag, False):
        sent.clear()

    def _missing():
        st.session_state[flag] = True

    return sent, _missing


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def cached_html(parts: list[str], *, key: str, variants: dict | None = None) -> None:
    """Show the concatenation of ``parts`` (safe HTML: escaped where it is built) in the page,
    sending each part to the browser only when this session has not sent that content yet.
    ``variants``: ``{year: parts}``, what the page's run for another year shows here (made by the
    same code): the year control (:func:`year_select`) shows it at once when that year is picked."""
    sent, missing = _sent_once("_tq_html_sent", key)

    def pack(items):
        out = []
        for html in items:
            h = _hash(html)
            out.append({"h": h, "html": None if h in sent else html})
            sent.add(h)
        return out

    out = pack(parts)
    if variants:
        out = {"parts": out, "var": {str(int(y)): pack(v) for y, v in variants.items()}}
    # as UTF-8 bytes: Streamlit's own JSON would write every Vietnamese letter as \\uXXXX
    payload = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
    _component("tq_cached_html", "cachedHtml")(data=payload.encode("utf-8"), key=key, height="content",
                                               on_missing_change=missing)


# --- the map's filters, applied in the browser ----------------------------------------------------
# A tick fades the map at once (static/tq-live.js ``filterPanel``: no round trip); the choice then
# reaches the server as this component's state (a rerun of the map's fragment, which the map does not
# wait for) and is kept in the session for the next visit of the page.
def filter_panel(spec: dict, *, key: str, map_key: str, chosen: dict | None = None) -> dict | None:
    """Show the filter panel ``spec`` (geo.filters.panel, shared: never changed here) for the map
    shown with ``key=map_key``, starting from ``chosen`` when the panel is new in the page; return
    the choice the browser holds (``{filter: [values]}``, as it sent it: clean it with
    geo.filters.clean), or None before the first tick. The spec (~4 KB) reaches the browser once per
    session and content, then only its hash (as :func:`cached_html` does)."""
    sent, missing = _sent_once("_tq_filter_sent", key)
    h = _hash(json.dumps(spec, ensure_ascii=False, separators=(",", ":"), sort_keys=True))
    out = {"h": h, "spec": None if h in sent else spec, "map": map_key, "chosen": chosen or {}}
    sent.add(h)
    payload = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
    result = _component("tq_filters", "filterPanel")(data=payload.encode("utf-8"), key=key, height="content",
                                                     on_chosen_change=lambda: None, on_missing_change=missing)
    got = getattr(result, "chosen", None) if result is not None else None
    return got if isinstance(got, dict) else None


def _state(key: str, name: str, state=None):
    """The value ``name`` of the component ``key``'s state as the browser last sent it (from
    ``state``, default the session's copy of it), or None."""
    state = st.session_state.get(key) if state is None else state
    return state.get(name) if hasattr(state, "get") else getattr(state, name, None)


# --- the year, picked in the browser ---------------------------------------------------------------
# A pick shows the year at once in the page's parts that hold it ahead (live_map ``previews``,
# cached_html ``variants``), then reaches the server as this component's state: a run of the page.
def picked_year(got, seen, years) -> tuple[object, int | None]:
    """(the stamp now seen, the year picked or None) from the year control's state ``got`` (the
    browser's ``{"y": year, "at": stamp}``) and the stamp seen before: a pick counts once, and only
    a year among ``years`` (anything else the browser sends is dropped, not guessed at)."""
    if not isinstance(got, dict) or got.get("at") is None or got.get("at") == seen:
        return seen, None
    y = got.get("y")
    ok = isinstance(y, int) and not isinstance(y, bool) and y in years
    return got.get("at"), (y if ok else None)


def year_select(years: list[int], year: int, *, key: str, label: str, on_pick) -> None:
    """The year control (a native <select>, static/tq-live.js ``yearSelect``) showing ``year``
    among ``years``. A pick calls ``on_pick(year)`` before the run it starts (once per pick; a year
    not in ``years`` is not passed on). The browser shows its pick, not the year of a run that began
    before the server saw it (the pick's stamp comes back as ``ack``)."""
    seen = f"_tq_year_seen_{key}"

    def _picked():
        stamp, year_ = picked_year(_state(key, "year"), st.session_state.get(seen), years)
        st.session_state[seen] = stamp
        if year_ is not None:
            on_pick(year_)

    out = {"years": [int(y) for y in years], "year": int(year), "label": label, "ack": st.session_state.get(seen)}
    payload = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
    _component("tq_year", "yearSelect")(data=payload.encode("utf-8"), key=key, height="content",
                                        on_year_change=_picked)


# --- a text box -------------------------------------------------------------------------------------
SEARCH_MAX = 200  # characters kept of what the browser sends (a search text, not a document)


def search_box(label: str, *, key: str, placeholder: str = "") -> str:
    """A text box (static/tq-live.js ``searchBox``, a native input) whose text reaches the server
    when committed (Enter, leaving the box), as ``st.text_input`` does; returns the text as typed,
    cut to :data:`SEARCH_MAX` characters ("" before anything is typed, and for anything the browser
    sends that is not text). Used instead of st.text_input on the Overview: Streamlit's text input brings ~13
    scripts of its own to a page's first open."""
    def text(state=None) -> str:
        got = _state(key, "q", state)
        return got[:SEARCH_MAX] if isinstance(got, str) else ""

    value = text()
    out = {"label": label, "placeholder": placeholder, "value": value, "max": SEARCH_MAX}
    payload = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
    result = _component("tq_search", "searchBox")(data=payload.encode("utf-8"), key=key, height="content",
                                                  on_q_change=lambda: None)
    return text(result) if result is not None else value


# --- a choice among a few values --------------------------------------------------------------------
def choice(label: str, options: list[tuple[str, str]], default: str, *, key: str, on_pick=None,
           value: str | None = None, horizontal: bool = True, collapsed: bool = False) -> str:
    """Radio buttons (static/tq-live.js ``choiceGroup``, native inputs in a fieldset) among
    ``options`` ``[(value, text)]``; returns the value chosen: the browser's pick when it is one of
    the values (anything else it sends is not believed), else ``value`` (what the caller holds) or
    ``default``. ``on_pick(value)`` is called before the run a pick starts. Used instead of st.radio:
    Streamlit's radio brings ~8 scripts of its own to a page's first open."""
    values = [v for v, _ in options]

    def picked():
        got = _state(key, "v")
        return got if isinstance(got, str) and got in values else None

    def _changed():
        got = picked()
        if got is not None and on_pick is not None:
            on_pick(got)

    shown = value if value in values else (picked() or default)
    out = {"label": label, "options": [[v, t] for v, t in options], "value": shown,
           "horizontal": bool(horizontal), "collapsed": bool(collapsed)}
    payload = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
    _component("tq_choice", "choiceGroup")(data=payload.encode("utf-8"), key=key, height="content",
                                           on_v_change=_changed)
    return shown


# --- the downloads of a map page ---------------------------------------------------------------------
def downloads(items: list[dict], *, key: str, paper: dict | None = None, print_label: str | None = None,
              texts: dict | None = None, off: str | None = None) -> None:
    """A row of download buttons (static/tq-live.js ``downloadRow``; the files are offered and made
    by ui/downloads.py): ``items`` ``[{"id", "label", "url", "name", "paper"}]`` (``name`` may hold
    ``{paper}``); ``paper``: ``{"label", "options": [[value, text]], "value"}``, the paper size the
    sheets are made on (picked in the browser, kept for the tab, sent with the request: no run);
    ``print_label``: a print button's text; ``texts``: ``{"busy", "net", "http"}`` in the page's
    language; ``off``: why the buttons are disabled (the server has no download address)."""
    out = {"items": items, "paper": paper, "print": print_label, "msg": texts or {}, "off": off}
    payload = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
    _component("tq_downloads", "downloadRow")(data=payload.encode("utf-8"), key=key, height="content")
