"""A GeoJSON layer whose geometry travels compactly and is decoded by a few lines of inline JS.

Why: the plain GeoJSON of the 124 simplified communes is ~760 KB; the standalone HTML export must
stay under 600 KB *with* Leaflet inlined. Coordinates are integers at 1e-5° (≈1 m; the web
geometry is already rounded to 5 decimals, so this is lossless), delta-coded along each ring,
zig-zag mapped to unsigned, and written 5 bits per character (a continuation bit in the 6th) in
the URL-safe base64 alphabet: like Google's polyline encoding, but with no character that JSON,
HTML or JavaScript would have to escape. Most vertices take 6 characters instead of ~22.

The layer is a :class:`folium.map.Layer`, so the layer control, ``show=False`` and
streamlit-folium all treat it like any other folium layer; it pulls no JS/CSS from anywhere.
Every layer registers itself in ``window.tqLayers[key]`` (used by tests and by other controls).
"""

from __future__ import annotations

import functools
import json

import shapely
from folium.map import Layer
from folium.template import Template

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
SCALE = 100_000


def _zigzag(d: int) -> int:
    return 2 * d if d >= 0 else -2 * d - 1


def encode_coords(coords) -> str:
    """Encode a sequence of (lon, lat) pairs; the first point absolute, the rest as deltas."""
    out: list[str] = []
    px = py = 0
    for x, y in coords:
        ix, iy = round(x * SCALE), round(y * SCALE)
        for d in (ix - px, iy - py):
            v = _zigzag(d)
            while v >= 32:
                out.append(ALPHABET[(v & 31) | 32])
                v >>= 5
            out.append(ALPHABET[v])
        px, py = ix, iy
    return "".join(out)


def decode_coords(s: str) -> list[tuple[float, float]]:
    """Inverse of :func:`encode_coords` (the JS decoder does the same; used in tests)."""
    table = {c: i for i, c in enumerate(ALPHABET)}
    vals, i = [], 0
    while i < len(s):
        r = shift = 0
        while True:
            b = table[s[i]]
            i += 1
            r |= (b & 31) << shift
            shift += 5
            if not b & 32:
                break
        vals.append(-((r >> 1) + 1) if r & 1 else r >> 1)
    out, x, y = [], 0, 0
    for k in range(0, len(vals), 2):
        x += vals[k]
        y += vals[k + 1]
        out.append((x / SCALE, y / SCALE))
    return out


@functools.lru_cache(maxsize=4096)
def _encode_geometry(geom) -> tuple[str, object] | None:
    if geom is None or geom.is_empty:
        return None
    kind = geom.geom_type
    if kind in ("Polygon", "MultiPolygon"):
        polys = [geom] if kind == "Polygon" else list(geom.geoms)
        return "P", [[encode_coords(p.exterior.coords)] + [encode_coords(r.coords) for r in p.interiors]
                     for p in polys if not p.is_empty]
    if kind in ("LineString", "MultiLineString"):
        lines = [geom] if kind == "LineString" else list(geom.geoms)
        return "L", [encode_coords(ln.coords) for ln in lines if not ln.is_empty]
    if kind == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        return _encode_geometry(shapely.union_all(parts)) if parts else None
    raise ValueError(f"unsupported geometry type {kind}")


def encode_geometry(geom):
    """``("P", [[ring, …], …])`` for (multi)polygons, ``("L", [line, …])`` for (multi)lines."""
    return _encode_geometry(geom)


def script_json(obj) -> str:
    """JSON safe to place inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# The decoder and the layer factory, defined once per page (guarded), ~1 KB.
DECODER_JS = """
if (!window.tqGeo) { window.tqGeo = (function () {
  var A = "%s", T = {};
  for (var i = 0; i < 64; i++) T[A.charAt(i)] = i;
  function line(s) {
    var out = [], i = 0, n = s.length, x = 0, y = 0, v = [0, 0];
    while (i < n) {
      for (var k = 0; k < 2; k++) {
        var r = 0, sh = 0, b;
        do { b = T[s.charAt(i++)]; r += (b & 31) * Math.pow(2, sh); sh += 5; } while (b & 32);
        v[k] = (r %% 2) ? -((r - 1) / 2) - 1 : r / 2;
      }
      x += v[0]; y += v[1]; out.push([x / %d, y / %d]);
    }
    return out;
  }
  function feature(f) {
    var g = f[0] === "P"
      ? {type: "MultiPolygon", coordinates: f[1].map(function (p) { return p.map(line); })}
      : {type: "MultiLineString", coordinates: f[1].map(line)};
    return {type: "Feature", properties: f[2] || {}, geometry: g};
  }
  function make(key, data, opts) {
    var base = opts.style || {}, hover = opts.hover;
    var renderer = L.svg({pane: opts.pane});
    if (opts.defs) {
      renderer.on("add", function () {
        var svg = renderer._container;
        if (svg && !svg.querySelector("defs.tq-defs")) {
          var d = document.createElementNS("http://www.w3.org/2000/svg", "defs");
          d.setAttribute("class", "tq-defs"); d.innerHTML = opts.defs; svg.insertBefore(d, svg.firstChild);
        }
      });
    }
    function style(f) { return Object.assign({}, base, f.properties.st || {}); }
    var layer = L.geoJSON({type: "FeatureCollection", features: data.map(feature)}, {
      pane: opts.pane, renderer: renderer, interactive: !!opts.interactive, style: style,
      onEachFeature: function (f, l) {
        if (f.properties.tip) l.bindTooltip(f.properties.tip, {sticky: true, className: "tq-tip", direction: "top", opacity: 1});
        if (hover) {
          l.on("mouseover", function () { l.setStyle(hover); });
          l.on("mouseout", function () { l.setStyle(style(f)); });
        }
      }
    });
    (opts.labels || []).forEach(function (a) {
      layer.addLayer(L.tooltip({permanent: true, direction: "center", className: "tq-label", interactive: false})
        .setLatLng([a[0], a[1]]).setContent(a[2]));
    });
    window.tqLayers = window.tqLayers || {};
    window.tqLayers[key] = layer;
    return layer;
  }
  return {line: line, make: make};
})(); }
""" % (ALPHABET, SCALE, SCALE)


class CompactGeoJson(Layer):
    """Features given as ``(shapely geometry, properties)``; properties may hold:

    ``tip`` (safe HTML, shown as a sticky tooltip), ``st`` (per-feature Leaflet path style overriding ``style``), plus any data (``code``, ``cat``).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.decoder }}
        var {{ this.get_name() }} = window.tqGeo.make({{ this.key_json }}, {{ this.data_json }}, {{ this.opts_json }});
        {% endmacro %}
    """)

    def __init__(self, features, *, key: str, name: str, pane: str, style: dict | None = None,
                 hover: dict | None = None, interactive: bool = True, defs: str | None = None,
                 show: bool = True, control: bool = True, labels=None):
        """``labels``: ``[(lat, lon, safe_html), …]`` shown as permanent labels with the layer."""
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "CompactGeoJson"
        data = []
        for geom, props in features:
            enc = encode_geometry(geom)
            if enc is not None:
                data.append([enc[0], enc[1], props])
        self.key = key
        self.n_features = len(data)
        self.decoder = DECODER_JS
        self.key_json = script_json(key)
        self.data_json = script_json(data)
        self.opts_json = script_json({"pane": pane, "style": style or {}, "hover": hover,
                                      "interactive": interactive, "defs": defs,
                                      "labels": [[round(a, 5), round(b, 5), h] for a, b, h in labels or []]})
