// tq-live.js: the persistent map component (Streamlit custom component v2, see livemap/ and
// geo/maps/live.py). Runs in the app's own page (no iframe): Leaflet, the geometry decoder and the
// geometry files come from the app's static folder, each loaded once per browser tab; a rerun only
// restyles the existing layers. No request to any other host.
const STATIC = "/app/static";
const G = window.tqLive || (window.tqLive = {scripts: {}, geo: {}, tips: {}, books: {}, fix: {}, maps: new WeakMap()});

function script(src) {
  if (!G.scripts[src]) {
    G.scripts[src] = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src; s.async = false;
      s.onload = resolve; s.onerror = () => reject(new Error("cannot load " + src));
      document.head.appendChild(s);
    });
  }
  return G.scripts[src];
}

function stylesheet(href) {
  if (!document.querySelector('link[data-tq="' + href + '"]')) {
    const l = document.createElement("link");
    l.rel = "stylesheet"; l.href = href; l.setAttribute("data-tq", href);
    document.head.appendChild(l);
  }
}

// Both scripts are asked for at once and run in that order (async = false).
function libs() {
  stylesheet(STATIC + "/vendor/leaflet/leaflet.css");
  return Promise.all([script(STATIC + "/vendor/leaflet/leaflet.js"), script(STATIC + "/tq-topo.js")]);
}

// A geometry file, fetched once per tab and decoded once (arcs shared by its layers).
function geometry(key, url) {
  if (!G.geo[key]) {
    G.geo[key] = fetch(url).then(r => { if (!r.ok) throw new Error(url + ": " + r.status); return r.json(); })
      .then(body => {
        window.tqGeo.define(key, body.arcs || "");
        // the commune marks' placing script (geo.maps.labels.MARKS_JS: our own code, from this server)
        if (body.marksJs && !window.tqMarks) (new Function(body.marksJs))();
        if (body.css && !document.getElementById("tq-live-css")) {
          const st = document.createElement("style");
          st.id = "tq-live-css"; st.textContent = body.css; document.head.appendChild(st);
        }
        const arcsOf = window.tqGeo.topos[key];
        const layers = {};
        for (const id in body.layers) {
          const l = body.layers[id];
          layers[id] = {ids: l.ids, geoms: l.f.map(f => window.tqGeo.geometry(f, arcsOf))};
        }
        return {layers: layers, panes: body.panes || [], places: body.places || null};
      });
  }
  return G.geo[key];
}

function ints(s) { return s ? window.tqGeo.ints(s) : []; }

function tipOf(spec, tips, i) {
  const per = tips && tips.per[spec.id];
  if (!per || !per[i]) return null;
  return ints(per[i]).map(k => tips.parts[k]).join("");
}

function styleOf(spec, sids, i) {
  return Object.assign({}, spec.style || {}, spec.styles[sids[i]] || {});
}

function build(state, spec, geo, setTriggerValue) {
  const g = geo.layers[spec.id];
  const sids = ints(spec.sid);
  const renderer = L.svg({pane: spec.pane});
  if (spec.defs) {
    renderer.on("add", () => {
      const svg = renderer._container;
      if (svg && !svg.querySelector("defs.tq-defs")) {
        const d = document.createElementNS("http://www.w3.org/2000/svg", "defs");
        d.setAttribute("class", "tq-defs"); d.innerHTML = spec.defs; svg.insertBefore(d, svg.firstChild);
      }
    });
  }
  const group = L.featureGroup();
  const items = g.geoms.map((geom, i) => {
    const layer = L.geoJSON({type: "Feature", properties: {id: g.ids[i]}, geometry: geom},
      {pane: spec.pane, renderer: renderer, interactive: !!spec.interactive, style: () => styleOf(spec, sids, i),
       coordsToLatLng: window.tqGeo.toLatLng});
    const path = layer.getLayers()[0];
    path.tqIndex = i;
    if (spec.interactive) {
      path.on("mouseover", () => { if (path.tqSpec.hover) path.setStyle(path.tqSpec.hover); });
      path.on("mouseout", () => path.setStyle(styleOf(path.tqSpec, path.tqSids, i)));
      path.on("click", () => { if (g.ids[i]) setTriggerValue("clicked", {layer: spec.id, id: g.ids[i], at: Date.now()}); });
    }
    group.addLayer(path);
    return path;
  });
  const labels = (spec.labels || []).map(a => L.tooltip({permanent: true, direction: "center", className: "tq-label",
    interactive: false}).setLatLng([a[0], a[1]]).setContent(a[2]));
  labels.forEach(t => group.addLayer(t));
  return {spec: spec, geo: spec.geo, group: group, items: items, labels: labels};
}

function restyle(entry, spec, tips) {
  const sids = ints(spec.sid);
  entry.items.forEach((path, i) => {
    path.tqSpec = spec; path.tqSids = sids;
    path.setStyle(styleOf(spec, sids, i));
    const tip = tipOf(spec, tips, i);
    if (tip) {
      if (path.getTooltip()) { if (path.tqTip !== tip) path.setTooltipContent(tip); }
      else path.bindTooltip(tip, {sticky: true, className: "tq-tip", direction: "top", opacity: 1});
      path.tqTip = tip;
    } else if (path.getTooltip()) { path.unbindTooltip(); path.tqTip = null; }
  });
  if (JSON.stringify(entry.spec.labels || []) !== JSON.stringify(spec.labels || [])) {
    entry.labels.forEach(t => entry.group.removeLayer(t));
    entry.labels = (spec.labels || []).map(a => L.tooltip({permanent: true, direction: "center",
      className: "tq-label", interactive: false}).setLatLng([a[0], a[1]]).setContent(a[2]));
    entry.labels.forEach(t => entry.group.addLayer(t));
  }
  entry.spec = spec;
}

// The marks' rows (geo.maps.labels.CommuneMarks: [lat, lon, has_symbol, cat, name, always, code]) from
// the change's small table (geo.maps.live._marks) and the places of the base geometry file.
function markRows(marks, base) {
  const r = ints(marks.r), rows = [];
  const places = base && base.places, ids = base && base.layers.communes && base.layers.communes.ids;
  for (let k = 0; k + 2 < r.length; k += 3) {
    const p = places && places[r[k]];
    if (!p) continue;
    rows.push([p[0], p[1], r[k + 2] & 1, marks.cats[r[k + 1]], p[2], (r[k + 2] >> 1) & 1, ids[r[k]]]);
  }
  return rows.concat(marks.x || []);
}

function setMarks(state, data, byKey) {
  const mk = JSON.stringify(data.marks || null);
  if (mk === state.marksKey) return;
  const map = state.map;
  if (state.marks) {
    map.off("zoomend moveend resize", state.marks.tqLater);
    map.removeLayer(state.marks); state.marks = null;
  }
  if (data.marks && window.tqMarks) {
    const spec = data.layers.find(l => l.id === "communes");
    state.marks = window.tqMarks.make(map, markRows(data.marks, spec && byKey[spec.geo]), data.marks.opts);
  }
  state.marksKey = mk;
}

// The map takes the window's height left above ``fit`` pixels (downloads row): pages that ask for
// it (mapview.show(..., fit_below=...)). The legend beside the map is kept no taller than the map.
function fit(state) {
  const root = state.root, below = state.fit;
  if (below === null || below === undefined || !state.map) return;
  const doc = document, se = doc.scrollingElement;
  const top = root.getBoundingClientRect().top + (se ? se.scrollTop : 0);
  const h = Math.round(Math.max(320, window.innerHeight - top - below));
  if (Math.abs(root.offsetHeight - h) >= 2) {
    root.style.height = h + "px";
    state.map.invalidateSize(false);
    if (!state.user && state.boundsLL) state.map.fitBounds(state.boundsLL, {animate: false});
  }
  root.setAttribute("data-tq-fit", String(h));  // sized (tests wait for it)
  const fr = root.getBoundingClientRect();
  doc.querySelectorAll(".tq-legend-side").forEach(lg => {
    const lt = lg.getBoundingClientRect().top;
    if (lt >= fr.top - 400 && lt < fr.bottom) { lg.style.maxHeight = Math.max(120, fr.bottom - lt) + "px"; lg.style.overflow = "auto"; }
  });
}

function render(state, data, setTriggerValue) {
  const map = state.map;
  // The layers' fixed part (geometry file, pane, styles, patterns) travels once; then its key.
  if (data.fix) {
    if (data.fix.layers) G.fix[data.fix.key] = data.fix.layers;
    const fx = G.fix[data.fix.key];
    if (!fx) { setTriggerValue("missing", data.fix.key); return Promise.resolve(); }
    data.layers = data.layers.map((l, i) => Object.assign({}, fx[i], l));
  }
  // Tooltips travel only when they changed; otherwise their key names the copy this tab holds.
  // A piece book (data.tips.d) grows in the session: only new pieces travel, appended at ``base``.
  if (data.tips.parts) G.tips[data.tips.key] = data.tips;
  else if (data.tips.d) {
    const book = G.books[data.tips.d] || (G.books[data.tips.d] = []);
    if (book.length !== data.tips.base) { setTriggerValue("missing", data.tips.key); return Promise.resolve(); }
    data.tips.add.forEach(p => book.push(p));
    G.tips[data.tips.key] = {key: data.tips.key, parts: book, per: data.tips.per};
  }
  const tips = G.tips[data.tips.key];
  if (!tips) { setTriggerValue("missing", data.tips.key); return Promise.resolve(); }
  const wanted = {};
  const keys = [...new Set(data.layers.map(l => l.geo))];
  return Promise.all(keys.map(k => geometry(k, data.layers.find(l => l.geo === k).url))).then(geos => {
    if (state.version !== data.__v) return;  // a newer render started meanwhile
    if (state.dead || state.map !== map) return;  // unmounted (page left) while the files loaded
    const byKey = {};
    keys.forEach((k, i) => { byKey[k] = geos[i]; });
    geos.forEach(g => g.panes.forEach(([name, z]) => {
      if (!map.getPane(name)) { const p = map.createPane(name); p.style.zIndex = z; p.style.pointerEvents = "none"; }
    }));
    data.layers.forEach(spec => {
      wanted[spec.id] = true;
      let entry = state.layers[spec.id];
      if (entry && entry.geo !== spec.geo) {  // other geometry: rebuild this layer
        map.removeLayer(entry.group); if (state.control) state.control.removeLayer(entry.group);
        entry = null;
      }
      if (!entry) {
        entry = build(state, spec, byKey[spec.geo], setTriggerValue);
        state.layers[spec.id] = entry;
        if (spec.show) entry.group.addTo(map);
        if (spec.control) state.control.addOverlay(entry.group, spec.name);
      } else if (spec.control && entry.spec.name !== spec.name) {
        state.control.removeLayer(entry.group); state.control.addOverlay(entry.group, spec.name);
      }
      restyle(entry, spec, tips);
    });
    for (const id in state.layers) {
      if (!wanted[id]) {
        map.removeLayer(state.layers[id].group); state.control.removeLayer(state.layers[id].group);
        delete state.layers[id];
      }
    }
    setMarks(state, data, byKey);
    const b = JSON.stringify(data.bounds);
    if (data.bounds && b !== state.bounds) {
      map.fitBounds(data.bounds, {animate: false}); state.bounds = b; state.boundsLL = data.bounds; state.user = false;
    }
    fit(state);
    state.badge.textContent = data.badge || "";
    state.badge.style.display = data.badge ? "" : "none";
    state.root.setAttribute("data-tq-ready", String(data.__v));
    window.tqLiveLayers = Object.fromEntries(Object.entries(state.layers).map(([k, e]) => [k, e.group]));
  });
}

function decode(d) {
  if (d instanceof ArrayBuffer) d = new Uint8Array(d);
  if (d && d.buffer instanceof ArrayBuffer && !Array.isArray(d)) return JSON.parse(new TextDecoder().decode(d));
  return typeof d === "string" ? JSON.parse(d) : d;
}

// The tables of ui/layout.table: a click (or Enter / space) on a column's head sorts the rows by it,
// numbers (data-v) as numbers, text in Vietnamese order; again: the other way.
window.tqSortTable = function (ev) {
  const th = ev.target.closest("th");
  if (!th) return;
  if (ev.type === "keydown") ev.preventDefault();
  const row = th.parentNode, i = Array.prototype.indexOf.call(row.children, th);
  const body = th.closest("table").tBodies[0];
  const asc = th.getAttribute("aria-sort") !== "ascending";
  const key = r => { const c = r.cells[i]; return !c ? "" : c.hasAttribute("data-v") ? parseFloat(c.getAttribute("data-v")) : c.textContent; };
  const rows = Array.from(body.rows).map((r, k) => [key(r), k, r]);
  rows.sort((a, b) => {
    const x = a[0], y = b[0];
    const d = (typeof x === "number" && typeof y === "number") ? x - y
      : (x === "") - (y === "") || String(x).localeCompare(String(y), "vi");
    return (asc ? d : -d) || a[1] - b[1];
  });
  row.querySelectorAll("th").forEach(h => h.setAttribute("aria-sort", "none"));
  th.setAttribute("aria-sort", asc ? "ascending" : "descending");
  rows.forEach(r => body.appendChild(r[2]));
};

// HTML sent once per session and content (livemap.cached_html: the legend beside the map and its
// stylesheet): each part travels once, then only its hash; the tab keeps the parts.
export function cachedHtml(c) {
  const parts = decode(c.data) || [], H = G.html || (G.html = {});
  parts.forEach(p => { if (typeof p.html === "string") H[p.h] = p.html; });
  if (parts.some(p => H[p.h] === undefined)) { c.setTriggerValue("missing", Date.now()); return; }
  const key = parts.map(p => p.h).join(".");
  let el = c.parentElement.querySelector(":scope > .tq-cached");
  if (!el) { el = document.createElement("div"); el.className = "tq-cached"; c.parentElement.appendChild(el); }
  if (el.getAttribute("data-h") !== key) { el.innerHTML = parts.map(p => H[p.h]).join(""); el.setAttribute("data-h", key); }
}

export default function (component) {
  const {parentElement, setTriggerValue} = component;
  const data = decode(component.data);
  let state = G.maps.get(parentElement);
  if (!state) {
    const root = document.createElement("div");
    root.className = "tq-live";
    root.style.height = (data.height || 720) + "px";
    root.style.width = "100%";
    parentElement.appendChild(root);
    state = {root: root, layers: {}, version: 0, bounds: null};
    G.maps.set(parentElement, state);
    // once the user pans or zooms, the view is theirs (a resize no longer refits it)
    ["mousedown", "wheel", "touchstart", "keydown", "dblclick"].forEach(ev =>
      root.addEventListener(ev, () => { state.user = true; }, {passive: true}));
    state.onResize = () => fit(state);
    window.addEventListener("resize", state.onResize);
  }
  state.fit = (data.fit === undefined) ? null : data.fit;
  // a page that sizes the map itself (ui/layout.fit_map_page marks it data-tq-fit) keeps its height on reruns
  if (state.fit === null && !state.root.hasAttribute("data-tq-fit")) state.root.style.height = (data.height || 720) + "px";
  state.version += 1;
  data.__v = state.version;
  libs().then(() => {
    if (state.dead) return;  // unmounted while the libraries loaded
    if (!state.map) {
      state.map = L.map(state.root, {zoomSnap: 0.25, keyboard: false, attributionControl: false, preferCanvas: false});
      L.control.scale({imperial: false}).addTo(state.map);
      state.control = L.control.layers({}, {}, {position: "topright", collapsed: true}).addTo(state.map);
      const badge = L.control({position: "topleft"});
      badge.onAdd = () => { const d = L.DomUtil.create("div", "tq-demo tq-demo-compact"); return d; };
      badge.addTo(state.map);
      state.badge = badge.getContainer();
      state.root.style.background = "#f4f1ea";
      window.tqLiveMap = state.map;
    }
    return render(state, data, setTriggerValue);
  }).catch(e => { state.root.setAttribute("data-tq-error", String(e)); console.error(e); });
  return () => {
    state.dead = true;  // renders still waiting for files stop at their next step
    if (state.map) { state.map.remove(); state.map = null; }
    if (state.onResize) window.removeEventListener("resize", state.onResize);
    G.maps.delete(parentElement);
  };
}
