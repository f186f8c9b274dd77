"""Opening a page of the app in streamlit.testing's AppTest.

Pages are functions registered with ``st.Page(callable)`` (ui/nav.py); AppTest.switch_page only
knows file pages, so a test opens the page it wants as the app's start page: the same router, the
same login gate, that page served at "/"."""

from __future__ import annotations

import json

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


def cached_html_parts(at) -> list[str]:
    """The HTML parts the page sent through livemap.cached_html (page CSS, KPI strip, legend): each
    part travels once per session, so a later run holds only its hash."""
    out = []

    def walk(node):
        for c in (getattr(node, "children", None) or {}).values():
            if getattr(c, "type", "") == "bidi_component" and c.proto.component_name == "tq_cached_html":
                out.extend(p["html"] for p in json.loads(c.proto.bytes.decode("utf-8")) if p["html"])
            walk(c)

    walk(at._tree)
    return out
