"""Start the app's Streamlit server with a warm start (``make run``, deploy/ units, the benchmark):

    python -m ui.serve [streamlit run options …]      # = streamlit run ui/asgi.py [options], warmed

Streamlit runs no code of the app before the first browser session, so a plain ``streamlit run
app.py`` makes the first visitor after a start pay for the imports of the page code, the year
views, the maps' topology and the persistent map's geometry files. This starts the app's server
(Streamlit's own command line, same options, on ui/asgi.py: Streamlit's ASGI app running app.py
with the app's middleware, ui/hints.py) and, beside it in the same process, a thread that
imports the app's modules and runs :func:`geo.maps.warm.warm_now` on the configured store: the
caches it fills (year views, topology, geometry files) are the ones the pages read, keyed by the
store's URL and data version, so the first visit finds them built (or waits on the build already
running instead of starting its own). The app's own call in ``ui.router.main`` then does nothing.
A failed warm-up never stops the server: it is written to the log and the pages build what they
need themselves.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time

APP = "ui/asgi.py"  # Streamlit's ASGI app running app.py, with the app's middleware (ui/hints.py)


def _warm() -> None:
    t0 = time.perf_counter()
    try:
        # the page code (the first run imports it otherwise)
        from ui import nav

        for mod in ("ui.router", *(f"pages.{p.name}" for p in nav.PAGES)):
            importlib.import_module(mod)
        # Streamlit's emoji table (a large regular expression, ~180 ms to compile), which the first
        # st.set_page_config with an emoji icon imports: in the first visitor's run otherwise
        importlib.import_module("streamlit.emojis")
        from geo.config import db_url
        from geo.maps import warm
        from geo.store import open_store

        store = open_store(db_url())
        try:
            report = warm.warm(store, background=False) or {}
        finally:
            getattr(store, "close", lambda: None)()
        _streamlit_once()
        for err in report.get("errors", []):
            print(f"tqmap: warm start failed for {err}", file=sys.stderr, flush=True)
        years = sorted(k for k in report if isinstance(k, int))
        print(f"tqmap: warm start done in {time.perf_counter() - t0:.1f} s (years {years})", file=sys.stderr,
              flush=True)
    except Exception as e:  # noqa: BLE001 - a warm-up never stops the server
        print(f"tqmap: warm start failed (the pages build what they need): {e!r}", file=sys.stderr, flush=True)


def _streamlit_once() -> None:
    """What Streamlit does once per process on the first element a session draws: it checks whether
    it runs in a REPL by walking the whole call stack with ``inspect.stack()`` (~150 ms, measured in
    the first visitor's run). Done here instead, once the runtime exists (so it prints nothing).
    A private function of Streamlit: if it is gone, nothing is done."""
    from streamlit import delta_generator, runtime

    once = getattr(delta_generator, "_maybe_print_use_warning", None)
    if once is not None and runtime.exists():
        once()


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    threading.Thread(target=_warm, name="tq-warm-start", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", APP, *args]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
