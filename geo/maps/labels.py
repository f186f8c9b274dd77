"""Commune names and symbols on interactive maps (app, HTML exports, slides): halo text, no overlap.

One folium element, :class:`CommuneMarks`, puts at each commune's pole of inaccessibility a badge
with its symbol (✓ / I / II / III, geo.maps.symbols) and, below it, the commune's name in dark
text with a white halo. A small script, declared once per document (``window.tqMarks``), places
them after every zoom or move, in priority order (``always`` communes first, then larger
communes first): a name overlapping one already placed is hidden (the symbol stays), a symbol
overlapping one already placed is hidden too. Names appear from ``min_zoom`` on (where they fit)
and always for the ``always`` communes (those of a route or commune view, a searched commune).
Route labels (geo.maps.routes) are placed first: one that overlaps another is hidden, and no commune
mark covers them.
Nothing is fetched from anywhere.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template

from ..escape import html_text, json_script
from . import compact, style, symbols

MIN_ZOOM = 10  # the province fits at 8–9 on a 1920×1080 screen; names fit from 10 on
PANE = "tq-marks"
PANE_Z = 450  # above the border (445), below Leaflet's tooltips (650)

# The integers of pack_rows are read with the decoder's own reader (static/tq-topo.js, declared
# before any layer in every document and loaded before the marks in the app). Placed rectangles
# are kept in a grid of 48 px cells: a new mark is tested against those in the cells it touches
# (3,321 communes: ~1.5 s of tests against every placed mark before). The marks are made in the
# task after the shapes' and placed once per burst of map events (each placing lays out every mark).
# place(): the route labels (permanent tooltips) come first (a later one overlapping an earlier one
# is hidden; no commune mark may cover them), then the marks in priority order: named where the
# zoom allows and there is room, else the symbol alone, else hidden. Reads and writes of the page's
# layout are batched: a read after a write makes the browser lay the whole page out again, and one
# per mark (the former loop) cost ~250 layouts per call; now two: every mark's size as it would be
# named, then without its name. Positions in container pixels, from the anchor and the layout size.
MARKS_JS = """
if (!window.tqMarks) { window.tqMarks = (function () {
  function hit(a, b) { return !(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top); }
  function grow(r, m) { return {left: r.left - m, right: r.right + m, top: r.top - m, bottom: r.bottom + m}; }
  // The rectangles placed so far, in a grid of CELL px squares: a new one is tested against those
  // in the cells it touches, not against every one (3,321 marks: ~1.5 s of tests and garbage before).
  var CELL = 48;
  function Kept() { this.cells = {}; }
  Kept.prototype.each = function (r, fn) {
    for (var cx = Math.floor(r.left / CELL); cx <= Math.floor(r.right / CELL); cx++)
      for (var cy = Math.floor(r.top / CELL); cy <= Math.floor(r.bottom / CELL); cy++)
        if (fn(cx * 100000 + cy) === true) return true;  // a number, not a string: no garbage
    return false;
  };
  Kept.prototype.hits = function (r) {
    var cells = this.cells;
    return this.each(r, function (c) { var l = cells[c]; return !!l && l.some(function (k) { return hit(r, k); }); });
  };
  Kept.prototype.add = function (r) {
    var cells = this.cells;
    this.each(r, function (c) { (cells[c] || (cells[c] = [])).push(r); });
  };
  var SYM = %(sym)s;
  function unpack(p) {  // geo.maps.labels.pack_rows: columns -> rows [lat, lon, sym, cat, name, always, code]
    var ints = window.tqGeo.ints, ll = ints(p.ll), f = ints(p.f), rows = [], y = 0, x = 0;  // static/tq-topo.js
    for (var i = 0; i < f.length; i++) {
      y += ll[2 * i]; x += ll[2 * i + 1];
      rows.push([y / 1e5, x / 1e5, f[i] & 1, p.cats[f[i] >> 2], p.n[i], (f[i] >> 1) & 1, p.k[i]]);
    }
    return rows;
  }
  function make(map, data, opts) {
    if (!Array.isArray(data)) data = unpack(data);
    if (!map.getPane(%(pane)s)) { var p = map.createPane(%(pane)s); p.style.zIndex = %(z)d; p.style.pointerEvents = "none"; }
    // The marks are made in the task after the shapes' (with their first placing): the browser
    // paints the map first (3,321 communes: ~0.4 s of marks no longer hold the shapes back).
    var group = L.layerGroup(), items = [], made = false;
    function fill() { made = true; data.forEach(function (d) {
      var sym = d[2] ? SYM[d[3]] : "";  // the symbol's markup once per document, not per commune
      var html = (sym ? '<span class="tq-sym tq-sym-' + d[3] + '">' + sym + '</span>' : "") +
                 (opts.names && d[4] ? '<span class="tq-cn">' + d[4] + '</span>' : "");
      if (!html) return;
      var mk = L.marker([d[0], d[1]], {pane: %(pane)s, interactive: false, keyboard: false,
        icon: L.divIcon({className: "tq-mark", html: '<div class="tq-mark-in">' + html + '</div>', iconSize: null})});
      mk.tqAlways = !!d[5]; mk.tqCode = d[6]; items.push(mk); group.addLayer(mk);
    }); }
    function place() {
      if (!map.hasLayer(group)) return;
      var z = map.getZoom(), kept = new Kept(), size = map.getSize(), ct = map.getContainer();
      ct.classList.toggle("tq-marks-small", z < opts.minZoom - 1);  // smaller badges far out
      var tips = Array.prototype.slice.call(ct.querySelectorAll(".leaflet-tooltip.tq-label"));
      tips.forEach(function (t) { t.style.visibility = ""; });
      var box = ct.getBoundingClientRect(), tq = tips.map(function (t) { return t.getBoundingClientRect(); });
      tips.forEach(function (t, i) {
        var q = tq[i], r = {left: q.left - box.left, right: q.right - box.left, top: q.top - box.top, bottom: q.bottom - box.top};
        if (kept.hits(grow(r, 2))) { t.style.visibility = "hidden"; return; }
        kept.add(r);
      });
      var ms = [];
      items.forEach(function (mk) {
        var el = mk.getElement(); if (!el) return;
        var nm = el.querySelector(".tq-cn");
        ms.push({mk: mk, el: el, inner: el.firstChild, sy: !!el.querySelector(".tq-sym"),
                 want: !!nm && (mk.tqAlways || z >= opts.minZoom)});
      });
      ms.forEach(function (m) { m.el.classList.remove("tq-hidden"); m.el.classList.toggle("tq-named", m.want); });
      ms.forEach(function (m) {
        m.p = map.latLngToContainerPoint(m.mk.getLatLng()); m.w = m.inner.offsetWidth; m.h = m.inner.offsetHeight;
      });
      var named = ms.filter(function (m) { return m.want; });
      named.forEach(function (m) { m.el.classList.remove("tq-named"); });
      named.forEach(function (m) { m.w0 = m.inner.offsetWidth; m.h0 = m.inner.offsetHeight; });
      function rect(p, w, h) { return {left: p.x - w / 2, right: p.x + w / 2, top: p.y - h / 2, bottom: p.y + h / 2}; }
      ms.forEach(function (m) {
        m.named = m.want; m.hidden = false;
        var r = rect(m.p, m.w, m.h);
        if (r.right < 0 || r.left > size.x || r.bottom < 0 || r.top > size.y) return;
        if (kept.hits(grow(r, 2))) {
          m.named = false;
          if (m.want) r = rect(m.p, m.w0, m.h0);
          if (!m.sy || kept.hits(r)) { m.hidden = true; return; }
        }
        kept.add(r);
      });
      ms.forEach(function (m) { m.el.classList.toggle("tq-named", m.named); if (m.hidden) m.el.classList.add("tq-hidden"); });
    }
    // Events that come together (the layer added and the map ready; a fitBounds' zoomend and
    // moveend) place the marks once, in the next task: each placing lays out every mark.
    var due = false;
    function later() { if (due) return; due = true; setTimeout(function () { due = false; if (!made) fill(); place(); }, 0); }
    group.tqPlace = place; group.tqLater = later;
    map.on("zoomend moveend resize", later);
    group.on("add", later);
    group.addTo(map);
    map.whenReady(later);
    window.tqLayers = window.tqLayers || {};
    window.tqLayers[opts.key] = group;
    return group;
  }
  return {make: make};
})(); }
""" % {"pane": '"' + PANE + '"', "z": PANE_Z, "sym": json_script(symbols.SYMBOL_HTML)}
MARKS_JS = compact.strip_js(MARKS_JS)  # the comments stay here, not in every export

CSS = style.MARKS_CSS  # one definition, in geo.maps.style (it adds it to every map)


class CommuneMarks(MacroElement):
    """Symbols and names of communes: ``data`` rows are ``[lat, lon, has_symbol, cat, name_html,
    always, code]`` in priority order (safe HTML only: names escaped here). ``has_symbol`` is 1 or
    0: the symbol's markup (``symbols.SYMBOL_HTML[cat]``) is written once per document, in the
    placing script, and looked up by category in the browser (the check mark's SVG repeated per
    drug-free commune cost ~10 KB of the overview export)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.js }}
        var {{ this.get_name() }} = window.tqMarks.make({{ this._parent.get_name() }}, {{ this.data_json }}, {{ this.opts_json }});
        {% endmacro %}
    """)

    def __init__(self, rows: list[list], *, names: bool = True, min_zoom: int = MIN_ZOOM, key: str = "marks",
                 places: dict | None = None):
        super().__init__()
        self._name = "TqCommuneMarks"
        self.js = MARKS_JS
        self.n = len(rows)
        self.rows = rows
        self.opts = {"names": names, "minZoom": int(min_zoom), "key": key}
        # code -> [lat, lon, name_html] of EVERY commune of the view's frame (not only those marked):
        # the persistent map (geo.maps.live) sends these once, in its base geometry file, and each
        # change only says which communes carry which mark
        self.places = places or {}
        self.data_json = json_script(pack_rows(rows))
        self.opts_json = json_script(self.opts)


def pack_rows(rows: list[list]) -> dict:
    """Rows as columns for a document (the placing script unpacks them): positions as integer
    deltas at 1e-5 degrees and the category/flags as one small integer each, in the shared-edge
    text form (geo.maps.compact.encode_ints); names and codes as lists. Lossless."""
    import numpy as np

    from .compact import encode_ints

    cats: dict[str, int] = {}
    q = np.rint(np.array([[r[0], r[1]] for r in rows], dtype=float).reshape(-1, 2) * 1e5).astype(np.int64)
    d = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    flags = [cats.setdefault(r[3], len(cats)) * 4 + int(r[2]) + 2 * int(r[5]) for r in rows]
    return {"ll": encode_ints(d), "f": encode_ints(flags), "cats": list(cats), "n": [r[4] for r in rows],
            "k": [r[6] for r in rows]}


def unpack_rows(packed: dict) -> list[list]:
    """Inverse of :func:`pack_rows`, as the placing script computes it (coordinates = int / 1e5)."""
    from .compact import decode_ints

    ll, f = decode_ints(packed["ll"]), decode_ints(packed["f"])
    rows, y, x = [], 0, 0
    for i, v in enumerate(f):
        y += ll[2 * i]
        x += ll[2 * i + 1]
        rows.append([y / 1e5, x / 1e5, v & 1, packed["cats"][v >> 2], packed["n"][i], (v >> 1) & 1, packed["k"][i]])
    return rows


def mark_rows(frame, *, always=None, first=None, symbols_on: bool = True) -> list[list]:
    """Rows for :class:`CommuneMarks` from a frame in EPSG:4326 (``code``, ``name``, ``category``),
    in placing order: ``first`` (the commune of a commune view), then ``always``, then larger first."""
    always = {str(c) for c in (always or ())}
    first = {str(c) for c in (first or ())}
    has_cat = "category" in frame.columns
    has_name = "name" in frame.columns
    rows = []
    for i, (code, geom) in enumerate(zip(frame["code"], frame.geometry.values)):
        if geom is None or geom.is_empty:
            continue
        code = str(code)
        cat = str(frame["category"].iloc[i]) if has_cat else ""
        name = str(frame["name"].iloc[i]) if has_name and frame["name"].iloc[i] is not None else ""
        x, y = symbols.anchor(geom)
        rows.append([round(y, 5), round(x, 5), 1 if symbols_on and symbols.symbol_html(cat) else 0, cat,
                     html_text(name), 1 if code in always else 0, code, geom.area])
    rows.sort(key=lambda r: (r[6] not in first, -r[5], -r[7]))
    return [r[:7] for r in rows]


def place_table(frame) -> dict[str, list]:
    """code -> [lat, lon, name_html] for every commune of a frame in EPSG:4326 (anchors cached)."""
    has_name = "name" in frame.columns
    out = {}
    for i, (code, geom) in enumerate(zip(frame["code"], frame.geometry.values)):
        if geom is None or geom.is_empty:
            continue
        name = frame["name"].iloc[i] if has_name else None
        x, y = symbols.anchor(geom)
        out[str(code)] = [round(y, 5), round(x, 5), html_text(str(name)) if name is not None else ""]
    return out


def add_commune_marks(m, frame, lang: str = "vi", *, always=None, first=None, names: bool = True,
                      symbols_on: bool = True, min_zoom: int = MIN_ZOOM,
                      only_always: bool | None = None) -> CommuneMarks:
    """Add the symbols (``symbols_on``) and names (``names``) of the communes of ``frame``.

    ``always``: codes whose names show at every zoom (route view: the communes crossed; commune
    view: the commune and its neighbours; overview: a searched commune). ``only_always``: marks
    for those communes only (default: when ``always`` holds more than one commune, i.e. a route or
    commune view, where the other communes are faded context). ``first``: placed before all others
    (a commune view's own commune: its name wins over its neighbours')."""
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    always = {str(c) for c in (always or ())}
    if only_always is None:
        only_always = len(always) > 1
    places = place_table(frame)
    if only_always:
        frame = frame[frame["code"].astype(str).isin(always)]
    style.apply(m)
    el = CommuneMarks(mark_rows(frame, always=always, first=first, symbols_on=symbols_on), names=names,
                      min_zoom=min_zoom,
                      places=places)
    el.add_to(m)
    return el
