"""``python -m geo bench``: our map against the naive folium approach, side by side, in ONE run on
the same machine, plus the growth curve on synthetic coverages. Writes JSON, prints a table.

Naive baseline: :mod:`geo.bench.naive`, shown by bench/naive_app.py (``folium.GeoJson`` of the raw 124 files, folium's and
st_folium's defaults). Ours: the standalone overview export (:func:`geo.export.html.export_view`)
and the app's Overview page (``streamlit run app.py``: the persistent map, ``livemap``; bench/live_app.py
is the same component on a bare page).

Browser rows use Debian's Chromium driven by Playwright (the launcher flags and the Streamlit server
come from ``tests/conftest.py``). There is no internet here: every request to a host other than
127.0.0.1/localhost is COUNTED, then (naive) Leaflet's JS/CSS are answered from the local copies
and everything else from a CDN or tile server with an empty 200, so the naive map can draw; (ours)
aborted. Answering CDN requests locally makes the naive figures optimistic (no real CDN latency).

Times of "drawn" are measured in the browser: an init script in every frame checks every 10 ms
for the expected number of ``path.leaflet-interactive`` elements and records the first instant it
sees them; the figure is that instant minus the top page's navigation start. Every visit uses a
fresh browser context (empty HTTP cache), like a first-time visitor.

No timing is ever asserted (tests only check the JSON shape).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from ..paths import REPO_ROOT
from .synthetic import REAL_DENSITY_SCALE

YEAR_A, YEAR_B = 2025, 2026
UNITS = 124
GROWTH_FULL = (1000, 3321, (3321, REAL_DENSITY_SCALE))  # the last: real web vertex density
GROWTH_QUICK = (200,)
PACKAGES = ("folium", "streamlit", "streamlit-folium", "shapely", "geopandas", "pyproj", "pyogrio",
            "playwright", "pandas", "numpy", "branca")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
DEFAULT_OUT = Path("bench-results/bench.json")


# --- small helpers -----------------------------------------------------------------------------


def stats(values: list[float]) -> dict:
    vals = [float(v) for v in values if v is not None]
    if not vals:
        return {"median": None, "min": None, "max": None, "n": 0, "values": []}
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals),
            "values": [round(v, 4) for v in vals]}


def _python() -> str:
    return sys.executable


def _env(**extra) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.update({k: str(v) for k, v in extra.items() if v is not None})
    return env


def machine_info() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_kb = int(line.split()[1])
    except OSError:
        pass
    versions = {}
    for p in PACKAGES:
        try:
            versions[p] = importlib.metadata.version(p)
        except importlib.metadata.PackageNotFoundError:
            versions[p] = None
    chromium = _conftest().CHROMIUM
    try:
        chromium_v = subprocess.run([chromium, "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        chromium_v = None
    return {"hostname": platform.node(), "platform": platform.platform(), "cpu_model": cpu,
            "cores": os.cpu_count(), "ram_gb": round(ram_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "packages": versions, "chromium": chromium_v}


_CONFTEST = None


def _conftest():
    """tests/conftest.py (StreamlitServer, CHROMIUM, CHROMIUM_ARGS, map_frame_paths): reused, not copied."""
    global _CONFTEST
    if _CONFTEST is None:
        spec = importlib.util.spec_from_file_location("tq_bench_conftest", REPO_ROOT / "tests" / "conftest.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _CONFTEST = mod
    return _CONFTEST


def vm_hwm_mb(pid: int) -> float | None:
    """Peak resident set size of a process (VmHWM in /proc/PID/status), MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- workers (run in fresh processes: `python -c` with the clock started before any import) ------

_WORKER = """
import time
_t0 = time.perf_counter()
import sys
from geo.bench.run import _worker
_worker(sys.argv[1], sys.argv[2], _t0)
"""


def _worker(kind: str, out_path: str, t0: float) -> None:
    """Build the map twice in this fresh process; print JSON {cold_s, warm_s} and write the HTML."""
    if kind == "naive":
        from .naive import categories_from_store, naive_map
        from ..store import open_store

        def build() -> str:
            store = open_store()
            m = naive_map(categories_from_store(store, YEAR_A))
            return m.get_root().render()  # exactly what Map.save writes
    elif kind == "ours":
        from ..export.html import export_view
        from ..status import status_frame
        from ..store import open_store

        def build() -> str:
            store = open_store()
            return export_view(status_frame(store, YEAR_A), store.routes(YEAR_A), "overview", year=YEAR_A,
                               demo=store.is_demo(YEAR_A))
    elif kind.startswith("synthetic:"):
        from .synthetic import status_frame_like
        from .. import boundaries
        from ..export.html import export_view
        from ..status import status_frame
        from ..store import open_store

        store = open_store()
        real = status_frame(store, YEAR_A)
        os.environ["TQMAP_BOUNDARIES"] = kind.split(":", 1)[1]
        t0 = time.perf_counter()  # the synthetic run's clock starts after the real frame is read

        def build() -> str:
            frame = status_frame_like(real, boundaries.communes(web=True))
            return export_view(frame, [], "overview", year=YEAR_A, demo=True)
    else:
        raise SystemExit(f"unknown worker {kind}")
    page = build()
    t1 = time.perf_counter()
    build()
    t2 = time.perf_counter()
    Path(out_path).write_text(page, encoding="utf-8")
    print(json.dumps({"cold_s": t1 - t0, "warm_s": t2 - t1}))


def run_worker(kind: str, out_path: Path, env: dict) -> dict:
    r = subprocess.run([_python(), "-c", _WORKER, kind, str(out_path)], cwd=REPO_ROOT, env=env,
                       capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"worker {kind} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


# --- browser -----------------------------------------------------------------------------------

DRAWN_INIT = """
(() => {
  const N = %d;
  function check() {
    if (window.__tqDrawnAt) return true;
    if (!window.__tqTextAt && document.body && document.body.innerText.indexOf(%s) >= 0)
      window.__tqTextAt = performance.timeOrigin + performance.now();
    const n = document.querySelectorAll('path.leaflet-interactive').length;
    if (n >= N) { window.__tqDrawnAt = performance.timeOrigin + performance.now(); window.__tqDrawnN = n; return true; }
    return false;
  }
  // A 10 ms timer (requestAnimationFrame stops in Streamlit's component iframe; a
  // MutationObserver attached here does not survive that iframe's document swap).
  const id = setInterval(() => { try { if (check()) clearInterval(id); } catch (e) {} }, 10);
  window.__tqInit = (window.__tqInit || 0) + 1;
})();
"""

SIGNATURE_JS = """() => {
  const ps = document.querySelectorAll('path.leaflet-interactive');
  let s = ps.length + ':';
  ps.forEach(p => { s += (p.getAttribute('fill') || '') + (p.getAttribute('fill-opacity') || '') + ','; });
  return s;
}"""


# any http(s) URL whose host is not this machine's loopback (the same rule as _external)
EXTERNAL_URL = re.compile(r"^(?:https?|wss?)://(?!(?:127\.0\.0\.1|localhost|\[::1\])(?:[:/]|$))", re.I)


def _external(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return False
    return (parts.hostname or "") not in {h.strip("[]") for h in LOCAL_HOSTS}


class Browser:
    """One Chromium for the whole run; each measurement gets a fresh context (empty cache)."""

    def __init__(self):
        from playwright.sync_api import sync_playwright

        cf = _conftest()
        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=cf.CHROMIUM, args=cf.CHROMIUM_ARGS, headless=True)

    def close(self):
        self.browser.close()
        self._pw.stop()

    @contextmanager
    def page(self, *, naive: bool, expect: int = UNITS):
        """A page whose external requests are counted; ``page.external`` lists them."""
        from ..maps import assets

        ctx = self.browser.new_context(viewport={"width": 1600, "height": 1000}, locale="vi-VN")
        ctx.add_init_script(DRAWN_INIT % (expect, json.dumps(BASELINE_TEXT)))
        ctx.add_init_script(_conftest().WS_WATCH_JS)  # the runs a change asks for (change_category)
        external: list[str] = []
        leaflet = assets.package_dir()

        def handle(route):
            url = route.request.url
            external.append(url)
            if not naive:
                route.abort()
                return
            path = urlsplit(url).path
            name = path.rsplit("/", 1)[-1]
            if name in ("leaflet.js", "leaflet.css") and "leaflet" in path:
                route.fulfill(status=200, body=(leaflet / name).read_bytes(),
                              content_type="text/css" if name.endswith(".css") else "application/javascript")
            else:
                ctype = ("text/css" if name.endswith(".css") else "application/javascript" if name.endswith(".js")
                         else "image/png" if name.endswith(".png") else "text/plain")
                route.fulfill(status=200, body=b"", content_type=ctype)

        # A URL pattern (matched by Playwright's driver) rather than a Python predicate: with a
        # predicate every request of the page, Streamlit's ~150 scripts included, stops until this
        # process has answered it (measured: +0.9 s on the Overview's open), a cost no user has.
        ctx.route(EXTERNAL_URL, handle)
        pg = ctx.new_page()
        pg.external = external
        pg.bytes_in = _ByteCounter(ctx, pg)
        try:
            yield pg
        finally:
            ctx.close()


class _ByteCounter:
    """Bytes the browser receives, from Chrome's own network events (CDP): every websocket frame
    (Streamlit's deltas) and every HTTP response body (as transferred). ``total`` only grows."""

    def __init__(self, ctx, pg):
        self.ws = 0
        self.http = 0
        try:
            self._cdp = ctx.new_cdp_session(pg)
            self._cdp.on("Network.webSocketFrameReceived", self._frame)
            self._cdp.on("Network.loadingFinished", self._http)
            self._cdp.send("Network.enable")
        except Exception:  # noqa: BLE001 - no CDP: byte rows stay empty
            self._cdp = None

    def _frame(self, ev):
        r = ev.get("response") or {}
        data = r.get("payloadData") or ""
        # opcode 2 (binary): the payload is base64 in CDP
        self.ws += (len(data) * 3 // 4 - data[-2:].count("=")) if r.get("opcode") == 2 else len(data.encode("utf-8"))

    def _http(self, ev):
        self.http += int(ev.get("encodedDataLength") or 0)

    @property
    def total(self) -> int:
        return self.ws + self.http


def _drawn_ms(pg, expect: int, timeout_s: float = 120.0) -> float:
    """ms from the top page's navigation start to the first frame holding ``expect`` shapes."""
    frame, n = _conftest().map_frame_paths(pg, minimum=expect, timeout_s=timeout_s)
    if frame is None or n < expect:
        raise RuntimeError(f"only {n} of {expect} shapes drawn within {timeout_s:.0f} s")
    deadline = time.time() + 10
    at = None
    while at is None and time.time() < deadline:
        at = frame.evaluate("window.__tqDrawnAt || null")
        if at is None:
            time.sleep(0.02)
    origin = pg.evaluate("performance.timeOrigin")
    return float(at) - float(origin)


def draw_file(br: Browser, path: Path, *, naive: bool, expect: int = UNITS) -> tuple[float, int]:
    with br.page(naive=naive, expect=expect) as pg:
        pg.goto(path.resolve().as_uri(), wait_until="commit")
        ms = _drawn_ms(pg, expect)
        return ms, len(pg.external)


def _map_state(pg, expect: int) -> tuple[object, str]:
    """(frame, signature) of the frame showing the most Leaflet shapes."""
    best = (None, "", -1)
    for f in pg.frames:
        try:
            sig = f.evaluate(SIGNATURE_JS)
        except Exception:
            continue
        n = int(sig.split(":", 1)[0])
        if n > best[2]:
            best = (f, sig, n)
    return best[0], best[1]


# The app's other map pages (each draws every commune: its own in full colour, the rest faded).
OTHER_PAGES = (("tuyen", "route page"), ("xa_trong_diem", "key communes page"),
               ("ho_so_xa?xa=00694", "commune profile page"), ("tien_do", "progress page"))

KPI_SELECTOR = '[data-testid="stMetricValue"], .tq-kpi .v, .tq-strip .tq-si .v'


def _kpi(pg) -> str:
    """The text of every KPI value on the page (st.metric or the app's own KPI cards)."""
    return pg.evaluate("sel => Array.from(document.querySelectorAll(sel)).map(e => e.innerText).join('|')",
                       KPI_SELECTOR)


def _wait_change(pg, before_sig: str, before_kpi: str | None, expect: int, t0: float,
                 timeout_s: float = 60.0) -> float:
    """Seconds from ``t0`` until the map's shapes differ from ``before_sig`` (all drawn) and, if
    ``before_kpi`` is given, the first KPI text differs."""
    deadline = time.time() + timeout_s
    map_done = kpi_done = None
    while time.time() < deadline:
        if map_done is None:
            _f, sig = _map_state(pg, expect)
            if sig and sig != before_sig and int(sig.split(":", 1)[0]) >= expect:
                map_done = time.perf_counter()
        if before_kpi is not None and kpi_done is None:
            try:
                if _kpi(pg) != before_kpi:
                    kpi_done = time.perf_counter()
            except Exception:
                pass
        if map_done is not None and (before_kpi is None or kpi_done is not None):
            return max(map_done, kpi_done or 0) - t0
        time.sleep(0.015)
    raise RuntimeError("the map did not change after the filter/year change")


def _sidebar(pg):
    return pg.locator('[data-testid="stSidebar"]')


def wait_idle(pg, timeout_s: float = 120.0) -> None:
    """Until Streamlit says no script run is going on (``data-test-script-state``)."""
    pg.wait_for_function(
        "() => { const e = document.querySelector('[data-test-script-state]');"
        " return e && e.getAttribute('data-test-script-state') === 'notRunning'; }", timeout=timeout_s * 1000)


@contextmanager
def app_page(br: Browser, url: str, *, naive: bool):
    with br.page(naive=naive) as pg:
        pg.goto(url, wait_until="commit")
        ms = _drawn_ms(pg, UNITS, timeout_s=300.0)  # a cold server on a loaded 2-core machine
        pg.wait_for_selector(KPI_SELECTOR, timeout=300_000)
        yield pg, ms


def change_year(pg) -> tuple[float, int]:
    """(seconds until KPI and map changed, bytes received meanwhile, until the page is idle again
    after the pick's run). Ours: the app's year control (livemap.year_select, a native select:
    the pick is one action); naive and the bare persistent-map page: Streamlit's select box."""
    wait_idle(pg)
    _f, before_sig = _map_state(pg, UNITS)
    before_kpi = _kpi(pg)
    ours = _sidebar(pg).locator(".tq-year select")
    if ours.count():
        pick = lambda: ours.first.select_option(str(YEAR_B))  # noqa: E731
    else:
        box = _sidebar(pg).locator('[data-testid="stSelectbox"]').first
        opt = pg.get_by_role("option", name=str(YEAR_B), exact=True)
        box.click()
        opt.wait_for(timeout=60_000)
        pick = lambda: opt.click(timeout=60_000)  # noqa: E731
    b0 = pg.bytes_in.total
    t0 = time.perf_counter()
    pick()
    dt_s = _wait_change(pg, before_sig, before_kpi, UNITS, t0)
    if ours.count():  # ours shows the year before its run: the run has come (the map's tooltips with it)
        pg.wait_for_function(_conftest().YEAR_RUN_DONE, timeout=60_000)
    wait_idle(pg)
    return dt_s, pg.bytes_in.total - b0


def change_category(pg, naive: bool, expander: bool | None = None) -> tuple[float, int, int, float]:
    """(seconds until the map changed, bytes received meanwhile, script runs seen while picking,
    seconds until the page was idle again after the change's run).

    Ours (the Overview): the filter panel beside the map (livemap.filter_panel) unfolds in the
    browser and the status is ticked with one click, as a user does. Naive and the bare
    persistent-map page (bench/live_app.py): a multiselect in the sidebar; its option is chosen
    with the keyboard once the typed label has narrowed the list to it, on an idle page, opened
    with ONE click: the former loop clicked the box again whenever the list was slow to show (4 s
    under load), which closes an open list, and then clicked an option that the next keystroke's
    filtering or the toggle had replaced (Playwright: "element was detached from the DOM, retrying"
    for 30 s). A user clicks once and waits; see notes/speed.md. The bytes are counted until the
    page is idle again (the rerun that keeps the choice in the session included)."""
    from ..maps.tooltip import category_label

    panel = (not naive) if expander is None else expander
    label = category_label("drug_free", "vi")
    wait_idle(pg)
    if panel:
        main = pg.locator('[data-testid="stMain"]')
        main.locator(".tq-filter > details > summary").first.click()
        box = main.get_by_label(label, exact=True)
        box.wait_for(timeout=60_000)
        wait_idle(pg)
        _f, before_sig = _map_state(pg, UNITS)
        runs = 0  # no option list: nothing runs while picking
        pg.evaluate(_conftest().on_next_request_js())
        b0 = pg.bytes_in.total
        t0 = time.perf_counter()
        box.click()
    else:
        sb = _sidebar(pg)
        ms = sb.locator('[data-testid="stMultiSelect"]').first
        ms.wait_for(timeout=60_000)
        wait_idle(pg)
        _f, before_sig = _map_state(pg, UNITS)
        pg.evaluate(_conftest().runs_js())
        inp = ms.locator("input").first
        inp.click()
        inp.press_sequentially(label, delay=0)
        only = pg.get_by_role("option", name=label, exact=True)
        only.wait_for(timeout=60_000)
        pg.wait_for_function("() => document.querySelectorAll('[role=option]').length === 1", timeout=60_000)
        runs = int(pg.evaluate("window.__tqRuns || 0"))  # reruns while the list was open, before the choice
        pg.evaluate(_conftest().on_next_request_js())
        b0 = pg.bytes_in.total
        t0 = time.perf_counter()
        inp.press("Enter")
    # The naive app drops the other communes (fewer shapes); ours fades them (124 shapes stay).
    dt_s = _wait_change(pg, before_sig, None, 1 if naive else UNITS, t0)
    # the run the change asks for (ours: the one keeping the choice in the session, which the map
    # does not wait for) has been answered and has ended (counted on the WebSocket: a quick run can
    # start and end within one batch of the page's updates, unseen by the script-state attribute)
    pg.wait_for_function(_conftest().ANSWERED_JS, timeout=60_000)
    wait_idle(pg)
    settled_s = time.perf_counter() - t0
    return dt_s, pg.bytes_in.total - b0, runs, settled_s


BASELINE_TEXT = "Trang trống của Streamlit"
# The app's other pages are opened at their own paths (/tuyen, /ho_so_xa?xa=…): Streamlit's page then
# asks /<path>/_stcore/health first (404), waits ~100 ms and asks the root's (streamlit/streamlit#7074,
# open). The empty page opened at a path pays the same; those pages are compared with it too.
BASELINE_PATH = "/trang?xa=00694"


def baseline_open_ms(pg, timeout_s: float = 120.0) -> float:
    """ms from navigation start to the st.write text of bench/baseline_app.py in the page."""
    pg.wait_for_function("() => !!window.__tqTextAt", timeout=timeout_s * 1000)
    return float(pg.evaluate("window.__tqTextAt")) - float(pg.evaluate("performance.timeOrigin"))


def baseline_rerun_s(pg) -> float:
    """A button click -> the text it changes is shown (wall clock, polled like the map)."""
    wait_idle(pg)
    before = pg.get_by_text("Số lần bấm:", exact=False).first.inner_text()
    btn = pg.get_by_role("button", name="Bấm")
    t0 = time.perf_counter()
    btn.click()
    deadline = time.time() + 60
    while time.time() < deadline:
        now = pg.get_by_text("Số lần bấm:", exact=False).first.inner_text()
        if now != before:
            return time.perf_counter() - t0
        time.sleep(0.015)
    raise RuntimeError("the baseline text did not change after the click")


@contextmanager
def server(script: str, env: dict, log: Path, serve: bool = False):
    """conftest's StreamlitServer running ``script`` (``serve``: the app started as ``make run``
    does, ``python -m ui.serve``, with its warm start)."""
    srv = _conftest().StreamlitServer(env, log, script=script, serve=serve)
    try:
        yield srv
    finally:
        srv.stop()


def _wait_warm_start(srv, log: Path, timeout_s: float = 900.0) -> float:
    """Seconds from the server's health answer until its warm start says it is done (ui/serve.py)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        text = log.read_text(errors="replace")
        if "tqmap: warm start done" in text:
            return time.perf_counter() - t0
        if "tqmap: warm start failed" in text:
            raise RuntimeError(text[-2000:])
        if srv.proc.poll() is not None:
            raise RuntimeError(f"server exited: {text[-2000:]}")
        time.sleep(0.2)
    raise TimeoutError(f"no warm start after {timeout_s:.0f} s")


# --- the run -----------------------------------------------------------------------------------


def _row(rows: list, rid: str, label: str, unit: str, ours: list[float] | None, naive: list[float] | None,
         note: str = "", baseline: list[float] | None = None, baseline_id: str | None = None,
         at_path: list[float] | None = None) -> dict:
    """A table row; ``ratio`` = ours/naive, ``ratio_baseline`` = ours/baseline (medians);
    ``at_path``: the empty page opened at a page path (``baseline_subpage_ms``), for a page opened
    at its own path: ``ratio_baseline_path`` = ours/that."""
    o = stats(ours) if ours is not None else None
    n = stats(naive) if naive is not None else None
    b = stats(baseline) if baseline is not None else None
    p = stats(at_path) if at_path is not None else None
    ratio = ratio_b = ratio_p = None
    if o and n and o["median"] is not None and n["median"]:
        ratio = o["median"] / n["median"]
    if o and b and o["median"] is not None and b["median"]:
        ratio_b = o["median"] / b["median"]
    if o and p and o["median"] is not None and p["median"]:
        ratio_p = o["median"] / p["median"]
    row = {"id": rid, "label": label, "unit": unit, "ours": o, "naive": n, "ratio": ratio,
           "baseline": b, "baseline_id": baseline_id, "ratio_baseline": ratio_b, "note": note}
    if at_path is not None:
        row["ratio_baseline_path"] = ratio_p
    rows[:] = [r for r in rows if r["id"] != rid] + [row]
    return row


def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class _Run:
    """What one run has measured so far. A measure that raises is recorded in ``failures`` (id,
    error, traceback tail) and the run goes on; the JSON is rewritten after every phase, so even a
    run killed half-way leaves every figure it had."""

    def __init__(self, result: dict, out: Path):
        self.result = result
        self.out = Path(out)

    def attempt(self, mid: str, fn, *args, **kw):
        import traceback

        try:
            return fn(*args, **kw)
        except Exception as e:  # noqa: BLE001 - recorded, the run goes on
            _log(f"FAILED {mid}: {e!r}"[:400])
            self.result["failures"].append({"id": mid, "error": repr(e)[:2000],
                                            "traceback": traceback.format_exc()[-3000:]})
            return None

    def save(self) -> None:
        self.result["seconds_total"] = round(time.time() - self.result["_started"], 1)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        data = {k: v for k, v in self.result.items() if not k.startswith("_")}
        self.out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _vals(xs) -> list[float]:
    return [x for x in xs if x is not None]


def run(*, quick: bool = False, runs: int = 5, out: Path = DEFAULT_OUT, browser_runs: int | None = None,
        growth: tuple | None = None) -> dict:
    """Run everything; write ``out`` (JSON, after every phase) and return the result."""
    started = time.time()
    runs = 1 if quick else max(1, runs)
    b_runs = 1 if quick else (browser_runs or max(1, min(3, runs)))
    build_runs = 1 if quick else max(1, min(3, runs))
    growth = growth if growth is not None else (GROWTH_QUICK if quick else GROWTH_FULL)
    rows: list[dict] = []
    result = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "quick": quick,
              "machine": machine_info(), "load_at_start": _loadavg(),
              "runs": {"cheap": runs, "browser": b_runs, "data_build": build_runs},
              "notes": [
                  "No internet: every request to a host other than 127.0.0.1/localhost is counted; for the naive "
                  "map, Leaflet JS/CSS are served from the local copies and every other CDN/tile request gets an "
                  "empty 200 (so the naive figures lack real CDN latency and are optimistic); for ours they "
                  "would be aborted.",
                  "Draw times: browser clock, from navigation start to the first instant with all "
                  "commune paths (path.leaflet-interactive) in the page or map iframe (checked every 10 ms); every "
                  "visit in a fresh browser context (empty HTTP cache). The baseline: the same, until the "
                  "st.write text of bench/baseline_app.py is in the page.",
                  "Change times: wall clock from the click (or Enter) on the option to the map's shapes "
                  "(fill/opacity) and, for the year, the first KPI text both changed (polled every ~15 ms). "
                  "Every interaction starts on an idle page (Streamlit's script state notRunning).",
                  "Bytes per change: what Chromium received (CDP: websocket frames + HTTP bodies as "
                  "transferred) from the click until the page was idle again.",
                  "gzip: level 6 (what web servers use).",
                  "The app's ratios to the empty Streamlit page divide by the empty page's visits made "
                  "between the app's own (baseline_paired_*: its server up beside ours, visits alternating), "
                  "so both are measured under the machine's same state; the baseline phase's rows, measured "
                  "minutes earlier, are kept beside them. The Overview's open is every fresh visit of it "
                  "(before the year step and before the filter step)."],
              "rows": rows, "growth": [], "failures": [], "_started": started}
    rec = _Run(result, out)
    tmp = Path(tempfile.mkdtemp(prefix="tq-bench-"))
    db = tmp / "demo.db"
    env = _env(TQMAP_DB=db)
    r = subprocess.run([_python(), "-m", "geo", "demo"], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"python -m geo demo failed: {r.stderr[-2000:]}")

    # 1. Python build (cold = fresh process, warm = second call) and the HTML files
    _log(f"python build: {runs} fresh process(es) each")
    cold = {"ours": [], "naive": []}
    warm = {"ours": [], "naive": []}
    html = {"ours": tmp / "ours.html", "naive": tmp / "naive.html"}
    for _ in range(runs):
        for kind in ("naive", "ours"):
            w = rec.attempt(f"py_build_{kind}", run_worker, kind, html[kind], env)
            if w:
                cold[kind].append(w["cold_s"])
                warm[kind].append(w["warm_s"])
    sizes = {k: p.read_bytes() for k, p in html.items() if p.is_file()}
    kb = {k: [len(v) / 1024] for k, v in sizes.items()}
    gz = {k: [len(gzip.compress(v, 6)) / 1024] for k, v in sizes.items()}
    _row(rows, "html_kb", "Exported HTML size (goal ≤ 300 KB)", "KB", kb.get("ours", []), kb.get("naive", []),
         "ours: standalone overview with routes, Leaflet inlined, shared-edge geometry; naive: Map.save of the "
         "raw boundaries, libs from CDNs")
    _row(rows, "html_gzip_kb", "Exported HTML size, gzip", "KB", gz.get("ours", []), gz.get("naive", []))
    _row(rows, "py_build_cold_s", "Python build of the map, cold (fresh process, incl. imports)", "s",
         cold["ours"], cold["naive"], "ours: store → status frame → export_view; naive: read 124 raw files → folium → render")
    _row(rows, "py_build_warm_s", "Python build of the map, warm (2nd call, same process)", "s",
         warm["ours"], warm["naive"])
    rec.save()

    # 2. data build
    _log(f"data build: {build_runs} run(s)")
    builds = []

    def one_build(i):
        t0 = time.perf_counter()
        r = subprocess.run([_python(), "-m", "geo", "data", "--out", str(tmp / f"b{i}.gpkg")],
                           cwd=REPO_ROOT, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"python -m geo data failed: {r.stderr[-2000:]}")
        return time.perf_counter() - t0

    for i in range(build_runs):
        builds.append(rec.attempt("data_build", one_build, i))
    _row(rows, "data_build_s", "Data build (python -m geo data into a new file, from the mirror)", "s", _vals(builds), None,
         "naive has no build step (it reads the raw files on every run)")
    skip = rec.attempt("data_build_skip", _data_build_skip_s, env)
    _row(rows, "data_build_skip_s", "Data build when nothing changed (python -m geo data: stamp check)", "s",
         [skip] if skip is not None else [], None, "what `make run` pays on a restart")
    rec.save()

    # 3. browser
    br = Browser()
    try:
        _log(f"browser: standalone files, {b_runs} run(s)")
        draw = {"ours": [], "naive": []}
        ext = {"ours": [], "naive": []}
        for _ in range(b_runs):
            for kind in ("naive", "ours"):
                if kind not in sizes:
                    continue
                got = rec.attempt(f"draw_file_{kind}", draw_file, br, html[kind], naive=(kind == "naive"))
                if got:
                    draw[kind].append(got[0])
                    ext[kind].append(got[1])
        _row(rows, "draw_file_ms", "Standalone HTML (file://): open → 124 shapes drawn", "ms",
             draw["ours"], draw["naive"])
        _row(rows, "ext_requests_file", "External requests, standalone HTML", "count",
             [max(ext["ours"])] if ext["ours"] else [], [max(ext["naive"])] if ext["naive"] else [],
             "naive: CDN libs + OSM tiles (served locally here, see notes)")
        rec.save()

        base = {"open": [], "rerun": [], "path": []}
        _log(f"browser: baseline (empty Streamlit page), {b_runs} run(s)")

        def baseline_runs():
            with server("bench/baseline_app.py", {"TQMAP_DB": str(db), "TQMAP_PUBLIC_DEMO": "1"},
                        tmp / "st-baseline.log") as srv:
                for i in range(b_runs + 1):  # the first visit warms the server like the app's first visit
                    with br.page(naive=False, expect=10**9) as pg:
                        pg.goto(srv.url + "/", wait_until="commit")
                        ms = rec.attempt("baseline_empty_ms", baseline_open_ms, pg)
                        if ms is not None and i > 0:
                            base["open"].append(ms)
                        s_ = rec.attempt("baseline_rerun_s", baseline_rerun_s, pg) if ms is not None else None
                        if s_ is not None:
                            base["rerun"].append(s_)
                    if i > 0:  # opened at a page path, as the app's other pages are (see BASELINE_PATH)
                        with br.page(naive=False, expect=10**9) as pg:
                            pg.goto(srv.url + BASELINE_PATH, wait_until="commit")
                            ms = rec.attempt("baseline_subpage_ms", baseline_open_ms, pg)
                            if ms is not None:
                                base["path"].append(ms)

        rec.attempt("baseline_server", baseline_runs)
        _row(rows, "baseline_empty_ms", "Empty Streamlit page (one st.write): open → text shown", "ms",
             base["open"], None, "bench/baseline_app.py, same server settings, fresh browser context")
        _row(rows, "baseline_rerun_s", "Empty Streamlit page: button click → text changed", "s", base["rerun"], None)
        _row(rows, "baseline_subpage_ms", f"Empty Streamlit page opened at a page path ({BASELINE_PATH}): open → "
             "text shown", "ms", base["path"], None, "Streamlit first probes the path's own /_stcore/health "
             "(404), then the root's (streamlit/streamlit#7074)")
        rec.save()

        app = {k: {"first": [], "visit": [], "year": [], "cat": [], "cat_kb": [], "year_kb": [], "runs": [], "cat_settled": [],
                   "ext": [], "hwm": None} for k in ("ours", "naive", "live")}
        pages = {p: [] for p, _label in OTHER_PAGES}
        # The empty page again, its visits interleaved with our app's (its server up beside ours):
        # the divisor of the app's ratios. Measured minutes apart, the baseline phase's median of
        # three moved 886–1,048 ms between runs with the machine's state, more than ours did; visits
        # in the same minutes share that state.
        pair = {"open": [], "rerun": [], "path": []}
        for kind, script in (("naive", "bench/naive_app.py"), ("ours", "app.py"), ("live", "bench/live_app.py")):
            _log(f"browser: app {kind}, {b_runs} run(s)")
            a = app[kind]
            naive = kind == "naive"

            def visit_first(srv):
                with app_page(br, srv.url + "/", naive=naive) as (pg, ms):
                    a["first"].append(ms)
                    a["ext"].append(len(pg.external))

            def visit_year(srv):
                with app_page(br, srv.url + "/", naive=naive) as (pg, ms):
                    a["visit"].append(ms)
                    got = rec.attempt(f"app_year_{kind}", change_year, pg)
                    if got:
                        a["year"].append(got[0])
                        a["year_kb"].append(got[1] / 1024)
                    a["ext"].append(len(pg.external))

            def visit_cat(srv):
                with app_page(br, srv.url + "/", naive=naive) as (pg, ms):
                    if kind == "ours":  # an Overview open like visit_year's: one more sample of it
                        a["visit"].append(ms)
                    got = rec.attempt(f"app_filter_{kind}", change_category, pg, naive, kind == "ours")
                    if got:
                        a["cat"].append(got[0])
                        a["cat_kb"].append(got[1] / 1024)
                        a["runs"].append(got[2])
                        a["cat_settled"].append(got[3])
                    a["ext"].append(len(pg.external))

            def visit_page(srv, path):
                with br.page(naive=False) as pg:
                    pg.goto(f"{srv.url}/{path}", wait_until="commit")
                    pages[path].append(_drawn_ms(pg, UNITS, timeout_s=300.0))
                    a["ext"].append(len(pg.external))

            def visit_paired(bsrv, at_path: bool = False):
                """The empty page, opened between our visits (see ``pair``): its open and, at the
                root, its rerun."""
                with br.page(naive=False, expect=10**9) as pg:
                    pg.goto(bsrv.url + (BASELINE_PATH if at_path else "/"), wait_until="commit")
                    ms = baseline_open_ms(pg)
                    pair["path" if at_path else "open"].append(ms)
                    if not at_path:
                        s_ = rec.attempt("baseline_paired_rerun_s", baseline_rerun_s, pg)
                        if s_ is not None:
                            pair["rerun"].append(s_)

            def app_runs():
                log = tmp / f"st-{kind}.log"
                with contextlib.ExitStack() as stack:
                    srv = stack.enter_context(server(script, {"TQMAP_DB": str(db), "TQMAP_PUBLIC_DEMO": "1"}, log,
                                                     serve=(kind == "ours")))
                    bsrv = None
                    if kind == "ours":  # the empty page's server beside ours, for the paired visits
                        bsrv = rec.attempt("baseline_paired_server", lambda: stack.enter_context(
                            server("bench/baseline_app.py", {"TQMAP_DB": str(db), "TQMAP_PUBLIC_DEMO": "1"},
                                   tmp / "st-baseline-paired.log")))
                    if kind == "ours":  # started as `make run` does: the first visit comes once it is warm
                        warm_s = rec.attempt("app_warm_start", _wait_warm_start, srv, log)
                        if warm_s is not None:
                            a["warm_start"] = [warm_s]
                    rec.attempt(f"app_first_{kind}", visit_first, srv)  # first visit after the start
                    if bsrv is not None:  # its first visit warms it, as the baseline phase's does (not kept)
                        rec.attempt("baseline_paired_warm", visit_paired, bsrv)
                        pair["open"].clear()
                        pair["rerun"].clear()
                    for _ in range(b_runs):
                        if bsrv is not None:
                            rec.attempt("baseline_paired_ms", visit_paired, bsrv)
                        rec.attempt(f"app_visit_{kind}", visit_year, srv)
                        if bsrv is not None:
                            rec.attempt("baseline_paired_ms", visit_paired, bsrv)
                        rec.attempt(f"app_visit_cat_{kind}", visit_cat, srv)
                        if kind == "ours":  # the other map pages, opened directly (fresh context each)
                            if bsrv is not None:
                                rec.attempt("baseline_paired_subpage_ms", visit_paired, bsrv, True)
                            for path, _label in OTHER_PAGES:
                                rec.attempt(f"app_page_{path.split('?')[0]}", visit_page, srv, path)
                    a["hwm"] = vm_hwm_mb(srv.proc.pid)

            rec.attempt(f"app_server_{kind}", app_runs)
            rec.save()
        _row(rows, "baseline_paired_ms", "Empty Streamlit page, opened between the app's visits (same minutes): "
             "open → text shown", "ms", pair["open"], None, "its server up beside ours; the divisor of the app's "
             "ratios below (the baseline phase's rows above: minutes earlier)")
        _row(rows, "baseline_paired_rerun_s", "Empty Streamlit page, between the app's visits: button click → "
             "text changed", "s", pair["rerun"], None)
        _row(rows, "baseline_paired_subpage_ms", f"Empty Streamlit page at a page path ({BASELINE_PATH}), between "
             "the app's visits: open → text shown", "ms", pair["path"], None)
        # the app's ratios: against the paired visits (the baseline phase's when a paired measure failed)
        bo = pair["open"] or base["open"]
        bb = pair["rerun"] or base["rerun"]
        bp = pair["path"] or base["path"]
        b_open_id = "baseline_paired_ms" if pair["open"] else "baseline_empty_ms"
        b_rerun_id = "baseline_paired_rerun_s" if pair["rerun"] else "baseline_rerun_s"
        o, n = app["ours"], app["naive"]
        _row(rows, "app_warm_start_s", "App server warm start (python -m ui.serve: server up → year views, maps, "
             "geometry built)", "s", o.get("warm_start", []), None,
             "the first visit below is made when it is done; naive and live are plain `streamlit run`")
        _row(rows, "app_first_ms", "App Overview, first visit after server start: open → 124 shapes", "ms",
             o["first"], n["first"], baseline=bo, baseline_id=b_open_id)
        _row(rows, "app_draw_ms", "App Overview: open → 124 shapes drawn (goal ≤ 1.5 × baseline)", "ms",
             o["visit"], n["visit"], baseline=bo, baseline_id=b_open_id)
        _row(rows, "app_year_s", f"App: year {YEAR_A} → {YEAR_B} → KPI and map updated (goal ≤ 2.5 × baseline)", "s",
             o["year"], n["year"], "first run has the new year's map uncached on the server",
             baseline=bb, baseline_id=b_rerun_id)
        _row(rows, "app_filter_s", "App: category filter → map updated (goal ≤ 2 × baseline)", "s",
             o["cat"], n["cat"], "ours fades non-matching communes; naive drops them",
             baseline=bb, baseline_id=b_rerun_id)
        _row(rows, "app_filter_settled_s", "App: category filter → the change's run done (page idle again)", "s",
             o["cat_settled"], n["cat_settled"], "ours: the map changed in the browser before this run (it keeps "
             "the choice in the session); naive: the run draws the map", baseline=bb, baseline_id=b_rerun_id)
        _row(rows, "app_change_kb", "App: bytes received per filter change (goal ≤ 20 KB)", "KB",
             o["cat_kb"], n["cat_kb"], "CDP: websocket frames + HTTP bodies, click → idle")
        _row(rows, "app_year_kb", "App: bytes received per year change", "KB", o["year_kb"], n["year_kb"])
        for path, label in OTHER_PAGES:
            _row(rows, f"app_page_{path.split('?')[0]}_ms", f"App {label}: open → 124 shapes drawn (goal ≤ 2 × baseline)",
                 "ms", pages[path], None, "page opened directly, fresh browser context", baseline=bo,
                 baseline_id=b_open_id, at_path=bp)
        _row(rows, "app_peak_rss_mb", "App server peak memory (VmHWM) over the browser runs", "MB",
             [o["hwm"]] if o["hwm"] else [], [n["hwm"]] if n["hwm"] else [])
        _row(rows, "ext_requests_app", "External requests, app", "count", [max(o["ext"])] if o["ext"] else [],
             [max(n["ext"])] if n["ext"] else [])
        lv = app["live"]
        _row(rows, "live_first_ms", "Persistent map, first visit after server start: open → 124 shapes", "ms",
             lv["first"], n["first"], baseline=base["open"], baseline_id="baseline_empty_ms")
        _row(rows, "live_draw_ms", "Persistent map (bench/live_app.py): open → 124 shapes drawn", "ms",
             lv["visit"], n["visit"], "livemap component, same overview view, on a bare page (the app's pages use it too)",
             baseline=base["open"], baseline_id="baseline_empty_ms")
        _row(rows, "live_year_s", "Persistent map: year change → KPI and map updated", "s", lv["year"], n["year"],
             baseline=base["rerun"], baseline_id="baseline_rerun_s")
        _row(rows, "live_filter_s", "Persistent map: category filter → map updated", "s", lv["cat"], n["cat"],
             baseline=base["rerun"], baseline_id="baseline_rerun_s")
        _row(rows, "live_change_kb", "Persistent map: bytes received per filter change (goal ≤ 20 KB)", "KB",
             lv["cat_kb"], n["cat_kb"])
        _row(rows, "live_year_kb", "Persistent map: bytes received per year change", "KB", lv["year_kb"], n["year_kb"])
        result["reruns_while_picking"] = {"ours": o["runs"], "naive": n["runs"], "live": lv["runs"],
                                          "note": "script runs Streamlit started while the option list was open, "
                                                  "before Enter (a rerun there re-renders the option list)"}
        rec.save()

        # 4. growth
        rec.attempt("growth", growth_curve, br, tmp, env, ((UNITS, 1.0),) + tuple(_growth_spec(growth)), b_runs,
                    runs=1 if quick else 2, real_html=html["ours"], real_cold=cold["ours"], real_warm=warm["ours"],
                    out_list=result["growth"], rec=rec)
    finally:
        br.close()
    result["load_at_end"] = _loadavg()
    rec.save()
    return {k: v for k, v in result.items() if not k.startswith("_")}


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _data_build_skip_s(env: dict) -> float:
    """``python -m geo data`` on the already built default GeoPackage (the stamp says: nothing to do)."""
    t0 = time.perf_counter()
    r = subprocess.run([_python(), "-m", "geo", "data"], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"python -m geo data failed: {r.stderr[-2000:]}")
    return time.perf_counter() - t0


def _growth_spec(growth) -> list[tuple[int, float]]:
    """(units, edge scale) pairs; a bare int means scale 1."""
    return [(g, 1.0) if isinstance(g, int) else (int(g[0]), float(g[1])) for g in growth]


def _real_geometry_build() -> dict:
    """The real data's web steps (simplify_for_web + round_coverage) on the full 124 units."""
    import shapely

    from .. import boundaries, build

    full = boundaries.communes(web=False).to_crs(build.UTM).geometry.values
    t0 = time.perf_counter()
    px_m = build.metres_per_pixel(shapely.coverage_union_all(full).bounds)
    web_m, tol, _ = build.simplify_for_web(full, px_m)
    web = build.round_coverage(build._to(build.UTM, "EPSG:4326")(web_m))
    return {"seconds_build": time.perf_counter() - t0, "vertices_full": int(shapely.get_num_coordinates(full).sum()),
            "vertices_web": int(shapely.get_num_coordinates(web).sum()), "tolerance_m": tol}


def growth_curve(br: Browser, tmp: Path, env: dict, sizes, b_runs: int, runs: int,
                 real_html: Path, real_cold: list[float], real_warm: list[float], out_list: list | None = None,
                 rec: _Run | None = None) -> list[dict]:
    from . import synthetic

    out = out_list if out_list is not None else []
    for n, scale in sizes:
        _log(f"growth: {n} units, edge scale {scale}")

        def one(n=n, scale=scale):
            if n == UNITS and scale == 1.0:
                g = _real_geometry_build()
                row = {"units": n, "kind": "real", "edge_scale": 1.0, **g, "seconds_generate": None,
                       "notes": ["geometry build re-run on the stored full layer (already cleaned and rounded), "
                                 "so its tolerance and vertex count can differ from the data build's"]}
                html, cold, warm = real_html, real_cold, real_warm
            else:
                gpkg = tmp / f"syn_{n}_{scale}.gpkg"
                rep = synthetic.write_gpkg(gpkg, n, scale=scale)
                row = {"units": n, "kind": "synthetic" if scale == 1.0 else "synthetic-real-density",
                       "edge_scale": scale, "seconds_build": rep.seconds_build,
                       "seconds_generate": rep.seconds_generate, "vertices_full": rep.vertices_full,
                       "vertices_web": rep.vertices_web, "tolerance_m": rep.tolerance_m, "notes": rep.notes}
                html = tmp / f"syn_{n}_{scale}.html"
                cold, warm = [], []
                for _ in range(runs):
                    w = run_worker(f"synthetic:{gpkg}", html, env)
                    cold.append(w["cold_s"])
                    warm.append(w["warm_s"])
            row["web_vertices_per_unit"] = row["vertices_web"] / n
            data = html.read_bytes()
            draws = [draw_file(br, html, naive=False, expect=n)[0] for _ in range(b_runs)]
            row.update({"export_cold_s": stats(cold), "export_warm_s": stats(warm), "html_kb": len(data) / 1024,
                        "html_gzip_kb": len(gzip.compress(data, 6)) / 1024, "draw_ms": stats(draws)})
            return row

        row = rec.attempt(f"growth_{n}_{scale}", one) if rec else one()
        if row:
            out.append(row)
        if rec:
            rec.save()
    return out


# --- printing ----------------------------------------------------------------------------------


def _fmt(v, unit: str) -> str:
    if v is None:
        return "–"
    if unit == "count":
        return f"{v:.0f}"
    if unit == "ms":
        return f"{v:,.0f}"
    if unit in ("KB", "MB"):
        return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"
    return f"{v:.2f}" if v < 100 else f"{v:,.0f}"


def _cell(s: dict | None, unit: str) -> str:
    if not s or s["median"] is None:
        return "–"
    if s["n"] <= 1 or s["min"] == s["max"]:
        return _fmt(s["median"], unit)
    return f"{_fmt(s['median'], unit)} ({_fmt(s['min'], unit)}–{_fmt(s['max'], unit)})"


def _ratio(v) -> str:
    return "–" if v is None else (f"{v:.3f}" if v < 0.1 else f"{v:.2f}")


def table_lines(result: dict) -> list[str]:
    """Markdown tables: the side-by-side rows (ours/naive and ours/empty-Streamlit-baseline), the
    growth curve, and any failed measure."""
    lines = ["| Measure | Unit | Ours: median (min–max) | Naive: median (min–max) | Ours/naive "
             "| Baseline (empty Streamlit) | Ours/baseline |",
             "|---|---|---|---|---|---|---|"]
    for r in result["rows"]:
        base = r.get("baseline")
        rb = _ratio(r.get("ratio_baseline"))
        if r.get("ratio_baseline_path") is not None:
            rb += f" ({_ratio(r['ratio_baseline_path'])} against the empty page opened at a page path)"
        lines.append(f"| {r['label']} | {r['unit']} | {_cell(r['ours'], r['unit'])} | {_cell(r['naive'], r['unit'])} "
                     f"| {_ratio(r['ratio'])} | {_cell(base, r['unit']) if base else '–'} | {rb} |")
    if result.get("growth"):
        lines += ["", "| Units | Web vertices per unit | Vertices raw → web | Geometry build (simplify + round) s "
                      "| Export cold / warm s | HTML KB (gzip) | Draw in Chromium ms |",
                  "|---|---|---|---|---|---|---|"]
        for g in result["growth"]:
            kind = {"real": " (real)", "synthetic-real-density": f" (edges ×{g.get('edge_scale', 1):g})"}.get(g["kind"], "")
            lines.append(
                f"| {g['units']:,}{kind} | {g['vertices_web'] / g['units']:.0f} | {g['vertices_full']:,} → "
                f"{g['vertices_web']:,} | {g['seconds_build']:.2f} | {_cell(g['export_cold_s'], 's')} / "
                f"{_cell(g['export_warm_s'], 's')} | {g['html_kb']:,.0f} ({g['html_gzip_kb']:,.0f}) | "
                f"{_cell(g['draw_ms'], 'ms')} |")
    if result.get("failures"):
        lines += ["", "Failed measures (the run kept every other figure):"]
        lines += [f"- {f['id']}: {f['error'][:300]}" for f in result["failures"]]
    return lines


def header_lines(result: dict) -> list[str]:
    m = result["machine"]
    return [f"Run {result['date']} on {m['cpu_model']} ({m['cores']} cores, {m['ram_gb']} GB RAM), "
            f"Python {m['python']}, {m['chromium'] or 'chromium'}; folium {m['packages'].get('folium')}, "
            f"streamlit {m['packages'].get('streamlit')}, streamlit-folium {m['packages'].get('streamlit-folium')}; "
            f"runs: {result['runs']['cheap']} (Python), {result['runs']['browser']} (browser), "
            f"{result['runs']['data_build']} (data build); total {result.get('seconds_total', 0):.0f} s; "
            f"load average at start {result.get('load_at_start')}, at end {result.get('load_at_end')}."]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quick", action="store_true", help="1 lần chạy, lưới tổng hợp nhỏ (200 đơn vị): kiểm tra nhanh")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="tệp JSON kết quả (mặc định bench-results/bench.json)")
    p.add_argument("--runs", type=int, default=5, help="số lần đo cho các phép đo rẻ (trình duyệt: tối đa 3)")


def main(args) -> int:
    result = run(quick=args.quick, runs=args.runs, out=args.out)
    print("\n".join(header_lines(result)))
    print()
    print("\n".join(table_lines(result)))
    print()
    for note in result["notes"]:
        print(f"- {note}")
    print(f"\nĐã ghi {args.out}")
    return 0
