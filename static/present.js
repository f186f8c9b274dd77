/* The slideshow's controls (geo/present/deck.py): keys and clicker, buttons, lazy maps, and the
   fitting that keeps every slide on one screen (title ≤ 2 lines, figures inside their panel,
   legend ≤ 15 % of the map). Reads window.tqDeckConfig and window.tqMakers. */
(function () {
  "use strict";
  var cfg = window.tqDeckConfig;
  var LEGEND_MAX = 0.15;  // share of the map's area the legend may cover
  // no zoom animation: a slide's map is drawn at its final view at once (projector, screenshots, tests)
  L.Map.mergeOptions({zoomAnimation: false, fadeAnimation: false});
  var slides = Array.prototype.slice.call(document.querySelectorAll(".tq-slide"));
  var made = {}, cur = -1, timer = null, legendWanted = null;  // null: automatic; true/false: the user's choice
  var firstMap = slides.findIndex(function (s) { return +s.getAttribute("data-maker") >= 0; });
  var $ = function (id) { return document.getElementById(id); };
  var counter = $("tq-counter"), prevB = $("tq-prev"), nextB = $("tq-next"), playB = $("tq-play"),
      fsB = $("tq-fs"), legB = $("tq-legend");
  if (window.self !== window.top) document.body.classList.add("tq-embedded");

  function area(el) { var r = el.getBoundingClientRect(); return r.width * r.height; }
  function sizeKey(el) { return el.clientWidth + "x" + el.clientHeight; }

  function fitTitle(s) {
    var h1 = s.querySelector("h1"), k = 1;
    h1.style.setProperty("--tk", "1");
    var lh = function () { return parseFloat(getComputedStyle(h1).lineHeight) || 1; };
    while (h1.scrollHeight > 2 * lh() + 2 && k > 0.56) { k -= 0.06; h1.style.setProperty("--tk", String(k)); }
  }
  function fitSide(s) {
    var side = s.querySelector(".tq-s-side"), k = 1;
    if (!side) return;
    side.classList.remove("tq-tight");
    side.style.setProperty("--k", "1");
    var over = function () { return side.scrollHeight > side.clientHeight + 1; };
    while (over() && k > 0.62) { k -= 0.04; side.style.setProperty("--k", String(k)); }
    if (over()) {
      side.classList.add("tq-tight");
      for (k = 1; k > 0.5 && over(); k -= 0.04) side.style.setProperty("--k", String(k));
    }
  }
  function fitLegend(s) {
    var leg = s.querySelector(".tq-legend"), box = s.querySelector(".tq-s-map");
    legB.hidden = !leg;
    if (!leg || !box) return;
    var level = 0;
    if (legendWanted === false) level = 3;
    else if (legendWanted !== true) {
      for (level = 0; level < 3; level++) {
        s.setAttribute("data-legend", String(level));
        if (area(leg) <= LEGEND_MAX * area(box)) break;
      }
    }
    s.setAttribute("data-legend", String(level));
    legB.setAttribute("aria-pressed", level < 3 ? "true" : "false");
  }
  // Fit the map to its view; when the legend is shown, keep the view out from under it if that
  // costs no zoom (the province is tall: on a wide map there is room beside it).
  function refit(i) {
    var m = made[i], s = slides[i];
    if (!m || !m.fit) return;
    var leg = s.querySelector(".tq-legend"), opts = {animate: false};
    if (leg && s.getAttribute("data-legend") !== "3") {
      var r = leg.getBoundingClientRect(), base = m.map.getBoundsZoom(m.fit, false);
      var pads = [[r.width + 12, 0], [0, r.height + 12]];
      for (var j = 0; j < pads.length; j++) {
        if (m.map.getBoundsZoom(m.fit, false, L.point(pads[j])) >= base) { opts.paddingBottomRight = pads[j]; break; }
      }
    }
    m.map.fitBounds(m.fit, opts);
    m.size = sizeKey(s.querySelector(".tq-s-map"));
  }
  function showMap(i) {
    var s = slides[i], k = +s.getAttribute("data-maker");
    if (k < 0) return false;
    var box = s.querySelector(".tq-s-map");
    if (!made[i]) {
      // the first map of the document carries what every later map shares (geometry decoder, shared
      // arcs): it is made first, even when another slide is shown first (End, a deep jump)
      if (i !== firstMap && !made[firstMap]) showMap(firstMap);
      var r = window.tqMakers[k]();
      if (r.map.keyboard) r.map.keyboard.disable();
      made[i] = {map: r.map, fit: r.fit, size: null};
      s.setAttribute("data-ready", "1");
      return true;
    }
    made[i].map.invalidateSize(false);
    return made[i].size !== sizeKey(box);
  }
  function layout(i) {
    var s = slides[i];
    fitTitle(s); fitSide(s);
    var changed = showMap(i);
    fitLegend(s);
    if (changed) refit(i);
  }
  function go(i) {
    i = Math.max(0, Math.min(slides.length - 1, i | 0));
    if (i === cur) return cur;
    if (cur >= 0) slides[cur].hidden = true;
    slides[i].hidden = false;
    cur = i;
    counter.textContent = (i + 1) + "/" + slides.length;
    prevB.disabled = i === 0; nextB.disabled = i === slides.length - 1;
    document.title = cfg.titles[i] + " · " + cfg.docTitle;
    layout(i);
    return cur;
  }
  function next() { go(cur + 1); } function prev() { go(cur - 1); }
  function setAuto(on) {
    if (timer) { clearInterval(timer); timer = null; }
    if (on && cfg.auto > 0) timer = setInterval(function () { go(cur === slides.length - 1 ? 0 : cur + 1); }, cfg.auto * 1000);
    playB.setAttribute("aria-pressed", timer ? "true" : "false");
    playB.querySelector(".tq-lbl").textContent = timer ? cfg.labels.pause : cfg.labels.play;
  }
  // Full screen: the whole app page when the deck is shown inside it (same origin), else the deck.
  function fsDoc() {
    try { if (window.top !== window.self && window.top.document.fullscreenEnabled) return window.top.document; }
    catch (e) { /* another origin: the deck alone */ }
    return document;
  }
  function fullscreen() {
    var d = fsDoc();
    if (d.fullscreenElement) { if (d.exitFullscreen) d.exitFullscreen(); }
    else if (d.documentElement.requestFullscreen) { d.documentElement.requestFullscreen().catch(function () {}); }
  }
  function toggleLegend() {
    var s = slides[cur];
    legendWanted = s.getAttribute("data-legend") === "3";
    fitLegend(s);
    refit(cur);
  }
  var KEYS = {ArrowRight: next, ArrowDown: next, PageDown: next, " ": next, Spacebar: next, Enter: next,
              ArrowLeft: prev, ArrowUp: prev, PageUp: prev, Backspace: prev,
              Home: function () { go(0); }, End: function () { go(slides.length - 1); },
              f: fullscreen, F: fullscreen, l: toggleLegend, L: toggleLegend};
  window.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var fn = KEYS[e.key];
    if (!fn) return;
    e.preventDefault(); e.stopPropagation();
    fn();
  }, true);
  function btn(b, fn) { b.addEventListener("click", function () { fn(); b.blur(); }); }
  btn(prevB, prev); btn(nextB, next); btn(fsB, fullscreen); btn(legB, toggleLegend);
  btn(playB, function () { setAuto(!timer); });
  if (!(cfg.auto > 0)) playB.hidden = true;
  if (!fsDoc().fullscreenEnabled) fsB.disabled = true;
  window.addEventListener("resize", function () { if (cur >= 0) layout(cur); });
  window.tqSlides = {get index() { return cur; }, count: slides.length, titles: cfg.titles.slice(), go: go,
                     next: next, prev: prev, auto: setAuto};
  go(0);
  setAuto(cfg.auto > 0);
  window.focus();
})();
