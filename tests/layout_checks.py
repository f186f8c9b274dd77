"""Layout checks shared by the look helper's browser tests (tests/test_layout_*.py)."""

from __future__ import annotations

import time

SIZES = ((1024, 768), (1280, 720), (1366, 768), (1920, 1080))

# Boxes of the elements that must be entirely on screen, in the page's (or the frame's) pixels.
BOXES_JS = """(sels) => {
  const out = {};
  for (const s of sels) {
    out[s] = Array.from(document.querySelectorAll(s)).filter(e => {
      const st = getComputedStyle(e); return st.display !== "none" && st.visibility !== "hidden";
    }).map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; });
  }
  return out;
}"""

SCROLL_JS = """() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight,
                     window.innerWidth, window.innerHeight,
                     document.scrollingElement.scrollTop]"""


def assert_no_scroll(frame, where: str) -> None:
    sw, sh, w, h, top = frame.evaluate(SCROLL_JS)
    assert sw <= w and sh <= h and top == 0, f"{where}: page scrolls ({sw}×{sh} in {w}×{h}, scrollTop {top})"


def assert_inside(frame, selectors, where: str, slack: float = 0.5) -> dict:
    """Every visible element matching each selector lies inside the frame's viewport."""
    w, h = frame.evaluate("() => [window.innerWidth, window.innerHeight]")
    boxes = frame.evaluate(BOXES_JS, list(selectors))
    for sel, rects in boxes.items():
        assert rects, f"{where}: nothing visible for {sel}"
        for x0, y0, x1, y1 in rects:
            assert x0 >= -slack and y0 >= -slack and x1 <= w + slack and y1 <= h + slack, \
                f"{where}: {sel} clipped at {[round(v) for v in (x0, y0, x1, y1)]} in {w}×{h}"
    return boxes


def overlap(a, b) -> float:
    """Area of the intersection of two [x0, y0, x1, y1] boxes."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def area(a) -> float:
    return max(0.0, a[2] - a[0]) * max(0.0, a[3] - a[1])


def wait_painted(frame, timeout_s: float = 60.0) -> None:
    """Wait until Leaflet has drawn its vector layers and placed the commune marks (two animation
    frames after the marks exist, so the last placement pass has run)."""
    frame.wait_for_function("() => window.tqLayers && window.tqLayers.marks && "
                            "document.querySelectorAll('.tq-mark').length > 0 && "
                            "document.querySelectorAll('path.leaflet-interactive').length > 0",
                            timeout=timeout_s * 1000)
    frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def wall_frame(pg, timeout_s: float = 90.0):
    """The wall view's map document (the st.iframe of pages/tuong.py)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        el = pg.query_selector(".st-key-tq_wall iframe")
        fr = el.content_frame() if el else None
        if fr is not None:
            try:
                if fr.evaluate("() => !!document.querySelector('.tq-wall-head') && "
                               "document.querySelectorAll('.tq-mark').length > 0"):
                    return fr
            except Exception:  # the frame was replaced by a rerun: look again
                pass
        pg.wait_for_timeout(250)
    raise AssertionError("the wall view's map never appeared")


def stable_screenshot(pg, path, tries: int = 30) -> bytes:
    """Screenshots until two in a row are identical (the browser has finished painting: a 4K SVG
    map takes several frames to rasterise in software), then writes the last one to ``path``."""
    last = pg.screenshot()
    for _ in range(tries):
        pg.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        shot = pg.screenshot()
        if shot == last:
            break
        last = shot
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(last)
    return last


# --- app pages (the map is streamlit-folium's iframe today, the persistent `.tq-live` div after the
# switch to the in-page component: every check finds it either way) ----------------------------------

MAP_JS = """() => {
  const live = document.querySelector('.tq-live');
  const f = live ? null : document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const el = live || f;
  if (!el) return null;
  let n = 0;
  try { n = (live || f.contentDocument).querySelectorAll('path.leaflet-interactive').length; } catch (e) {}
  const r = el.getBoundingClientRect();
  // fitted for the size it has NOW: the fit script's last fit was for the map's current size, and
  // the Leaflet map has taken the element's height (no resize still to come)
  let m = null; try { m = live ? window.tqLiveMap : f.contentWindow.map; } catch (e) {}
  const s = m && m.getSize ? m.getSize() : null;
  const fitted = !!s && (el.getAttribute('data-tq-fitted') || '').startsWith(s.x + 'x' + s.y + '[')
                 && Math.abs(r.height - s.y) < 3 && !m._animatingZoom;
  return {live: !!live, box: [r.left, r.top, r.right, r.bottom], paths: n, fitted: fitted};
}"""

IDLE_JS = """() => { const e = document.querySelector('[data-test-script-state]');
  return !!e && e.getAttribute('data-test-script-state') === 'notRunning'; }"""

RAF2 = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def map_info(pg) -> dict | None:
    return pg.evaluate(MAP_JS)


def wait_app_map_painted(pg, minimum: int = 3, timeout_s: float = 120.0) -> dict:
    """Wait (conditions, no sleeps) until the page's script is idle, its map has at least
    ``minimum`` Leaflet paths, the fit script has sized and fitted it, and the map's own window has
    painted two animation frames since (a 4K SVG map in software rendering takes several)."""
    pg.wait_for_function(IDLE_JS, timeout=timeout_s * 1000)
    pg.wait_for_function(f"() => {{ const m = ({MAP_JS})(); return !!m && m.paths >= {minimum} && m.fitted; }}",
                         timeout=timeout_s * 1000)
    info = map_info(pg)
    if not info["live"]:
        el = pg.query_selector('iframe[title="streamlit_folium.st_folium"]')
        fr = el.content_frame() if el else None
        if fr is not None:
            fr.evaluate(RAF2)
    pg.evaluate(RAF2)
    return map_info(pg)


PAGE_BOXES_JS = """() => {
  const vis = e => { const s = getComputedStyle(e); const r = e.getBoundingClientRect();
                     return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const all = s => Array.from(document.querySelectorAll(s)).filter(vis);
  const over = s => all(s).filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText.slice(0, 60));
  const main = document.querySelector('[data-testid="stMain"]');
  const side = document.querySelector('.st-key-tq_side');
  return {
    main: [main.scrollHeight, main.clientHeight], doc: [document.documentElement.scrollHeight, window.innerHeight,
          document.documentElement.scrollWidth, window.innerWidth],
    title: all('[data-testid="stMainBlockContainer"] h1').map(box),
    // each title's foot and the top of the next element shown below it (a title is never under it)
    titleNext: all('[data-testid="stMainBlockContainer"] h1').map(t => {
      let n = t.closest('[data-testid="stElementContainer"]');
      n = n && n.nextElementSibling;
      while (n && !vis(n)) n = n.nextElementSibling;
      return n ? [t.getBoundingClientRect().bottom, n.getBoundingClientRect().top, t.innerText] : null;
    }).filter(Boolean),
    strip: all('.tq-strip .tq-si').map(box),
    side: side ? box(side) : null,
    downloads: all('.st-key-tq_side .tq-dl button[data-tq-dl]').map(box),
    print: all('.st-key-tq_side .tq-print').map(box),
    legend: all('.tq-legend').map(box),
    overflowing: over('[data-testid="stMainBlockContainer"] h1').concat(over('.tq-strip .tq-si'), over('.tq-strip .tq-si .v'),
                 over('.tq-demo-banner'), over('.tq-public'), over('[data-testid="stAlertContainer"]'), over('.tq-dl button')),
    tables: all('.st-key-tq_side .tq-table-wrap')
              .filter(e => e.clientWidth > 0).map(e => [e.scrollWidth, e.clientWidth]),
    text: document.querySelector('[data-testid="stMain"]').innerText,
  };
}"""


def check_map_page(pg, where: str, *, downloads: bool = True) -> dict:
    """The layout rules of a map page: no page scroll, title/strip/map/side panel/downloads/print
    inside the window (downloads and print also inside the side panel's visible part), no text
    running out of its box, no table column cut off (no sideways scroll in a side-panel table),
    a legend over the map covering at most 15% of it."""
    info = map_info(pg)
    b = pg.evaluate(PAGE_BOXES_JS)
    w, h = b["doc"][3], b["doc"][1]
    assert b["main"][0] <= b["main"][1] + 1, f"{where}: the page scrolls ({b['main'][0]} > {b['main'][1]})"
    assert b["doc"][0] <= h + 1 and b["doc"][2] <= w + 1, f"{where}: the document scrolls {b['doc']}"

    def inside(name, boxes, within=(0, 0, w, h)):
        assert boxes, f"{where}: no {name} on screen"
        for x0, y0, x1, y1 in boxes:
            assert x0 >= within[0] - 0.5 and y0 >= within[1] - 0.5 and x1 <= within[2] + 0.5 and y1 <= within[3] + 0.5, \
                f"{where}: {name} cut at {[round(v) for v in (x0, y0, x1, y1)]} (visible {[round(v) for v in within]})"

    inside("map", [info["box"]])
    inside("title", b["title"])
    for foot, below, text in b["titleNext"]:  # the dots under its vowels ("trọng", "tạp") stay visible
        assert foot <= below + 0.5, f"{where}: the title {text!r} runs {foot - below:.0f} px under the element below it"
    inside("side panel", [b["side"]] if b["side"] else [])
    if b["strip"]:
        inside("KPI strip", b["strip"])
    if downloads:
        inside("download button", b["downloads"], b["side"])
    inside("print button", b["print"], b["side"])
    assert not b["overflowing"], f"{where}: text cut off: {b['overflowing']}"
    for sw, cw in b["tables"]:
        assert sw <= cw + 1, f"{where}: a table's columns are cut off ({sw} px of columns in {cw} px)"
    mx0, my0, mx1, my1 = info["box"]
    for lg in b["legend"]:
        assert overlap(lg, info["box"]) <= 0.15 * area(info["box"]), f"{where}: the legend covers the map"
    assert (mx1 - mx0) * (my1 - my0) >= 0.18 * w * h, f"{where}: the map is not the hero ({info['box']})"
    return b
