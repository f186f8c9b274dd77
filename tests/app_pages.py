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


def component_payloads(at, name: str) -> list:
    """The data (decoded JSON) each of our components named ``name`` (livemap: "tq_cached_html",
    "tq_year", "tq_choice", ...) got in the page's last run, in page order."""
    out = []

    def walk(node):
        for c in (getattr(node, "children", None) or {}).values():
            if getattr(c, "type", "") == "bidi_component" and c.proto.component_name == name:
                out.append(json.loads(c.proto.bytes.decode("utf-8")))
            walk(c)

    walk(at._tree)
    return out


# every part seen by content hash, as a browser tab keeps them (a part travels once per session)
_PARTS: dict[str, str] = {}


def cached_html_parts(at) -> list[str]:
    """The HTML parts the page shows through livemap.cached_html (page CSS, KPI strip, legend) for
    its year. Each part travels once per session (a later run holds only its hash; the other years'
    parts travel ahead as ``var``), so they are looked up by hash in what earlier runs sent, as the
    browser does; the other years' parts are not returned."""
    out = []
    for msg in component_payloads(at, "tq_cached_html"):
        parts = msg["parts"] if isinstance(msg, dict) else msg
        for p in parts + [q for v in (msg.get("var", {}).values() if isinstance(msg, dict) else ()) for q in v]:
            if p["html"]:
                _PARTS[p["h"]] = p["html"]
        out.extend(_PARTS[p["h"]] for p in parts if p["h"] in _PARTS)
    return out


def html_bodies(at) -> list[str]:
    """The bodies of the page's st.html elements (the demo banner, the page's stylesheet)."""
    out = []

    def walk(node):
        for c in (getattr(node, "children", None) or {}).values():
            proto = getattr(c, "proto", None)
            if getattr(c, "type", "") == "html" and proto is not None:
                out.append(proto.body)
            walk(c)

    walk(at._tree)
    return out


def demo_banner(at) -> str:
    """The page's demo banner (common.demo_banner, through livemap.cached_html)."""
    return next(b for b in html_bodies(at) + cached_html_parts(at) if "<div class='tq-demo-banner'" in b)


def gate_app(tmp_path, monkeypatch, script: str, password: str) -> tuple:
    """A fresh SQLite store with one editor ``lan`` (``password``), the environment pointing at it
    (no secrets file, not public-demo) and ``script`` (a small app behind the login gate) written
    next to it: (store path, script path) for ``AppTest.from_file``."""
    import textwrap

    from geo import auth
    from geo.store import open_store

    db = tmp_path / "app.db"
    open_store(db).close()
    monkeypatch.setenv("TQMAP_DB", str(db))
    monkeypatch.setenv("TQMAP_SECRETS", str(tmp_path / "no-secrets.toml"))
    monkeypatch.delenv("TQMAP_PUBLIC_DEMO", raising=False)
    path = tmp_path / "gate.py"
    path.write_text(textwrap.dedent(script), encoding="utf-8")
    auth.add_user(db, "lan", password, "editor", by="test")
    return db, path
