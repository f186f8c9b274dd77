/* tq-topo.js: decoder for the compact shared-arc geometry of geo/maps/compact.py (one copy per
 * document; guarded). Same algorithm as geo.maps.compact.decode_arcs / decode_refs in Python.
 *
 * Arcs (all in one string): each boundary piece stored once, as integers at 1e-5 degrees, delta-coded (the first point
 * of an arc relative to the last point of the previous arc), zig-zag mapped and written 5 bits per
 * character (6th bit = "more follows") in the URL-safe base64 alphabet.
 * A ring or line is a list of arc references: i = arc i, ~i (= -i-1) = arc i reversed; arcs are
 * joined dropping each next arc's first point (it repeats the previous arc's last point), so two
 * neighbours that use the same arc get the very same numbers: no sliver can appear between them.
 */
if (!window.tqGeo) { window.tqGeo = (function () {
  var A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", T = new Int8Array(128), S = 100000;
  for (var i = 0; i < 64; i++) T[A.charCodeAt(i)] = i;  // by character code: no string per character
  var topos = {};
  function ints(s) {
    var out = [], i = 0, n = s.length;
    while (i < n) {
      var r = 0, sh = 1, b;
      do { b = T[s.charCodeAt(i++)]; r += (b & 31) * sh; sh *= 32; } while (b & 32);
      out.push((r % 2) ? -((r - 1) / 2) - 1 : r / 2);
    }
    return out;
  }
  // All arcs in one string: "." starts an arc at a delta from the previous arc's last point,
  // "," starts one AT that point (its first point is left out). The position carries over.
  // ``latlng``: points as Leaflet LatLng objects (lat, lng), made once per arc point and shared by
  // the rings that use the arc; else [lon, lat] arrays (GeoJSON order).
  function arcs(text, latlng) {
    var p = text ? text.split(/([.,])/) : [], x = 0, y = 0, out = [];
    var pt = latlng ? function () { return new L.LatLng(y / S, x / S); } : function () { return [x / S, y / S]; };
    for (var a = 0; a < p.length; a += 2) {
      var s = p[a], n = s.length, i = 0, pts = (a && p[a - 1] === ",") ? [pt()] : [], odd = false;
      while (i < n) {  // ints(s) inline, without its array: x and y deltas in turn
        var r = 0, sh = 1, b;
        do { b = T[s.charCodeAt(i++)]; r += (b & 31) * sh; sh *= 32; } while (b & 32);
        var d = (r % 2) ? -((r - 1) / 2) - 1 : r / 2;
        if (odd) { y += d; pts.push(pt()); } else x += d;
        odd = !odd;
      }
      out.push(pts);
    }
    return out;
  }
  // L.geoJSON's coordsToLatLng for geometries made here: shared arcs already hold LatLng objects
  // (a 3,321-commune map made ~700,000 [lon, lat] arrays, then as many LatLng copies of them:
  // a third of its drawing time went to collecting that garbage).
  function toLatLng(c) { return c instanceof L.LatLng ? c : L.GeoJSON.coordsToLatLng(c); }
  // A standalone line (no topology): first point absolute.
  function line(s) { return arcs(s)[0]; }
  function define(id, text) { if (!topos[id]) topos[id] = arcs(text, !!window.L); return topos[id]; }
  function path(arcsOf, refs) {
    if (typeof refs === "string") {  // delta-coded references (geo.maps.compact.pack_refs)
      var d = ints(refs), acc = 0; refs = [];
      for (var q = 0; q < d.length; q++) { acc += d[q]; refs.push(acc); }
    }
    var out = [];
    for (var j = 0; j < refs.length; j++) {
      var r = refs[j], a = arcsOf[r >= 0 ? r : ~r], n = a.length, k = j ? 1 : 0;
      if (r >= 0) for (; k < n; k++) out.push(a[k]);
      else for (; k < n; k++) out.push(a[n - 1 - k]);  // the arc reversed, without a reversed copy
    }
    return out;
  }
  function geometry(f, arcsOf) {
    if (f[0] === "A") {  // polygons of arc references: [[ring refs, ...], ...]
      return {type: "MultiPolygon", coordinates: f[1].map(function (p) {
        return p.map(function (ring) { return path(arcsOf, ring); }); })};
    }
    if (f[0] === "B") {  // lines of arc references: [[refs], ...]
      return {type: "MultiLineString", coordinates: f[1].map(function (refs) { return path(arcsOf, refs); })};
    }
    if (f[0] === "P") {
      return {type: "MultiPolygon", coordinates: f[1].map(function (p) { return p.map(line); })};
    }
    return {type: "MultiLineString", coordinates: f[1].map(line)};
  }
  function feature(f, arcsOf, opts, cols, i) {
    var p = Object.assign({}, f[2] || {}), parts = opts.parts;
    for (var k in cols) { var v = cols[k][i]; if (v !== null && v !== undefined) p[k] = v; }
    if (parts && typeof p.tp === "string") {  // tooltip as indices into the layer's shared pieces
      p.tip = ints(p.tp).map(function (i) { return parts[i]; }).join("");
      delete p.tp;
    }
    // style and category as indices into the layer's tables (geo.maps.compact.CompactGeoJson)
    if (opts.styles && typeof p.s === "number") { p.st = opts.styles[p.s]; delete p.s; }
    if (opts.cats && typeof p.c === "number") { p.cat = opts.cats[p.c]; delete p.c; }
    return {type: "Feature", properties: p, geometry: geometry(f, arcsOf)};
  }
  function features(data, opts) {
    var arcsOf = opts.topo ? topos[opts.topo] : null;
    var cols = {};  // the properties as columns (geo.maps.compact.CompactGeoJson)
    for (var k in (opts.cols || {})) cols[k] = typeof opts.cols[k] === "string" ? ints(opts.cols[k]) : opts.cols[k];
    return data.map(function (f, i) { return feature(f, arcsOf, opts, cols, i); });
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
    var layer = L.geoJSON({type: "FeatureCollection", features: features(data, opts)}, {
      pane: opts.pane, renderer: renderer, interactive: !!opts.interactive, style: style, coordsToLatLng: toLatLng,
      onEachFeature: function (f, l) {
        if (f.properties.tip) l.bindTooltip(f.properties.tip, {sticky: true, className: "tq-tip", direction: "top", opacity: 1});
      }
    });
    if (hover) {  // on the layer, for all its shapes (a shape's events reach its layer as e.layer)
      layer.on("mouseover", function (e) { if (e.layer.feature) e.layer.setStyle(hover); });
      layer.on("mouseout", function (e) { if (e.layer.feature) e.layer.setStyle(style(e.layer.feature)); });
    }
    (opts.labels || []).forEach(function (a) {
      layer.addLayer(L.tooltip({permanent: true, direction: "center", className: "tq-label", interactive: false})
        .setLatLng([a[0], a[1]]).setContent(a[2]));
    });
    window.tqLayers = window.tqLayers || {};
    window.tqLayers[key] = layer;
    return layer;
  }
  return {ints: ints, arcs: arcs, line: line, define: define, path: path, geometry: geometry, toLatLng: toLatLng,
          features: features, make: make, topos: topos};
})(); }
