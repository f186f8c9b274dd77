"""GeoJSON layers whose geometry travels compactly: shared boundary arcs, decoded in the browser.

Why: the overview export must stay under 300 KB with Leaflet (~160 KB) inlined. Two neighbouring
communes share their boundary; stored per polygon it travels twice. Here every polygon of every
:class:`CompactGeoJson` layer of a document goes through ONE topology (TopoJSON's model, computed
by the maintained ``topojson`` package): each boundary arc is stored once and a ring is a list of
arc references (``i``, or ``~i`` for arc ``i`` reversed). The province outline, whose vertices are
the communes' own, then costs only its references.

Numbers: integers at 1e-5° (≈1 m; the web geometry is rounded to 5 decimals by the build, so this
is lossless), delta-coded (an arc's first point relative to the previous arc's last point),
zig-zag mapped to unsigned and written 5 bits per character (a continuation bit in the 6th) in the
URL-safe base64 alphabet: no character that JSON, HTML or JavaScript would have to escape.
Lines (routes, border) are not part of the topology: they are written the same way, standalone.

Tooltips repeat their labels and route names from commune to commune: each tooltip is cut after
every ``<br>`` and ``</span>`` and travels as indices into the layer's list of distinct pieces
(joined back in the browser to the same HTML).

The decoder is ``static/tq-topo.js``; it and the arcs are declared ONCE per document, in the
script of the document's first compact layer (streamlit-folium inserts a map's header with
``innerHTML``, where scripts do not run, so a header script would never run in the app; the
first layer's script runs before every other layer's, both in folium's page and in
streamlit-folium's). :func:`decode_arcs` and :func:`decode_refs` are the same algorithm in
Python (tests compare both).

The layer is a :class:`folium.map.Layer`, so the layer control, ``show=False`` and
streamlit-folium treat it like any other folium layer; it pulls no JS/CSS from anywhere. Every
layer registers itself in ``window.tqLayers[key]`` (used by tests and by other controls).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
import threading
import warnings
from collections import OrderedDict
from pathlib import Path

import numpy as np
import shapely
from folium.map import Layer
from folium.template import Template

from ..paths import DATA_DIR, REPO_ROOT

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
SCALE = 100_000
DECODER_PATH = REPO_ROOT / "static" / "tq-topo.js"
_ALPHA = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)


# --- integers <-> text ---------------------------------------------------------------------------


def encode_ints(values) -> str:
    """Signed integers -> text (zig-zag, 5 bits per character, 6th bit = more follows). Vectorised
    for long lists; a short one (a tooltip's few pieces: a year change encodes ~130 of them, 0.4 ms
    each through numpy) in plain Python, which gives the same text."""
    if isinstance(values, (list, tuple)) and len(values) <= SHORT_INTS:
        return _encode_short(values)
    v = np.asarray(values, dtype=np.int64).ravel()
    if v.size == 0:
        return ""
    z = np.where(v >= 0, 2 * v, -2 * v - 1).astype(np.uint64)
    nchar = np.ones(z.shape, dtype=np.int64)
    t = z >> np.uint64(5)
    while t.any():
        nchar += (t > 0)
        t >>= np.uint64(5)
    total = int(nchar.sum())
    out = np.empty(total, dtype=np.uint8)
    start = np.concatenate(([0], np.cumsum(nchar)[:-1]))
    for k in range(int(nchar.max())):
        sel = nchar > k
        chunk = ((z[sel] >> np.uint64(5 * k)) & np.uint64(31)).astype(np.int64)
        more = (nchar[sel] > k + 1).astype(np.int64) * 32
        out[start[sel] + k] = _ALPHA[chunk | more]
    return out.tobytes().decode("ascii")


SHORT_INTS = 64


def _encode_short(values) -> str:
    out = []
    for v in values:
        z = 2 * int(v) if v >= 0 else -2 * int(v) - 1
        while z >= 32:
            out.append(ALPHABET[(z & 31) | 32])
            z >>= 5
        out.append(ALPHABET[z])
    return "".join(out)


_TABLE = {c: i for i, c in enumerate(ALPHABET)}


def decode_ints(s: str) -> list[int]:
    vals, i, n = [], 0, len(s)
    while i < n:
        r = shift = 0
        while True:
            b = _TABLE[s[i]]
            i += 1
            r |= (b & 31) << shift
            shift += 5
            if not b & 32:
                break
        vals.append(-((r >> 1) + 1) if r & 1 else r >> 1)
    return vals


def _quantise(coords) -> np.ndarray:
    return np.rint(np.asarray(coords, dtype=float)[:, :2] * SCALE).astype(np.int64)


def encode_coords(coords) -> str:
    """A standalone sequence of (lon, lat) pairs; the first point absolute, the rest as deltas."""
    q = _quantise(coords)
    if len(q) == 0:
        return ""
    return encode_ints(np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)))


def decode_coords(s: str) -> list[tuple[float, float]]:
    """Inverse of :func:`encode_coords` (the JS decoder does the same)."""
    return decode_arcs(s)[0] if s else []


def encode_arcs(arcs: list[np.ndarray]) -> str:
    """Integer arcs -> one string. The running position carries over from arc to arc; arcs are
    separated by ``.``, or by ``,`` when the arc starts where the previous one ended (its first
    point is then left out: TopoJSON arcs of one ring mostly follow each other)."""
    out, prev = [], None
    for a in arcs:
        if prev is None:
            out.append(encode_ints(np.diff(a, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))))
        elif (a[0] == prev).all():
            out.append("," + encode_ints(np.diff(a, axis=0)))
        else:
            out.append("." + encode_ints(np.diff(a, axis=0, prepend=prev[None, :])))
        prev = a[-1]
    return "".join(out)


def decode_arcs(text: str) -> list[list[tuple[float, float]]]:
    """Inverse of :func:`encode_arcs`, to floats exactly as ``tq-topo.js`` computes them (x / 1e5)."""
    if not text:
        return []
    pieces = re.split(r"([.,])", text)
    out, x, y = [], 0, 0
    for k in range(0, len(pieces), 2):
        cont = k > 0 and pieces[k - 1] == ","
        v = decode_ints(pieces[k])
        pts = [(x / SCALE, y / SCALE)] if cont else []
        for j in range(0, len(v), 2):
            x += v[j]
            y += v[j + 1]
            pts.append((x / SCALE, y / SCALE))
        out.append(pts)
    return out


def pack_refs(kind: str, refs):
    """A feature's arc references as written in documents: each ring's or line's list delta-coded
    as text (:func:`encode_ints`), so a run of consecutive arcs costs one character per arc."""
    def enc(r):
        return encode_ints(np.diff(np.asarray(r, dtype=np.int64), prepend=0)) if len(r) else ""

    if kind == "A":
        return [[enc(r) for r in poly] for poly in refs]
    if kind == "B":
        return [enc(r) for r in refs]
    return refs


def unpack_refs(refs) -> list[int]:
    """One ring's or line's references from :func:`pack_refs`' text (a list is returned as is)."""
    if not isinstance(refs, str):
        return refs
    return [int(v) for v in np.cumsum(decode_ints(refs))] if refs else []


def decode_path(arcs: list[list[tuple[float, float]]], refs) -> list[tuple[float, float]]:
    """A ring or line from arc references (``~i`` = arc i reversed; a list, or :func:`pack_refs`'
    text), as ``tq-topo.js`` joins them."""
    refs = unpack_refs(refs)
    out: list[tuple[float, float]] = []
    for j, r in enumerate(refs):
        a = arcs[r] if r >= 0 else arcs[~r][::-1]
        out.extend(a[1:] if j else a)
    return out


def decode_refs(arcs, kind: str, parts) -> shapely.Geometry:
    """A feature's geometry from its encoded form (``"A"`` polygons / ``"B"`` lines of arc refs,
    ``"P"``/``"L"`` standalone)."""
    if kind == "A":
        return shapely.MultiPolygon([shapely.Polygon(decode_path(arcs, p[0]), [decode_path(arcs, r) for r in p[1:]])
                                     for p in parts])
    if kind == "B":
        return shapely.MultiLineString([decode_path(arcs, refs) for refs in parts])
    if kind == "P":
        return shapely.MultiPolygon([shapely.Polygon(decode_coords(p[0]), [decode_coords(r) for r in p[1:]])
                                     for p in parts])
    return shapely.MultiLineString([decode_coords(s) for s in parts])


# --- geometry normalisation ------------------------------------------------------------------------


def _normalise(geom):
    """("poly", [Polygon, …]) | ("line", [LineString, …]) | None for empty input."""
    if geom is None or geom.is_empty:
        return None
    kind = geom.geom_type
    if kind in ("Polygon", "MultiPolygon"):
        polys = [geom] if kind == "Polygon" else list(geom.geoms)
        polys = [p for p in polys if not p.is_empty]
        return ("poly", polys) if polys else None
    if kind in ("LineString", "MultiLineString"):
        lines = [geom] if kind == "LineString" else list(geom.geoms)
        lines = [ln for ln in lines if not ln.is_empty]
        return ("line", lines) if lines else None
    if kind == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        return _normalise(shapely.union_all(parts)) if parts else None
    raise ValueError(f"unsupported geometry type {kind}")


@functools.lru_cache(maxsize=4096)
def _standalone(geom) -> tuple[str, list] | None:
    norm = _normalise(geom)
    if norm is None:
        return None
    kind, parts = norm
    if kind == "poly":
        return "P", [[encode_coords(p.exterior.coords)] + [encode_coords(r.coords) for r in p.interiors]
                     for p in parts]
    return "L", [encode_coords(ln.coords) for ln in parts]


def encode_geometry(geom):
    """Standalone form: ``("P", [[ring, …], …])`` for (multi)polygons, ``("L", [line, …])`` for lines."""
    return _standalone(geom)


# --- the shared topology ---------------------------------------------------------------------------


class Topology:
    """Every polygon of a set of geometries as references into one list of integer arcs.

    ``refs[i]`` is ``[[ring refs, …], …]`` (one list per polygon, exterior first) for polygon
    input ``i``, or None when it is empty. Built with ``topojson.Topology`` on exact coordinates
    (``prequantize=False``): junctions are found where coordinates are equal, which the build's
    rounding to 1e-5° guarantees for neighbours.
    """

    def __init__(self, arcs: list[np.ndarray] | None, refs: list, encoded: str | None = None,
                 kinds: list | None = None):
        self._arcs = arcs
        self.refs = refs
        # "A": polygons ([[ring refs, …], …]), "B": lines ([line refs, …]), None: empty
        self.kinds = kinds if kinds is not None else ["A" if r is not None else None for r in refs]
        self.encoded = encoded if encoded is not None else encode_arcs(arcs)
        self.key = "t" + hashlib.sha1(self.encoded.encode("ascii")).hexdigest()[:12]

    @property
    def arcs(self) -> list[np.ndarray]:
        if self._arcs is None:
            self._arcs = [np.rint(np.asarray(a) * SCALE).astype(np.int64) for a in decode_arcs(self.encoded)]
        return self._arcs

    @property
    def n_vertices(self) -> int:
        return int(sum(len(a) for a in self.arcs))

    @classmethod
    def build(cls, geoms) -> Topology:
        import geopandas as gpd
        import topojson

        norms = [_normalise(g) for g in geoms]
        polys = [shapely.MultiPolygon(n[1]) if n and n[0] == "poly" else
                 shapely.MultiLineString(n[1]) if n else None for n in norms]
        # identical geometries (the same communes on several maps of one document) enter once
        first: dict[bytes, int] = {}
        same = [None if p is None else first.setdefault(shapely.to_wkb(p), i) for i, p in enumerate(polys)]
        idx = [i for i, p in enumerate(polys) if p is not None and same[i] == i]
        if not idx:
            return cls([], [None] * len(polys), kinds=[None] * len(polys))
        gdf = gpd.GeoDataFrame({"i": idx}, geometry=[polys[i] for i in idx], crs=None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            topo = topojson.Topology(gdf, prequantize=False, topology=True).to_dict()
        arcs = [_quantise(a) for a in topo["arcs"]]
        refs: list = [None] * len(polys)
        kinds: list = [None] * len(polys)
        for g in topo["objects"]["data"]["geometries"]:
            i = int(g["properties"]["i"])
            if g["type"] == "Polygon":
                refs[i], kinds[i] = [g["arcs"]], "A"
            elif g["type"] == "MultiPolygon":
                refs[i], kinds[i] = g["arcs"], "A"
            elif g["type"] == "LineString":
                refs[i], kinds[i] = [g["arcs"]], "B"
            elif g["type"] == "MultiLineString":
                refs[i], kinds[i] = g["arcs"], "B"
        for i, j in enumerate(same):
            if j is not None and j != i:
                refs[i], kinds[i] = refs[j], kinds[j]
        return cls(arcs, refs, kinds=kinds)

    def decoded_arcs(self):
        return decode_arcs(self.encoded)


_TOPO_CACHE: OrderedDict[str, Topology] = OrderedDict()
_TOPO_LOCK = threading.Lock()
_TOPO_MAX = 16


def geometry_hash(geoms) -> str:
    """Content hash of a sequence of geometries (WKB), the topology cache's key."""
    h = hashlib.sha1()
    for g in geoms:
        h.update(b"\x00" if g is None else shapely.to_wkb(g, output_dimension=2))
        h.update(b"|")
    return h.hexdigest()


def _cache_dir() -> Path:
    return DATA_DIR / "cache" / "topology"


def _load_cached(key: str) -> Topology | None:
    path = _cache_dir() / f"{key}.json"
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        return Topology(None, body["refs"], encoded=body["arcs"], kinds=body["kinds"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store_cached(key: str, topo: Topology) -> None:
    """Best effort (a read-only disk only costs the rebuild next time)."""
    try:
        d = _cache_dir()
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".topo-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"arcs": topo.encoded, "refs": topo.refs, "kinds": topo.kinds}, f, separators=(",", ":"))
        os.replace(tmp, d / f"{key}.json")
    except OSError:
        pass


def topology(geoms) -> Topology:
    """:meth:`Topology.build`, cached by content: in memory, and on disk under data/cache/topology
    (git-ignored), so a server restart does not pay the topology build again."""
    geoms = list(geoms)
    key = geometry_hash(geoms)
    with _TOPO_LOCK:
        hit = _TOPO_CACHE.get(key)
        if hit is not None:
            _TOPO_CACHE.move_to_end(key)
            return hit
    topo = _load_cached(key)
    if topo is None or len(topo.refs) != len(geoms) or len(topo.kinds) != len(geoms):
        topo = Topology.build(geoms)
        _store_cached(key, topo)
    with _TOPO_LOCK:
        _TOPO_CACHE[key] = topo
        while len(_TOPO_CACHE) > _TOPO_MAX:
            _TOPO_CACHE.popitem(last=False)
    return topo


# --- text helpers ----------------------------------------------------------------------------------


def script_json(obj) -> str:
    """JSON safe to place inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


_UNSAFE_LT = re.compile(r"<(?=[/!?sS])")


def payload_json(obj) -> str:
    """JSON for the layers' payload inside a ``<script>``: like :func:`script_json` but a ``<`` is
    escaped only where it could end or re-enter the script element (before ``/``, ``!``, ``?``
    or ``s``), so the tooltips' tags do not cost six characters each. ``\u003c`` is valid JSON."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (_UNSAFE_LT.sub(lambda _m: "\\u003c", text).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


_CUT = re.compile(r"(?<=<br>)|(?<=</span>)")


def split_tip(html: str) -> list[str]:
    """A tooltip's HTML cut after every ``<br>`` and ``</span>`` (joined back it is the same text)."""
    return [p for p in _CUT.split(html) if p]


def layer_features(page: str, key: str) -> list[list]:
    """The features ``[kind, refs, props]`` of the compact layer ``key`` in a rendered document,
    with ``st`` and ``cat`` resolved from the layer's tables as ``tq-topo.js`` does (tests, tools)."""
    dec = json.JSONDecoder()
    head = f"window.tqGeo.make({script_json(key)}, "
    i = page.index(head) + len(head)
    data, end = dec.raw_decode(page, i)
    opts, _ = dec.raw_decode(page, end + 2)
    cols = {k: decode_ints(v) if isinstance(v, str) else v for k, v in (opts.get("cols") or {}).items()}
    for j, f in enumerate(data):
        p = dict(f[2]) if len(f) > 2 else {}
        p.update({k: v[j] for k, v in cols.items() if v[j] is not None})
        del f[2:]
        f.append(p)
        if "s" in p:
            p["st"] = opts["styles"][p.pop("s")]
        if "c" in p:
            p["cat"] = opts["cats"][p.pop("c")]
    return data


def strip_js(text: str) -> str:
    """Our own scripts without their comments and indentation (they travel in every export):
    ``/* … */`` blocks, ``//`` lines and trailing comments written as two spaces then ``//``."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    lines = (re.sub(r"  // .*$", "", ln).strip() for ln in text.splitlines())
    return "\n".join(ln for ln in lines if ln and not ln.startswith("//"))


@functools.lru_cache(maxsize=1)
def decoder_js() -> str:
    """``static/tq-topo.js`` as it travels (:func:`strip_js`), read once per process."""
    return strip_js(DECODER_PATH.read_text(encoding="utf-8"))


# --- the folium layer ------------------------------------------------------------------------------


def _compact_layers(root) -> list[CompactGeoJson]:
    """Every CompactGeoJson under ``root``, in render order (depth first, insertion order)."""
    out, stack = [], [root]
    while stack:
        el = stack.pop()
        if isinstance(el, CompactGeoJson):
            out.append(el)
        stack.extend(reversed(list(getattr(el, "_children", {}).values())))
    return out


def document_topology(root) -> tuple[Topology, list[CompactGeoJson]]:
    """The one topology of every compact layer's polygons and lines in ``root`` (cached on the
    root): neighbours share their boundary, a route and its casing share their line."""
    layers = _compact_layers(root)
    sig = tuple((id(l), l.n_features) for l in layers)
    cached = getattr(root, "_tq_topology", None)
    if cached is not None and cached[0] == sig:
        return cached[1], layers
    geoms, owners = [], []
    for layer in layers:
        for j, (geom, _props) in enumerate(layer._features):
            geoms.append(geom)
            owners.append((layer, j))
    topo = topology(geoms)
    for layer in layers:
        layer._refs = {}
    for (layer, j), refs, kind in zip(owners, topo.refs, topo.kinds):
        layer._refs[j] = (kind, refs) if refs is not None else None
    root._tq_topology = (sig, topo)
    return topo, layers


class CompactGeoJson(Layer):
    """Features given as ``(shapely geometry, properties)``; properties may hold:

    ``tip`` (safe HTML, shown as a sticky tooltip), ``st`` (per-feature Leaflet path style
    overriding ``style``), plus any data (``code``, ``cat``). ``shared=False`` keeps the layer's
    polygons out of the document's topology (they are then written standalone).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.prelude }}
        var {{ this.get_name() }} = window.tqGeo.make({{ this.key_json }}, {{ this.data_json }}, {{ this.opts_json }});
        {% endmacro %}
    """)

    def __init__(self, features, *, key: str, name: str, pane: str, style: dict | None = None,
                 hover: dict | None = None, interactive: bool = True, defs: str | None = None,
                 show: bool = True, control: bool = True, labels=None, shared: bool = True):
        """``labels``: ``[(lat, lon, safe_html), …]`` shown as permanent labels with the layer."""
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "CompactGeoJson"
        # (geometry for the shared topology or None, properties); the original geometry beside
        self._features: list[tuple[object, dict]] = []
        self._originals: list[object] = []
        for geom, props in features:
            norm = _normalise(geom)
            if norm is None:
                continue
            self._features.append((geom if shared else None, props))
            self._originals.append(geom)
        self._refs: dict[int, object] = {}
        self.key = key
        self.n_features = len(self._features)
        self.key_json = script_json(key)
        self._opts = {"pane": pane, "style": style or {}, "hover": hover, "interactive": interactive,
                      "defs": defs, "labels": [[round(a, 5), round(b, 5), h] for a, b, h in labels or []]}
        self._data_override: str | None = None

    # Computed when the template renders (folium's page and streamlit-folium's script alike), so
    # the document's topology covers every layer added by then.
    def _encode(self) -> tuple[list, dict, Topology]:
        topo, _layers = document_topology(self.get_root())
        parts: dict[str, int] = {}
        styles: dict[str, int] = {}
        cats: dict[str, int] = {}
        data = []
        for j, ((shared_geom, props), orig) in enumerate(zip(self._features, self._originals)):
            ref = self._refs.get(j) if shared_geom is not None else None
            if ref is not None:
                entry = [ref[0], pack_refs(ref[0], ref[1])]
            else:
                entry = list(_standalone(orig))
            props = dict(props)
            tip = props.get("tip")
            if isinstance(tip, str) and tip:
                del props["tip"]
                props["tp"] = encode_ints([parts.setdefault(p, len(parts)) for p in split_tip(tip)])
            # per-feature styles and categories repeat: one table per layer, an index per feature
            if isinstance(props.get("st"), dict):
                props["s"] = styles.setdefault(json.dumps(props.pop("st"), sort_keys=True), len(styles))
            if isinstance(props.get("cat"), str):
                props["c"] = cats.setdefault(props.pop("cat"), len(cats))
            data.append((entry, props))
        # the properties as columns (a list per key, integers as encode_ints text): no key repeated
        # per feature
        keys: dict[str, None] = {}
        for _e, p in data:
            keys.update(dict.fromkeys(p))
        cols = {}
        for k in keys:
            vals = [p.get(k) for _e, p in data]
            ints_only = all(isinstance(v, int) and not isinstance(v, bool) for v in vals)
            cols[k] = encode_ints(vals) if ints_only else vals
        data = [e for e, _p in data]
        opts = dict(self._opts)
        if cols:
            opts["cols"] = cols
        if parts:
            opts["parts"] = list(parts)
        if styles:
            opts["styles"] = [json.loads(k) for k in styles]
        if cats:
            opts["cats"] = list(cats)
        if any(e[0] in ("A", "B") for e in data):
            opts["topo"] = topo.key
        return data, opts, topo

    @property
    def data_json(self) -> str:
        if self._data_override is not None:
            return self._data_override
        return payload_json(self._encode()[0])

    @data_json.setter
    def data_json(self, value: str) -> None:
        self._data_override = value

    @property
    def opts_json(self) -> str:
        return payload_json(self._encode()[1])

    @property
    def prelude(self) -> str:
        """The decoder and the document's arcs, in the first compact layer of the document only."""
        topo, layers = document_topology(self.get_root())
        if not layers or layers[0] is not self:
            return ""
        arcs = payload_json(topo.encoded)
        return f"{decoder_js()}\nwindow.tqGeo.define({payload_json(topo.key)}, {arcs});"

    def decoded(self) -> list[shapely.Geometry]:
        """The geometries as the browser will decode them (for tests)."""
        data, _opts, topo = self._encode()
        arcs = topo.decoded_arcs()
        return [decode_refs(arcs, e[0], e[1]) for e in data]
