"""Opening a page of the app in streamlit.testing's AppTest.

Pages are functions registered with ``st.Page(callable)`` (ui/nav.py); AppTest.switch_page only
knows file pages, so a test opens the page it wants as the app's start page: the same router, the
same login gate, that page served at "/"."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo.paths import REPO_ROOT

APP = str(REPO_ROOT / "app.py")


def _start(page):
    from ui.router import main

    main(start=page)


def open_page(page: str | None = None, timeout: float = 120) -> AppTest:
    """AppTest of app.py itself (page None) or of the router started on ``page`` (not yet run)."""
    if page is None:
        return AppTest.from_file(APP, default_timeout=timeout)
    return AppTest.from_function(_start, args=(page,), default_timeout=timeout)
