// The window fit of a map page (ui/layout.fit_map_page): the page's map (the persistent map,
// .tq-live) and its side panel take the window's height left, the
// page never scrolls, the legend folds where it has no room, and the view's bounds are refitted
// with a small padding whenever the size changes (until the user pans or zooms).
// Fetched once per browser tab from the app's static folder; each run passes only its options
// ({bounds, min, fold}) through a one-line component loader (Streamlit re-sends inline JS every run).
const doc = document, win = window;
// The map: the persistent map (livemap: a .tq-live div in the page, its Leaflet map in window.tqLiveMap).
function mapEl() { return doc.querySelector(".tq-live"); }
function setHeight(el, h) {
  if (Math.abs(el.offsetHeight - h) < 2) return;
  el.style.height = h + "px";
  el.setAttribute("data-tq-fit", "1");  // the component keeps this height on reruns
}
function fit() {
  var o = win.tqFitOpts || {}, el = mapEl();
  if (!el) return;
  var main = doc.querySelector('[data-testid="stMain"]');
  if (main && main.scrollTop) main.scrollTop = 0;
  var side = doc.querySelector(".st-key-tq_side");
  var top = el.getBoundingClientRect().top;
  var h = Math.round(Math.max(o.min || 260, win.innerHeight - top - 10));
  setHeight(el, h);
  if (side) { side.style.height = h + "px"; side.style.maxHeight = h + "px"; }
  if (main) {  // whatever still sticks out below (paddings, a container taller than the map): take it off
    var over = main.scrollHeight - main.clientHeight;
    if (over > 0 && h - over >= (o.min || 260)) {
      h -= over; setHeight(el, h);
      if (side) { side.style.height = h + "px"; side.style.maxHeight = h + "px"; }
    }
  }
  var fold = side && side.querySelector("details.tq-legend-fold");
  if (fold && !fold.dataset.tqAuto) {  // the first time: fold the legend where it has no room
    fold.dataset.tqAuto = "1";
    if (o.fold || side.scrollHeight > side.clientHeight + 1) fold.open = false;
  }
  doc.documentElement.setAttribute("data-tq-fit", String(h));
  var m = win.tqLiveMap;
  if (!m || !m.invalidateSize) return;
  try {
    m.invalidateSize(false);
    if (!m._tqWatch) {  // once the user pans or zooms, the view is theirs (until the size changes)
      m._tqWatch = true;
      ["mousedown", "wheel", "touchstart", "keydown", "dblclick"].forEach(function (ev) {
        m.getContainer().addEventListener(ev, function () { m._tqUser = true; }, {passive: true});
      });
    }
    var s = m.getSize();
    if (s.x < 50 || s.y < 50) return;  // hidden
    var bj = JSON.stringify(o.bounds || null), key = s.x + "x" + s.y + bj;
    var LL = win.L;
    var b = o.bounds ? LL.latLngBounds(o.bounds) : (m._tqBounds || m.getBounds());
    m._tqBounds = b;
    // the province as large as it fits (vector layers only, no tiles: a fine zoom step costs nothing)
    if ((m.options.zoomSnap || 1) > 0.1) m.options.zoomSnap = 0.1;
    // the map's own demo badge (top centre) must not hide the north of the view: start below it
    var c = m.getContainer(), mark = c.querySelector("#tq-demo-mark, .tq-demo"), padTop = 6;
    // (only a badge over the middle of the map: one in a corner, beside the zoom buttons, hides no commune)
    if (mark && mark.offsetHeight) {
      var mr = mark.getBoundingClientRect(), cr = c.getBoundingClientRect(), mid = (mr.left + mr.right) / 2 - cr.left;
      if (mid > s.x * 0.25 && mid < s.x * 0.75) padTop = Math.max(6, mr.bottom - cr.top + 4);
    }
    if (padTop > s.y / 3) padTop = 6;
    // fit again when the size or the view changed, or when something else (the component
    // restoring its own view) moved or zoomed out the map the user has not touched
    var shown = m.getBounds().pad(0.002).contains(b) &&
                m.getZoom() >= m.getBoundsZoom(b, false, LL.point(12, padTop + 6)) - 0.01;
    if (m._tqFitKey === key && (m._tqUser || shown)) { el.setAttribute("data-tq-fitted", key); return; }
    if (m._tqFitKey !== key) m._tqUser = false;
    m.fitBounds(b, {animate: false, paddingTopLeft: [6, padTop], paddingBottomRight: [6, 6]}); m._tqFitKey = key;
    // the vector renderers redraw for the new size even when the view did not move (otherwise
    // they keep the old size's bounds and the south of a taller map stays unpainted)
    m.fire("moveend");
    el.setAttribute("data-tq-fitted", key);
  } catch (e) {}
}

export default function (c) {
  const d = typeof c.data === "string" ? JSON.parse(c.data) : (c.data || {});
  win.tqFitOpts = {bounds: d.bounds || null, min: d.min || 260, fold: !!d.fold};
  if (!win.tqFitMap) {  // once per tab: the resize listener and the watch for late changes
    win.tqFitMap = fit;
    win.addEventListener("resize", fit);
    win.tqFitTimer = win.setInterval(function () { try { fit(); } catch (e) {} }, 300);
  }
  fit();
}
