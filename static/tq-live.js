// tq-live.js: the persistent map component (Streamlit custom component v2, see livemap/ and
// geo/maps/live.py). Runs in the app's own page (no iframe): Leaflet, the geometry decoder and the
// geometry files come from the app's static folder, each loaded once per browser tab; a rerun only
// restyles the existing layers. No request to any other host.
const STATIC = "/app/static";
const G = window.tqLive || (window.tqLive = {scripts: {}, geo: {}, tips: {}, books: {}, fix: {}, maps: new WeakMap(),
  filters: {}, named: {}, panels: new WeakMap()});
// the year-bound parts of the page (the persistent map, the KPI strip, the legend) that can show
// another year at once from what the server sent ahead (see yearSelect); and those previews
if (!G.yearHooks) { G.yearHooks = new Map(); G.pv = {}; }

function script(src) {
  if (!G.scripts[src]) {
    G.scripts[src] = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src; s.async = false;
      s.onload = resolve;
      // not kept: the next render asks again
      s.onerror = () => { delete G.scripts[src]; s.remove(); reject(new Error("cannot load " + src)); };
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

// A geometry file, fetched once per tab and decoded once (arcs shared by its layers). A failure
// (the server restarting, a dropped connection) is not kept: the map's next render asks again.
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
      }).catch(e => { delete G.geo[key]; throw e; });
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

// A commune the page's filter panel does not keep gets its faded style (data.fade: the server's
// geo.maps.live.app_fade), every other feature its own.
function styleAt(state, spec, sids, i) {
  const f = state.fade, flt = state.name ? G.filters[state.name] : null;
  if (f && flt && spec.id === f.layer && !flt.has(i))
    return Object.assign({}, spec.style || {}, f.styles[state.fadeSids[i]] || {});
  return styleOf(spec, sids, i);
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
      path.on("mouseout", () => path.setStyle(path.tqStyle));
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

function restyle(state, entry, spec, tips) {
  const sids = ints(spec.sid);
  entry.sids = sids;
  entry.items.forEach((path, i) => {
    path.tqSpec = spec; path.tqSids = sids;
    path.tqStyle = styleAt(state, spec, sids, i);
    path.setStyle(path.tqStyle);
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

// --- the page's window fit (mapview.show(..., fit=layout.page_fit(...))) ---------------------------
// The page's map and its side panel take the window's height left, the page never scrolls, the
// legend folds where it has no room (or from the start: ``fold``), and the view's bounds are fitted
// with a small padding and a fine zoom step whenever the size changes (until the user pans or
// zooms). Done by the map itself, from its own data: its first drawing is at the page's size and
// view. (It was a separate element, static/tq-fit.js, whose next tick refitted the map the map had
// just fitted by itself: every shape was drawn twice on opening and the view jumped a zoom step.)
function setHeight(el, h) {
  if (Math.abs(el.offsetHeight - h) < 2) return;
  el.style.height = h + "px";
}

function sizePage(state) {
  const o = state.page, el = state.root, doc = document, min = o.min || 260;
  const main = doc.querySelector('[data-testid="stMain"]');
  if (main && main.scrollTop) main.scrollTop = 0;
  const side = doc.querySelector(".st-key-tq_side");
  const sideTo = h => { if (side) { side.style.height = h + "px"; side.style.maxHeight = h + "px"; } };
  let h = Math.round(Math.max(min, window.innerHeight - el.getBoundingClientRect().top - 10));
  setHeight(el, h); sideTo(h);
  if (main) {  // whatever still sticks out below (paddings, a container taller than the map): take it off
    const over = main.scrollHeight - main.clientHeight;
    if (over > 0 && h - over >= min) { h -= over; setHeight(el, h); sideTo(h); }
  }
  const fold = side && side.querySelector("details.tq-legend-fold");
  if (fold && !fold.dataset.tqAuto) {  // the first time: fold the legend where it has no room
    fold.dataset.tqAuto = "1";
    if (o.fold || side.scrollHeight > side.clientHeight + 1) fold.open = false;
  }
  el.setAttribute("data-tq-fit", String(h));
  doc.documentElement.setAttribute("data-tq-fit", String(h));
  return h;
}

// ``force``: the view's bounds are new (a first drawing, a searched commune): fit them whatever the user did
function pageFit(state, force) {
  if (!state.page || !state.root.isConnected) return;
  sizePage(state);
  const m = state.map;
  if (!m || !state.boundsLL) return;
  m.invalidateSize(false);
  const s = m.getSize();
  if (s.x < 50 || s.y < 50) return;  // hidden
  const key = s.x + "x" + s.y + JSON.stringify(state.boundsLL);
  const b = L.latLngBounds(state.boundsLL);
  // the map's own demo badge (top centre) must not hide the north of the view: start below it
  // (only a badge over the middle of the map: one in a corner, beside the zoom buttons, hides no commune)
  const c = m.getContainer(), mark = c.querySelector("#tq-demo-mark, .tq-demo");
  let padTop = 6;
  if (mark && mark.offsetHeight) {
    const mr = mark.getBoundingClientRect(), cr = c.getBoundingClientRect(), mid = (mr.left + mr.right) / 2 - cr.left;
    if (mid > s.x * 0.25 && mid < s.x * 0.75) padTop = Math.max(6, mr.bottom - cr.top + 4);
  }
  if (padTop > s.y / 3) padTop = 6;
  // fit again when the size or the view changed, or when the map the user has not touched no
  // longer shows the whole view
  const shown = m._loaded && m.getBounds().pad(0.002).contains(b) &&
                m.getZoom() >= m.getBoundsZoom(b, false, L.point(12, padTop + 6)) - 0.01;
  if (!force && state.fitKey === key && (state.user || shown)) { state.root.setAttribute("data-tq-fitted", key); return; }
  const first = !m._loaded;
  state.user = false;
  m.fitBounds(b, {animate: false, paddingTopLeft: [6, padTop], paddingBottomRight: [6, 6]});
  state.fitKey = key;
  // the vector renderers redraw for the new size even when the view did not move (otherwise they
  // keep the old size's bounds and the south of a taller map stays unpainted); a first fit draws anyway
  if (!first) m.fire("moveend");
  state.root.setAttribute("data-tq-fitted", key);
}

// The map's data for the page's other years (livemap.live_map ``previews``: what the server's run
// for that year sends, without the tooltips), each travelling once per session and content; the
// tab keeps them. A year picked in yearSelect restyles the map from them at once.
function keepPreviews(state, data, setTriggerValue) {
  const pre = data.pre;
  state.pre = pre ? pre.years : null;
  if (!pre) return;
  Object.entries(pre.add || {}).forEach(([h, p]) => { G.pv[h] = p; });
  if (Object.values(pre.years).some(h => !G.pv[h])) setTriggerValue("missing", "pre");
}

const NO_TIPS = "__none";
G.tips[NO_TIPS] = {key: NO_TIPS, parts: [], per: {}};

function previewYear(state, y, setTriggerValue) {
  const p = state.pre && G.pv[state.pre[y]];
  if (!p || !state.map) return;
  // a filter is on: which communes it keeps in that year is the server's to say (its run follows)
  if (state.name && G.filters[state.name]) return;
  if (p.fix && !G.fix[p.fix.key]) return;
  const data = structuredClone(p);
  // no tooltip until the run brings that year's (never the year before's on the new colours)
  data.tips = {key: NO_TIPS};
  data.name = state.name; data.fade = null; data.pre = {years: state.pre};
  state.version += 1;
  data.__v = state.version;
  render(state, data, setTriggerValue).then(() => state.root.setAttribute("data-tq-preview", String(y)));
}

function render(state, data, setTriggerValue) {
  const map = state.map;
  keepPreviews(state, data, setTriggerValue);
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
  state.name = data.name || null;
  state.fade = data.fade || null;
  state.fadeSids = data.fade ? ints(data.fade.sid) : null;
  if (state.name) G.named[state.name] = state;
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
      restyle(state, entry, spec, tips);
    });
    for (const id in state.layers) {
      if (!wanted[id]) {
        map.removeLayer(state.layers[id].group); state.control.removeLayer(state.layers[id].group);
        delete state.layers[id];
      }
    }
    setMarks(state, data, byKey);
    // the badge first: the page's fit keeps the view's north clear of it
    state.badge.textContent = data.badge || "";
    state.badge.style.display = data.badge ? "" : "none";
    const b = JSON.stringify(data.bounds);
    if (data.bounds && b !== state.bounds) {
      state.bounds = b; state.boundsLL = data.bounds; state.user = false;
      // a page that fits the window fits the view itself (its padding and zoom step): one drawing
      if (state.page) pageFit(state, true);
      else map.fitBounds(data.bounds, {animate: false});
    } else pageFit(state, false);
    state.root.setAttribute("data-tq-ready", String(data.__v));
    state.root.setAttribute("data-tq-tips", data.tips.key);  // "__none": a year's preview, its run to come
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

// A component asks the server again for what it was sent by hash only and this tab does not hold
// (livemap._sent_once: the next run sends it all). Each ask is noted in the tab (``tqLive.asked``:
// the host's key), for tests: a page's first run should leave none.
function asked(c) {
  const key = (c.parentElement.closest('[class*="st-key-"]') || {}).className || "";
  (G.asked || (G.asked = [])).push((key.match(/st-key-\S+/) || ["?"])[0]);
  c.setTriggerValue("missing", Date.now());
}

// HTML sent once per session, component and content (livemap.cached_html: the legend beside the
// map and its stylesheet): each part travels once, then only its hash; the tab keeps the parts. ``var``: the
// same parts for the page's other years (made by the same code as the server's run for that year),
// shown at once when the year is picked (yearSelect), before that run arrives.
function showParts(el, parts, H) {
  const key = parts.map(p => p.h).join(".");
  if (el.getAttribute("data-h") === key) return;
  // part by part (a box-less wrapper each): a year change replaces the figures, not the stylesheet
  // beside them (a <style> put in again restyles the whole page: ~30-45 ms of a year change)
  parts.forEach((p, i) => {
    let w = el.children[i];
    if (!w) { w = document.createElement("div"); w.style.display = "contents"; el.appendChild(w); }
    if (w.getAttribute("data-h") !== p.h) { w.innerHTML = H[p.h]; w.setAttribute("data-h", p.h); }
  });
  while (el.children.length > parts.length) el.removeChild(el.lastChild);
  el.setAttribute("data-h", key);
}

export function cachedHtml(c) {
  const got = decode(c.data) || [], H = G.html || (G.html = {});
  const msg = Array.isArray(got) ? {parts: got} : got, parts = msg.parts || [], vars = msg["var"] || null;
  const store = p => { if (typeof p.html === "string") H[p.h] = p.html; };
  parts.forEach(store);
  if (vars) Object.values(vars).forEach(v => v.forEach(store));
  // a part this tab does not hold: the next run sends them all
  if (parts.some(p => H[p.h] === undefined)) { asked(c); return; }
  let el = c.parentElement.querySelector(":scope > .tq-cached");
  if (!el) { el = document.createElement("div"); el.className = "tq-cached"; c.parentElement.appendChild(el); }
  showParts(el, parts, H);
  if (vars) {
    G.yearHooks.set(el, y => {
      const v = vars[y];
      if (v && v.every(p => H[p.h] !== undefined)) { showParts(el, v, H); el.setAttribute("data-tq-preview", String(y)); }
    });
  } else G.yearHooks.delete(el);
  return () => G.yearHooks.delete(el);
}

// The map could not load a file it needs from this server (a dropped connection, a server
// restarting): a notice over the map says so, with a button that tries again (a failed file is not
// kept, see script() and geometry()); the page's next run tries again too. ``msg``: its texts in the
// page's language (livemap.live_map).
function failed(state, e, msg, retry) {
  let box = state.root.querySelector(":scope > .tq-live-failed");
  if (!e) {
    if (box) box.remove();
    state.root.removeAttribute("data-tq-error");
    return;
  }
  state.root.setAttribute("data-tq-error", String(e));
  if (!box) {
    box = document.createElement("div");
    box.className = "tq-live-failed";
    box.setAttribute("role", "alert");
    // inline: Leaflet's stylesheet may be what failed
    box.style.cssText = "position:absolute;inset:0;z-index:1000;display:flex;flex-direction:column;" +
      "align-items:center;justify-content:center;gap:.75rem;padding:1rem;text-align:center;" +
      "background:rgba(244,241,234,.94);color:#1a1a1a;font:inherit;font-size:1.05rem";
    if (!state.map) state.root.style.position = "relative";
    state.root.appendChild(box);
  }
  box.textContent = "";
  const p = document.createElement("p");
  p.style.margin = "0";
  p.textContent = (msg && msg.failed) || "Không tải được dữ liệu bản đồ từ máy chủ.";
  const b = document.createElement("button");
  b.type = "button";
  b.className = "tq-live-retry";
  b.style.cssText = "font:inherit;padding:.4rem 1rem;border:1px solid #555;border-radius:4px;background:#fff;cursor:pointer";
  b.textContent = (msg && msg.retry) || "Tải lại bản đồ";
  b.addEventListener("click", () => { b.disabled = true; retry(); });
  box.append(p, b);
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
    state.onResize = () => pageFit(state, false);
    window.addEventListener("resize", state.onResize);
    G.yearHooks.set(root, y => previewYear(state, y, setTriggerValue));
  }
  state.page = data.page || null;
  if (state.page && !state.watch) {  // late changes of the page's layout (an element mounting above the map)
    state.watch = window.setInterval(() => {
      try { pageFit(state, false); } catch (e) { console.error(e); }
      G.fitTicks = (G.fitTicks || 0) + 1;  // tests wait for a few ticks: the page has settled
    }, 300);
  }
  // the page's size from the start (the map is made at it); a page that does not fit keeps ``height``
  if (state.page) sizePage(state);
  else state.root.style.height = (data.height || 720) + "px";
  state.version += 1;
  data.__v = state.version;
  const draw = () => libs().then(() => {
    if (state.dead) return;  // unmounted while the libraries loaded
    if (!state.map) {
      state.map = L.map(state.root, {zoomSnap: state.page ? 0.1 : 0.25, keyboard: false, attributionControl: false, preferCanvas: false});
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
  }).then(() => failed(state, null), e => { if (!state.dead) failed(state, e, data.msg, draw); console.error(e); });
  draw();
  return () => {
    state.dead = true;  // renders still waiting for files stop at their next step
    if (state.map) { state.map.remove(); state.map = null; }
    if (state.onResize) window.removeEventListener("resize", state.onResize);
    if (state.watch) window.clearInterval(state.watch);
    if (state.name && G.named[state.name] === state) delete G.named[state.name];
    G.yearHooks.delete(state.root);
    G.maps.delete(parentElement);
  };
}

// --- the map's filters, in the browser (livemap.filter_panel, geo/filters.py) ---------------------
// A tick restyles the map named ``data.map`` at once; the choice then goes to the server as this
// component's state (kept in the session). Which communes a choice keeps: per filter with ticks,
// the union of the ticked values' members (the server's geo.filters.members), intersected across
// filters: geo.filters' rule, not re-implemented here.

function refilter(name) {
  const state = G.named[name];
  if (!state || !state.map) return;
  for (const id in state.layers) {
    const entry = state.layers[id];
    if (!entry.sids) continue;
    entry.items.forEach((path, i) => {
      const s = styleAt(state, entry.spec, entry.sids, i);
      path.tqStyle = s; path.setStyle(s);
    });
  }
}

const FILTER_CSS = `
.tq-filter {font-size:.88rem; margin:.1rem 0 .4rem}
.tq-filter details > summary {cursor:pointer; font-weight:600; padding:.3rem .1rem; list-style-position:inside}
.tq-filter details > summary:focus-visible, .tq-filter input:focus-visible, .tq-filter button:focus-visible {outline:2px solid #1f4e79; outline-offset:2px}
.tq-filter .tq-fcount {font-weight:400; margin-left:.4rem; padding:0 .4rem; border-radius:.6rem; background:#1f4e79; color:#fff}
.tq-filter details.tq-fg {border:1px solid #d5dbd7; border-radius:.3rem; margin:.2rem 0; padding:0 .45rem}
.tq-filter details.tq-fg > summary {font-weight:600; padding:.2rem 0}
.tq-filter fieldset {border:0; margin:0; padding:0 0 .3rem; min-width:0}
.tq-filter .tq-sr {position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap}
.tq-filter .tq-fopts {display:grid; grid-template-columns:1fr; gap:0 .6rem}
.tq-filter .tq-fopts-class, .tq-filter .tq-fopts-prov {grid-template-columns:repeat(auto-fill, minmax(6.5rem, 1fr))}
.tq-filter .tq-fopts-dist {grid-template-columns:repeat(auto-fill, minmax(10rem, 1fr))}
.tq-filter label {display:flex; align-items:center; gap:.35rem; padding:.12rem 0; cursor:pointer; line-height:1.2}
.tq-filter input[type=checkbox] {width:1.05rem; height:1.05rem; flex:none; margin:0; accent-color:#1f4e79}
.tq-filter .tq-fsw {width:1.1rem; height:.8rem; flex:none; border:1px solid #555}
.tq-filter .tq-fnote {margin:.1rem 0 .2rem; color:#31333f; font-size:.84rem}
.tq-filter button {margin:.3rem 0 .1rem; padding:.2rem .7rem; border:1px solid #8a9590; border-radius:.3rem; background:#fff; cursor:pointer; font:inherit}
.tq-filter button:disabled {opacity:.45; cursor:default}
`;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// a component's stylesheet, put in the page once
function styleOnce(id, css) {
  if (document.getElementById(id)) return;
  const st = document.createElement("style"); st.id = id; st.textContent = css; document.head.appendChild(st);
}

// One of our controls (yearSelect, searchBox, choiceGroup): its state for this mount, made once by
// ``make(s)`` (which builds ``s.root``, appended here), kept per host element in ``G[store]``;
// ``s.id`` is a fresh id for its label. Returns [state, cleanup].
function control(c, store, css, make) {
  styleOnce(store + "-css", css);
  const W = G[store] || (G[store] = new WeakMap()), host = c.parentElement;
  let s = W.get(host);
  if (!s) {
    s = {pending: null, id: store + "-" + Math.random().toString(36).slice(2, 10)};
    make(s);
    host.appendChild(s.root);
    W.set(host, s);
  }
  return [s, () => { W.delete(host); s.root.remove(); }];
}

function chosenOf(p) {
  const out = {};
  p.data.groups.forEach(g => {
    const got = p.chosen[g.k] || new Set();
    out[g.k] = g.opts.map(o => o[0]).filter(v => got.has(v));
  });
  return out;
}

// the communes the choice keeps (indices into the map's communes layer), or null: no tick
function keptOf(p) {
  let kept = null;
  p.data.groups.forEach(g => {
    const got = p.chosen[g.k];
    if (!got || !got.size) return;
    const union = new Set();
    g.opts.forEach(o => { if (got.has(o[0])) ints(o[2]).forEach(i => union.add(i)); });
    kept = kept === null ? union : new Set([...kept].filter(i => union.has(i)));
  });
  return kept;
}

function applyPanel(p) {
  const kept = keptOf(p), d = p.data;
  G.filters[d.map] = kept;
  refilter(d.map);
  const n = kept === null ? d.total : kept.size;
  p.note.textContent = kept === null ? "" : d.showing.replace("{n}", String(n)).replace("{total}", String(d.total));
  p.note.style.display = kept === null ? "none" : "";
  const ticks = Object.values(p.chosen).reduce((a, s) => a + s.size, 0);
  const badge = (e, k) => { e.textContent = k ? String(k) : ""; e.style.display = k ? "" : "none"; };
  badge(p.count, ticks);
  Object.entries(p.counts || {}).forEach(([k, e]) => badge(e, p.chosen[k] ? p.chosen[k].size : 0));
  p.clear.disabled = !ticks;
  p.root.setAttribute("data-tq-kept", String(n));
}

// Each filter folds on its own (the first, the status, starts unfolded): the panel stays short
// enough for the side column; a folded filter's heading says how many of its values are ticked.
function drawPanel(p) {
  const d = p.data;
  p.title.textContent = d.title;
  p.clear.textContent = d.clear;
  p.body.textContent = "";
  p.counts = {};
  d.groups.forEach((g, gi) => {
    const det = el("details", "tq-fg"), sum = el("summary"), box = el("div", "tq-fopts tq-fopts-" + g.k);
    if (p.open[g.k] === undefined ? gi === 0 : p.open[g.k]) det.open = true;
    det.addEventListener("toggle", () => { p.open[g.k] = det.open; });
    sum.appendChild(el("span", null, g.label));
    p.counts[g.k] = el("span", "tq-fcount");
    sum.appendChild(p.counts[g.k]);
    det.appendChild(sum);
    const fs = el("fieldset");
    const lg = el("legend", "tq-sr", g.label);
    fs.appendChild(lg);
    const got = p.chosen[g.k] || new Set();
    g.opts.forEach(o => {
      const lab = el("label"), inp = el("input");
      inp.type = "checkbox"; inp.value = o[0]; inp.setAttribute("data-g", g.k); inp.checked = got.has(o[0]);
      lab.appendChild(inp);
      if (o[3]) { const sw = el("span", "tq-fsw"); sw.style.cssText = o[3]; sw.setAttribute("aria-hidden", "true"); lab.appendChild(sw); }
      lab.appendChild(el("span", null, o[1]));
      box.appendChild(lab);
    });
    fs.appendChild(box);
    det.appendChild(fs);
    p.body.appendChild(det);
  });
  p.body.appendChild(p.clear);
}

export function filterPanel(c) {
  const msg = decode(c.data), host = c.parentElement;
  // the panel's lists travel once per session and content, then only their hash
  const S = G.filterSpecs || (G.filterSpecs = {});
  if (msg.spec) S[msg.h] = msg.spec;
  if (!S[msg.h]) { asked(c); return; }
  const d = Object.assign({}, S[msg.h], {map: msg.map, chosen: msg.chosen});
  styleOnce("tq-filter-css", FILTER_CSS);
  let p = G.panels.get(host);
  if (!p) {
    p = {root: el("div", "tq-filter"), chosen: {}, open: {}};
    // a page opened again starts from the choice the server kept in the session
    Object.entries(d.chosen || {}).forEach(([k, vs]) => { p.chosen[k] = new Set(vs); });
    p.note = el("p", "tq-fnote"); p.note.setAttribute("role", "status");
    const det = el("details"), sum = el("summary");
    p.title = el("span"); p.count = el("span", "tq-fcount");
    sum.appendChild(p.title); sum.appendChild(p.count); det.appendChild(sum);
    p.body = el("div"); det.appendChild(p.body);
    p.clear = el("button"); p.clear.type = "button";
    p.root.appendChild(p.note); p.root.appendChild(det);
    host.appendChild(p.root);
    G.panels.set(host, p);
    const send = () => c.setStateValue("chosen", chosenOf(p));
    p.root.addEventListener("change", ev => {
      const inp = ev.target;
      if (!inp || inp.type !== "checkbox") return;
      const k = inp.getAttribute("data-g");
      const set = p.chosen[k] || (p.chosen[k] = new Set());
      if (inp.checked) set.add(inp.value); else set.delete(inp.value);
      applyPanel(p);
      send();
    });
    p.clear.addEventListener("click", () => {
      p.chosen = {};
      p.body.querySelectorAll("input[type=checkbox]").forEach(i => { i.checked = false; });
      applyPanel(p);
      send();
    });
    p.send = send;
  }
  const shape = JSON.stringify([d.title, d.clear, d.groups.map(g => [g.k, g.label, g.opts.map(o => [o[0], o[1], o[3] || ""])])]);
  p.data = d;
  // a value this year no longer offers (a route of another year) is not kept
  const offered = {};
  d.groups.forEach(g => { offered[g.k] = new Set(g.opts.map(o => o[0])); });
  let dropped = false;
  Object.keys(p.chosen).forEach(k => {
    const keep = new Set([...p.chosen[k]].filter(v => offered[k] && offered[k].has(v)));
    if (keep.size !== p.chosen[k].size) dropped = true;
    p.chosen[k] = keep;
  });
  if (shape !== p.shape) { drawPanel(p); p.shape = shape; }
  applyPanel(p);
  if (dropped) p.send();
  return () => {
    if (G.filters[d.map] !== undefined) { delete G.filters[d.map]; refilter(d.map); }
    G.panels.delete(host);
    p.root.remove();
  };
}

// --- the year, picked in the browser (livemap.year_select) ------------------------------------------
// A native <select> (keyboard, screen readers, the system's own list). A pick shows that year at
// once in every part of the page that holds it ahead (the map, the KPI strip, the legend: see
// previewYear and cachedHtml), then goes to the server as this component's state: the page's run
// for that year follows and replaces the previews with its own, which are the same but for the
// tooltips. ``ack``: the server has seen the pick stamped so; until then the pick is shown, not the
// year of a run that started before it.
const YEAR_CSS = `
.tq-year {margin:0 0 1rem}
.tq-year label {display:block; font-size:.875rem; margin:0 0 .25rem; color:inherit}
.tq-year select {width:100%; min-height:2.5rem; padding:.4rem 2rem .4rem .75rem; font:inherit; color:inherit;
  border:1px solid #c9ced6; border-radius:.5rem; background:#f0f2f6; cursor:pointer}
.tq-year select:focus-visible {outline:2px solid #1f4e79; outline-offset:2px}
`;

export function yearSelect(c) {
  const d = decode(c.data);
  const [s, done] = control(c, "tq-year", YEAR_CSS, s => {
    s.root = el("div", "tq-year");
    s.label = el("label"); s.label.htmlFor = s.id;
    s.sel = el("select"); s.sel.id = s.id;
    s.root.append(s.label, s.sel);
    s.sel.addEventListener("change", () => {
      const y = parseInt(s.sel.value, 10);
      s.pending = {y: y, at: Date.now()};
      s.root.setAttribute("data-tq-pending", String(y));
      G.yearHooks.forEach(fn => { try { fn(y); } catch (e) { console.error(e); } });
      c.setStateValue("year", s.pending);
    });
  });
  s.label.textContent = d.label;
  const shape = JSON.stringify(d.years);
  if (shape !== s.shape) {
    s.sel.textContent = "";
    d.years.forEach(y => { const o = el("option", null, String(y)); o.value = String(y); s.sel.appendChild(o); });
    s.shape = shape;
  }
  if (s.pending && d.ack !== s.pending.at) s.sel.value = String(s.pending.y);
  else { s.pending = null; s.sel.value = String(d.year); }
  s.root.setAttribute("data-tq-year", s.sel.value);
  if (s.pending) s.root.setAttribute("data-tq-pending", String(s.pending.y)); else s.root.removeAttribute("data-tq-pending");
  return done;
}

// --- a text box (livemap.search_box): the Overview's commune search --------------------------------
// A native <input type="search"> (Streamlit's text input brings ~13 scripts of its own to a page's
// first open: measured ~100 ms of the Overview's). The text goes to the server as this component's
// state when it is committed (Enter, leaving the box, the box's clear button), as st.text_input does;
// the server's value never overwrites what is being typed or a text it has not seen yet.
const SEARCH_CSS = `
.tq-search {margin:0 0 .6rem}
.tq-search label {display:block; font-size:.875rem; margin:0 0 .25rem; color:inherit}
.tq-search input {box-sizing:border-box; width:100%; min-height:2.5rem; padding:.4rem .75rem; font:inherit; color:inherit;
  border:1px solid #c9ced6; border-radius:.5rem; background:#f0f2f6}
.tq-search input:focus-visible {outline:2px solid #1f4e79; outline-offset:2px; background:#fff}
`;

export function searchBox(c) {
  const d = decode(c.data);
  const [s, done] = control(c, "tq-search", SEARCH_CSS, s => {
    s.root = el("div", "tq-search");
    s.label = el("label"); s.label.htmlFor = s.id;
    s.input = el("input"); s.input.id = s.id; s.input.type = "search";
    s.input.autocomplete = "off"; s.input.spellcheck = false;
    s.root.append(s.label, s.input);
    const send = () => {
      const v = s.input.value;
      if (v === s.sent) return;
      s.sent = v; s.pending = v;
      c.setStateValue("q", v);
    };
    s.input.addEventListener("keydown", ev => { if (ev.key === "Enter") send(); });
    s.input.addEventListener("change", send);
    s.input.addEventListener("search", send);  // Enter, or the box's own clear button
  });
  s.label.textContent = d.label;
  s.input.placeholder = d.placeholder || "";
  s.input.maxLength = d.max || 200;
  if (s.pending !== null && d.value === s.pending) s.pending = null;
  if (s.sent === undefined) s.sent = d.value;
  if (s.pending === null && document.activeElement !== s.input) { s.input.value = d.value; s.sent = d.value; }
  return done;
}

// --- a choice among a few values (livemap.choice): the language, the paper size ---------------------
// Native radio buttons in a fieldset (Streamlit's radio brings ~8 scripts of its own to a page's
// first open: measured ~160 ms of the Overview's with the text input's). A pick goes to the server as
// this component's state; the server's value never undoes a pick it has not seen yet.
const CHOICE_CSS = `
.tq-choice {border:0; margin:0 0 .6rem; padding:0; min-width:0}
.tq-choice legend {font-size:.875rem; margin:0 0 .25rem; padding:0; color:inherit}
.tq-choice legend.tq-sr {position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap}
.tq-choice .tq-opts {display:flex; flex-wrap:wrap; gap:.25rem 1rem}
.tq-choice.tq-col .tq-opts {flex-direction:column}
.tq-choice label {display:inline-flex; align-items:center; gap:.4rem; cursor:pointer; line-height:1.4; font-size:.9rem}
.tq-choice input {width:1.05rem; height:1.05rem; margin:0; accent-color:var(--st-primary-color, #1b5e20); cursor:pointer}
.tq-choice input:focus-visible {outline:2px solid #1f4e79; outline-offset:2px}
`;

export function choiceGroup(c) {
  const d = decode(c.data);
  const [s, done] = control(c, "tq-choice", CHOICE_CSS, s => {
    s.root = el("fieldset", "tq-choice");
    s.legend = el("legend"); s.opts = el("div", "tq-opts");
    s.root.append(s.legend, s.opts);
    s.root.addEventListener("change", ev => {
      const inp = ev.target;
      if (!inp || inp.type !== "radio" || !inp.checked) return;
      s.pending = inp.value;
      c.setStateValue("v", inp.value);
    });
  });
  s.legend.textContent = d.label;
  s.legend.className = d.collapsed ? "tq-sr" : "";
  s.root.classList.toggle("tq-col", !d.horizontal);
  const shape = JSON.stringify(d.options);
  if (shape !== s.shape) {
    s.opts.textContent = "";
    d.options.forEach(([v, text]) => {
      const lab = el("label"), inp = el("input");
      inp.type = "radio"; inp.name = s.id; inp.value = v;
      lab.append(inp, el("span", null, text));
      s.opts.appendChild(lab);
    });
    s.shape = shape;
  }
  if (s.pending !== null && d.value === s.pending) s.pending = null;
  const shown = s.pending !== null ? s.pending : d.value;
  s.opts.querySelectorAll("input").forEach(i => { i.checked = i.value === shown; });
  s.root.setAttribute("data-tq-value", shown);
  return done;
}

// --- the downloads of a map page (livemap.downloads, ui/downloads.py) ------------------------------
// Native buttons instead of Streamlit's download buttons (each a Streamlit element with a script of
// its own to fetch on a page's first open). A click asks the app's server for the file (it is made
// then: ui/downloads.DownloadEndpoint), shows "making…" on the button meanwhile, and saves it under
// its name; a refusal (an ended session, a failed build) is shown under the buttons and nothing is
// saved. The paper size is picked here, kept for the tab, and needs no run of the page.
const DL_CSS = `
.tq-dl {display:flex; flex-wrap:wrap; gap:.3rem; align-items:center; margin:0}
.tq-dl button {flex:1 1 calc(50% - .3rem); min-width:calc(50% - .3rem); min-height:2.1rem; padding:.2rem .5rem;
  font:inherit; font-size:.86rem; line-height:1.2; color:inherit; background:#fff; border:1px solid rgba(49,51,63,.2);
  border-radius:.5rem; cursor:pointer; white-space:normal}
.tq-dl button:hover {border-color:#1b5e20; color:#1b5e20}
.tq-dl button:focus-visible {outline:2px solid #1f4e79; outline-offset:2px}
.tq-dl button[disabled] {cursor:progress; color:#555; border-style:dashed}
.tq-dl button.tq-dl-one {flex-basis:100%}
.tq-dl fieldset {flex:1 1 calc(50% - .3rem); display:flex; gap:.2rem .9rem; align-items:center; border:0; margin:0; padding:0 .2rem;
  min-width:0}
.tq-dl legend {position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap}
.tq-dl fieldset label {display:inline-flex; align-items:center; gap:.35rem; cursor:pointer; font-size:.9rem}
.tq-dl fieldset input {width:1.05rem; height:1.05rem; margin:0; accent-color:#1b5e20; cursor:pointer}
.tq-dl .tq-dl-msg {flex:1 1 100%; margin:0; font-size:.84rem; line-height:1.3}
.tq-dl .tq-dl-msg:empty {display:none}
.tq-dl .tq-dl-msg.err {color:#8a1c1c; background:#fdecea; border:1px solid #e0b4b4; border-radius:4px; padding:.3rem .5rem}
@media print {.tq-dl {display:none}}
@media (min-width: 2500px) {.tq-dl {zoom:1.6}}
`;

function saveBlob(blob, name) {
  const a = document.createElement("a"), href = URL.createObjectURL(blob);
  a.href = href; a.download = name; a.style.display = "none";
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60000);
}

export function downloadRow(c) {
  const d = decode(c.data), msg = d.msg || {};
  const [s, done] = control(c, "tq-dl", DL_CSS, s => {
    s.root = el("div", "tq-dl");
    s.busy = {};
  });
  const paper = () => G.paper || (d.paper && d.paper.value) || "a4";
  const shape = JSON.stringify([d.items.map(i => [i.id, i.label, i.url, i.name, !!i.paper]), d.paper, d.print, d.off]);
  if (shape === s.shape) return done;
  s.shape = shape;
  s.root.textContent = "";
  const note = el("p", "tq-dl-msg");
  note.setAttribute("role", "status"); note.setAttribute("aria-live", "polite");
  const say = (text, err) => { note.textContent = text || ""; note.className = "tq-dl-msg" + (err ? " err" : ""); };
  d.items.forEach(it => {
    const b = el("button", d.items.length === 1 && !d.paper && !d.print ? "tq-dl-one" : null, it.label);
    b.type = "button";
    b.setAttribute("data-tq-dl", it.id);
    if (d.off) b.disabled = true;
    b.addEventListener("click", () => {
      if (s.busy[it.id]) return;
      const p = it.paper ? paper() : null;
      const name = it.name.replace("{paper}", p || "");
      const href = new URL(it.url, window.location.href);
      if (p) href.searchParams.set("paper", p);
      s.busy[it.id] = true; b.disabled = true; b.setAttribute("aria-busy", "true");
      b.textContent = msg.busy || "Đang tạo tệp…";
      say("");
      fetch(href.href, {credentials: "same-origin", cache: "no-store"}).then(r => {
        if (r.ok) return r.blob().then(blob => { saveBlob(blob, name); });
        const json = (r.headers.get("content-type") || "").indexOf("json") >= 0;
        return (json ? r.json().catch(() => ({})) : Promise.resolve({})).then(j => {
          say(j.error || (msg.http || "Máy chủ không trả tệp (mã {status}).").replace("{status}", r.status), true);
        });
      }, () => say(msg.net || "Mất kết nối tới máy chủ: chưa tải được tệp. Thử lại sau.", true)).finally(() => {
        s.busy[it.id] = false; b.disabled = !!d.off; b.removeAttribute("aria-busy"); b.textContent = it.label;
        G.dlDone = (G.dlDone || 0) + 1;  // tests wait for a finished request
      });
    });
    s.root.appendChild(b);
  });
  if (d.paper) {
    const fs = el("fieldset"), lg = el("legend", null, d.paper.label), name = "tq-dl-paper-" + Math.random().toString(36).slice(2, 8);
    fs.appendChild(lg);
    d.paper.options.forEach(([v, text]) => {
      const lab = el("label"), inp = el("input");
      inp.type = "radio"; inp.name = name; inp.value = v; inp.checked = v === paper();
      inp.addEventListener("change", () => { if (inp.checked) { G.paper = v; s.root.setAttribute("data-tq-paper", v); } });
      lab.append(inp, el("span", null, text));
      fs.appendChild(lab);
    });
    s.root.setAttribute("data-tq-paper", paper());
    s.root.appendChild(fs);
  }
  if (d.print) {
    const pb = el("button", "tq-print tq-dl-one", d.print);
    pb.type = "button";
    pb.addEventListener("click", () => window.print());
    s.root.appendChild(pb);
  }
  s.root.appendChild(note);
  if (d.off) say(d.off, true);
  return done;
}
