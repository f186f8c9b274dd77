"""A persistent map for the app: geometry reaches the browser once, a change sends only styles.

Why: with streamlit-folium every rerun sends the map's whole script (all geometry, ~300 KB for the
overview) through the websocket, even when only colours change, and the iframe is rebuilt.
Here the SAME folium map the views build (:mod:`geo.maps.views`, so layers, styles, tooltips and
routes stay defined in one place) is split in two:

- **geometry** (:class:`Geometry`): per group of layers, the features' shapes in the shared-edge
  encoding of :mod:`geo.maps.compact` and their ids (commune ``code``, route ``rid``), written
  ONCE as a static file named by its content hash (``static/vendor/tq-geo/<key>.json``, served by
  Streamlit at ``/app/static/vendor/tq-geo/<key>.json``); the browser fetches it once per session
  and keeps it (``window.tqLiveGeo``). Communes, province outline and former districts form one
  group (one topology: each boundary once); routes, corridors and border, which change with the
  year, are groups of their own, so a year change never re-sends the communes.
- **the change table** (:meth:`LiveMap.data`): per layer its name, pane, base style, the distinct
  per-feature styles and one index per feature, tooltips as indices into a list of distinct
  pieces (see :func:`geo.maps.compact.split_tip`), labels, the map's bounds. About 15 KB for the
  overview, sent on every rerun as the component's data.

The Streamlit side is the component ``livemap`` (package folder ``livemap/``, JS in
``static/tq-live.js``); this module never imports Streamlit. Everything is served by the app
itself: no request to any other host.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import tempfile
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import REPO_ROOT
from . import compact

GEO_DIR = REPO_ROOT / "static" / "vendor" / "tq-geo"
GEO_URL = "/app/static/vendor/tq-geo"
# Layers whose polygons share one topology (their boundaries coincide); every other layer is a
# group of its own.
BASE_GROUP = ("communes", "province", "former_districts")
_WRITE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Geometry:
    """One geometry file: ``key`` (content hash), ``text`` (its JSON), ``url`` once published."""

    key: str
    text: str

    @property
    def url(self) -> str:
        return f"{GEO_URL}/{self.key}.json"

    def publish(self, directory: Path = GEO_DIR) -> str:
        """Write the file if it is not there yet (atomic rename; idempotent); return its URL."""
        path = Path(directory) / f"{self.key}.json"
        if not path.is_file():
            with _WRITE_LOCK:
                if not path.is_file():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".geo-", suffix=".tmp")
                    with os.fdopen(fd, "w", encoding="utf-8") as f:
                        f.write(self.text)
                    os.replace(tmp, path)
        return self.url


@dataclass
class LiveMap:
    """A folium view split into geometry files and a per-change table (see the module doc)."""

    geometries: list[Geometry]
    layers: list[dict]
    parts: list[str]
    tips: dict[str, list[list[int]]]  # per layer, per feature: indices into ``parts`` ([] = no tooltip)
    bounds: list[list[float]] | None
    extra: dict = field(default_factory=dict)
    badge: str | None = None  # the demo badge's text (the map's geo.maps.demo_mark.DemoMark), if any
    ids: dict[str, list] = field(default_factory=dict)  # per layer, its features' ids (commune code, route id)

    # What a layer's entry holds that never changes with the year, the filter or the language (its
    # geometry file, pane, base and hover styles, patterns): sent once per session and content.
    FIXED = ("geo", "url", "pane", "style", "hover", "interactive", "defs", "control")

    def _fixed(self) -> list[dict]:
        return [{k: layer[k] for k in self.FIXED} for layer in self.layers]

    @functools.cached_property
    def fixed_key(self) -> str:
        text = json.dumps(self._fixed(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return "f" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]

    @functools.cached_property
    def tips_key(self) -> str:
        """Content hash of every tooltip (pieces and indices): a filter change keeps it."""
        text = json.dumps([self.parts, self.tips], ensure_ascii=False, separators=(",", ":"))
        return "h" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]

    def tips_delta(self, book: dict) -> dict:
        """The tooltips against a session's piece book (``{"id": str, "parts": {piece: index}}``,
        updated here): only the pieces the browser does not hold yet travel (``add``, appended at
        ``base``), and each feature's tooltip as indices into the whole book. A year change adds a
        few pieces (decisions, dates), a language change the other language's labels."""
        known = book["parts"]
        base = len(known)
        add = []
        glob = []
        for p in self.parts:
            i = known.get(p)
            if i is None:
                i = known[p] = len(known)
                add.append(p)
            glob.append(i)
        per = {k: [compact.encode_ints([glob[j] for j in t]) if t else "" for t in v] for k, v in self.tips.items()}
        return {"key": self.tips_key, "d": book["id"], "base": base, "add": add, "per": per}

    def data(self, *, focus: str | None = None, badge: str | None = None, height: int = 720,
             send_tips: bool = True, tips: dict | None = None, send_fixed: bool = True) -> dict:
        """The component's data for this run (publishes the geometry files first).

        ``send_tips=False`` sends only the tooltips' key: the browser reuses the tooltips it got
        under that key (the caller knows it sent them in this session; a browser that lacks them
        asks again through the ``missing`` trigger). ``tips``: the tooltips as the caller made
        them (:meth:`tips_delta`); default: every piece, standalone. ``send_fixed=False`` sends
        only the key of the layers' fixed part (:attr:`FIXED`), which the browser keeps."""
        for g in self.geometries:
            g.publish()
        if tips is None:
            tips = {"key": self.tips_key}
            if send_tips:
                tips.update({"parts": self.parts,
                             "per": {k: [compact.encode_ints(t) if t else "" for t in v] for k, v in self.tips.items()}})
        fix = {"key": self.fixed_key}
        if send_fixed:
            fix["layers"] = self._fixed()
        layers = [{k: v for k, v in layer.items() if k not in self.FIXED} for layer in self.layers]
        return {"layers": layers, "fix": fix, "tips": tips, "bounds": self.bounds, "focus": focus,
                "badge": self.badge if badge is None else (badge or None), "height": int(height), **self.extra}

    def restyled(self, layer_id: str, fn) -> "LiveMap":
        """This map with ``layer_id``'s per-feature styles replaced by ``fn(id, style)`` (a new
        LiveMap; geometry, tooltips, marks and bounds are shared with this one)."""
        layers = []
        for layer in self.layers:
            if layer["id"] == layer_id:
                styles: dict[str, int] = {}
                sid = []
                for fid, k in zip(self.ids[layer_id], compact.decode_ints(layer["sid"])):
                    st = fn(str(fid), layer["styles"][k])
                    sid.append(styles.setdefault(json.dumps(st, sort_keys=True), len(styles)))
                layer = {**layer, "styles": [json.loads(x) for x in styles], "sid": compact.encode_ints(sid)}
            layers.append(layer)
        return dataclasses.replace(self, layers=layers)

    def data_bytes(self, **kw) -> int:
        return len(json.dumps(self.data(**kw), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _group_of(layer) -> str:
    return "base" if layer.key in BASE_GROUP else layer.key


def _fit_bounds(m) -> list[list[float]] | None:
    """The bounds the folium map fits (``FitBounds`` child), as [[s, w], [n, e]]."""
    for child in m._children.values():
        b = getattr(child, "bounds", None)
        if type(child).__name__ == "FitBounds" and b:
            return [[float(b[0][0]), float(b[0][1])], [float(b[1][0]), float(b[1][1])]]
    return None


_GEOMETRY_CACHE: dict[tuple, Geometry] = {}


# --- built once, shared by every session ----------------------------------------------------------
# A page's map depends only on its year view and a few arguments, so one built map (and its split)
# serves every rerun and every session that asks the same: a rerun that changes nothing, a return
# to a filter, a second user. Kept per year view (weakly: a new data version drops them) and per
# folium map. A MapResult and a LiveMap taken from here are shared: read them, never change them.
_SHARED_LOCK = threading.Lock()
_VIEWS: "weakref.WeakKeyDictionary[object, OrderedDict]" = weakref.WeakKeyDictionary()
_SPLITS: "weakref.WeakKeyDictionary[object, LiveMap]" = weakref.WeakKeyDictionary()
VIEWS_PER_YEAR = 32  # per year view: the pages' views, languages, searched communes


def _shared(owner, key, build):
    with _SHARED_LOCK:
        per = _VIEWS.get(owner)
        if per is None:
            per = _VIEWS[owner] = OrderedDict()
        hit = per.get(key)
        if hit is not None:
            per.move_to_end(key)
            return hit
    made = build()  # outside the lock: two sessions may build the same map once each, never wrong
    with _SHARED_LOCK:
        per[key] = made
        while len(per) > VIEWS_PER_YEAR:
            per.popitem(last=False)
    return made


# The geometry files each map of the app (by its key on its page: "overview", "route", ...) last
# showed in this server process: the server's page hint (ui/hints.py) has the browser fetch those
# of the page's map early. A stale entry (the data changed since) costs one unused fetch, no error.
SHOWN: dict[str, tuple[str, ...]] = {}


def note_shown(key: str, lm: "LiveMap", *, if_new: bool = False) -> None:
    """Note ``lm``'s geometry files as those the map ``key`` shows (``if_new``: only when nothing
    is noted for it yet: the warm start's guess never replaces what a page showed)."""
    if not (if_new and key in SHOWN):
        SHOWN[key] = tuple(dict.fromkeys(layer["url"] for layer in lm.layers))


def app_view(yv, view, *, lang: str = "vi", focus_code: str | None = None):
    """:func:`geo.maps.views.view_map` for the app (``app=True``), built once per year view and
    arguments."""
    from . import views

    return _shared(yv, ("view", str(view), lang, focus_code, None),
                   lambda: views.view_map(yv, view, lang=lang, focus_code=focus_code))


def app_filtered(yv, view, keep, *, lang: str = "vi", focus_code: str | None = None) -> LiveMap:
    """The app's map of ``view`` with the communes a filter does not ``keep`` faded: the shared
    map of :func:`app_view` restyled (geo.maps.style.commune_state, the rule views.view_map's
    ``highlight_codes`` applies), not a map built again. A filter change costs the server a style
    table (~1 ms) instead of a folium map and its split (70–150 ms); what the browser gets is the
    same (tests/test_live_map.py compares the two). Shared like app_view's maps."""
    from . import style

    base = app_view(yv, view, lang=lang, focus_code=focus_code)
    kept = frozenset(map(str, keep))

    def fade(code: str, st: dict) -> dict:
        return st if code in kept else style.commune_state(st, faded=True, focused=code == focus_code)

    return _shared(yv, ("filtered", str(view), lang, focus_code, tuple(sorted(kept))),
                   lambda: split(base).restyled("communes", fade))


def app_fade(yv, view, *, lang: str = "vi", focus_code: str | None = None) -> dict:
    """The faded styles of the communes layer of :func:`app_view`'s map (every commune as
    :func:`app_filtered` shows one a filter does not keep): the browser's filter panel
    (geo.filters, static/tq-live.js) gives a commune it does not keep this style and every other
    commune its own, which is what :func:`app_filtered` would send for that choice."""
    lm = app_filtered(yv, view, (), lang=lang, focus_code=focus_code)
    layer = next(layer for layer in lm.layers if layer["id"] == "communes")
    return {"layer": "communes", "styles": layer["styles"], "sid": layer["sid"]}


def app_filter_panel(yv, view, *, lang: str = "vi") -> dict:
    """The filter panel (geo.filters.panel) of :func:`app_view`'s map, nothing ticked: per value,
    its communes as indices into the map's communes layer. Built once per year view and language."""
    from .. import boundaries, filters
    from . import style

    def build():
        lm = split(app_view(yv, view, lang=lang))
        return filters.panel(yv.frame, list(yv.routes), boundaries.former_district_names(),
                             lm.ids.get("communes", []), lang, swatch=style.category_swatch_css)

    return _shared(yv, ("filter-panel", str(view), lang), build)


def app_change_view(yv_from, yv_to, *, lang: str = "vi"):
    """:func:`geo.maps.views.change_view_map` for the app, built once per pair of year views (the
    second one is named by its year and data version: both come from the same store)."""
    from . import views

    return _shared(yv_from, ("change", yv_to.year, yv_to.data_version, lang),
                   lambda: views.change_view_map(yv_from, yv_to, lang=lang))


def split(m) -> LiveMap:
    """Split a folium map built by :mod:`geo.maps.views` (``app=True``; a ``MapResult`` is taken
    too) into a :class:`LiveMap` (once per map object: the same map gives the same LiveMap)."""
    m = getattr(m, "map", m)
    with _SHARED_LOCK:
        hit = _SPLITS.get(m)
    if hit is None:
        hit = _split(m)
        with _SHARED_LOCK:
            _SPLITS[m] = hit
    return hit


def _split(m) -> LiveMap:
    from . import labels, style

    layers = compact._compact_layers(m.get_root())
    marks = next((c for c in m._children.values() if isinstance(c, labels.CommuneMarks)), None)
    commune_ids = next(([str(p.get("code")) for _g, p in l._features] for l in layers if l.key == "communes"), [])
    # the marks' places (position, name) in the order of the communes layer: static, sent once
    places = [(marks.places.get(c) if marks is not None else None) or 0 for c in commune_ids]
    groups: dict[str, list] = {}
    for layer in layers:
        groups.setdefault(_group_of(layer), []).append(layer)
    geometries: list[Geometry] = []
    key_of: dict[str, str] = {}
    for name, members in groups.items():
        geoms = [g for layer in members for g in layer._originals]
        ids = [[p.get("code") or p.get("rid") for _g, p in layer._features] for layer in members]
        base = name == "base"
        ck = (compact.geometry_hash(geoms), json.dumps(ids), tuple(l.key for l in members),
              json.dumps(places, ensure_ascii=False) if base else "")
        hit = _GEOMETRY_CACHE.get(ck)
        if hit is None:
            # the base file also carries what never changes: stylesheet, panes, the marks' placing
            # script (geo.maps.labels.MARKS_JS, our own code) and the communes' places
            extra = ({"css": style.CSS + style.MARKS_CSS.replace("%(font)s", style.FONT),
                      "panes": [list(p) for p in style.PANES], "marksJs": labels.MARKS_JS, "places": places}
                     if base else {})
            hit = _encode_group(members, polygons_shared=(name == "base"), extra=extra)
            if len(_GEOMETRY_CACHE) > 32:
                _GEOMETRY_CACHE.clear()
            _GEOMETRY_CACHE[ck] = hit
        geometries.append(hit)
        for layer in members:
            key_of[layer.key] = hit.key
    parts: dict[str, int] = {}
    out_layers = []
    all_tips: dict[str, list[str]] = {}
    for layer in layers:
        styles: dict[str, int] = {}
        sid, tips = [], []
        for _g, props in layer._features:
            st = props.get("st") or {}
            sid.append(styles.setdefault(json.dumps(st, sort_keys=True), len(styles)))
            tip = props.get("tip")
            tips.append([parts.setdefault(p, len(parts)) for p in compact.split_tip(tip)]
                        if isinstance(tip, str) and tip else [])
        o = layer._opts
        out_layers.append({
            "id": layer.key, "geo": key_of[layer.key], "url": f"{GEO_URL}/{key_of[layer.key]}.json",
            "name": layer.layer_name, "control": bool(layer.control), "show": bool(layer.show),
            "pane": o["pane"], "style": o["style"], "hover": o["hover"], "interactive": o["interactive"],
            "defs": o["defs"], "labels": o["labels"], "styles": [json.loads(s) for s in styles],
            "sid": compact.encode_ints(sid)})
        if any(tips):
            all_tips[layer.key] = tips
    extra = {"marks": _marks(marks, commune_ids, places)} if marks is not None else {}
    ids = {layer.key: [p.get("code") or p.get("rid") for _g, p in layer._features] for layer in layers}
    return LiveMap(geometries=geometries, layers=out_layers, parts=list(parts), tips=all_tips,
                   bounds=_fit_bounds(m), extra=extra, badge=_badge(m), ids=ids)


def _marks(el, commune_ids: list[str], places: list) -> dict:
    """The commune marks of this run (geo.maps.labels.CommuneMarks) as a small table: per mark, in
    priority order, the commune's index in the base file's places, its category's index in
    ``cats`` and ``has_symbol + 2 * always``; positions and names are the base file's. A mark whose
    place is not there travels whole in ``x`` (the CommuneMarks row)."""
    index = {c: i for i, c in enumerate(commune_ids)}
    cats: dict[str, int] = {}
    flat, whole = [], []
    for row in el.rows:
        lat, lon, has, cat, name, always, code = row
        i = index.get(str(code))
        if i is None or places[i] == 0 or places[i] != [lat, lon, name]:
            whole.append(row)
            continue
        flat += [i, cats.setdefault(cat, len(cats)), int(has) + 2 * int(always)]
    return {"opts": el.opts, "cats": list(cats), "r": compact.encode_ints(flat), "x": whole}


def _badge(m) -> str | None:
    """The demo badge's text of a map built with geo.maps.demo_mark (None when all is real)."""
    import html
    import re

    from .demo_mark import DemoMark

    for child in m._children.values():
        if isinstance(child, DemoMark):
            inner = json.loads(child.html_json)
            mark = re.search(r'<div class="tq-demo-mark">(.*?)</div>', inner, re.S)
            return html.unescape(re.sub(r"<[^>]+>", "", mark.group(1) if mark else inner)).strip() or None
    return None


def _encode_group(members, *, polygons_shared: bool, extra: dict | None = None) -> Geometry:
    """One geometry file; the base group also carries the map's stylesheet and panes (static)."""
    geoms = [g for layer in members for g in layer._originals]
    topo = compact.topology(geoms) if polygons_shared else None
    layers = {}
    i = 0
    for layer in members:
        enc, ids = [], []
        for (_shared, props), orig in zip(layer._features, layer._originals):
            refs = topo.refs[i] if topo is not None else None
            kind = topo.kinds[i] if topo is not None else None
            i += 1
            enc.append([kind, compact.pack_refs(kind, refs)] if refs is not None else list(compact._standalone(orig)))
            ids.append(props.get("code") or props.get("rid"))
        layers[layer.key] = {"f": enc, "ids": ids}
    body = {"arcs": topo.encoded if topo is not None else "", "layers": layers, **(extra or {})}
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    key = "g" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    body["key"] = key
    return Geometry(key=key, text=json.dumps(body, ensure_ascii=False, separators=(",", ":")))
