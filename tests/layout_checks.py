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
