"""Warm start: build, in the background, what the pages will ask for, so a first visit (or the
first year change) after a server start does not pay for it.

    from geo.maps import warm
    warm.warm(store)            # returns at once; a daemon thread does the work, once per data version

What it builds, per year (the default year first): the year view (:func:`geo.yearview.year_view`,
cached per store, data version and year), the overview and key-commune maps, their shared-edge
topology (kept in memory and on disk, so a restart reads it back instead of recomputing it) and
the persistent map's geometry files (``static/vendor/tq-geo``), the Overview's filter panel and
faded styles. Leaflet's files are copied to
``static/vendor/leaflet`` first. Errors are kept in :data:`LAST` (never raised into a page).

Streamlit runs no code before the first browser session, so the app calls this at the top of its
first run; the page being shown builds its own year view in the meantime (the two do not
duplicate work: the year view and topology caches are shared and locked).
"""

from __future__ import annotations

import threading
import time

_LOCK = threading.Lock()
_DONE: set[tuple[str, int]] = set()
LAST: dict = {}


def _years(store, years) -> list[int]:
    if years is not None:
        return list(years)
    have = sorted(store.years())
    first = 2025 if 2025 in have else (have[-1] if have else None)
    return ([first] if first is not None else []) + [y for y in have if y != first]


def warm_now(store, years=None, *, lang: str = "vi") -> dict:
    """Do the work in this thread; returns a report {year: seconds, "errors": [...]}."""
    from .. import yearview
    from . import assets, live, views

    report: dict = {"errors": []}
    try:
        assets.install_static()
    except OSError as e:
        report["errors"].append(f"static: {e}")
    for i, year in enumerate(_years(store, years)):
        t0 = time.perf_counter()
        try:
            yv = yearview.year_view(store, year)
            for view in ("overview", "key"):
                # topology + encodings (their caches serve the exports), on a map of its own: the
                # shared one below is never rendered (a render changes a folium tree while a page reads it)
                views.view_map(yv, view, lang=lang).map.get_root().render()
                lm = live.split(live.app_view(yv, view, lang=lang))
                lm.data()  # the page's map and its files
                if i == 0:  # the year a page opens with: the page hint's files for the first visit
                    live.note_shown(view, lm, if_new=True)  # (these two pages' maps have the view's name)
            # the Overview's filter panel (its lists per value) and the faded styles it applies
            live.app_filter_panel(yv, "overview", lang=lang)
            live.app_fade(yv, "overview", lang=lang)
        except Exception as e:  # noqa: BLE001 - a warm-up never breaks a page
            report["errors"].append(f"{year}: {e!r}")
        report[year] = round(time.perf_counter() - t0, 3)
    return report


def warm(store, years=None, *, lang: str = "vi", background: bool = True):
    """Start the warm-up once per (store, data version); return the thread (or the report when
    ``background=False``), None when already done or running."""
    key = (getattr(store, "url", str(id(store))), int(store.data_version()))
    with _LOCK:
        if key in _DONE:
            return None
        _DONE.add(key)

    def work():
        LAST.clear()
        LAST.update(warm_now(store, years, lang=lang))

    if not background:
        work()
        return dict(LAST)
    th = threading.Thread(target=work, name="tq-warm", daemon=True)
    th.start()
    return th
