"""The app's pages: one table of (url path, title, icon, section, role), and ``page(name)``.

Every page is a module ``pages/<name>.py`` with a function ``render()``; it is registered with
``st.Page(callable, url_path=name)``. The module is imported only when its page runs (so the
login screen loads none of them). Pages link to each other with ``st.page_link(nav.page("ho_so_xa"),
…)`` and ``st.switch_page(nav.page(...), query_params=...)``: Streamlit identifies a page by its
url path, so a StreamlitPage made here is the same page as the one ``st.navigation`` registered.

The overview is the default page, served at ``/`` (its own url path ``trang_chu`` never shows);
``/tong_quan`` is a hidden page that forwards to ``/`` with the same query parameters (Streamlit
gives the default page no url path, so a link to /tong_quan would otherwise be "Page not found").
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import streamlit as st

from ui import common

HOME = "tong_quan"
HOME_PATH = "trang_chu"  # the overview's own url path: it is the default page, served at "/"


@dataclass(frozen=True)
class PageSpec:
    name: str  # module pages/<name>.py and url path /<name>
    title_key: str  # geo.i18n key
    icon: str
    section: str  # "maps" | "data"
    action: str | None = None  # geo.auth action the page needs (None: every logged-in user)
    # the key of the page's persistent map (ui/mapview.show): the server's page hint has the
    # browser fetch that map's files while Streamlit's page starts (ui/hints.py)
    map: str | None = None


PAGES: tuple[PageSpec, ...] = (
    PageSpec("tong_quan", "nav.overview", ":material/map:", "maps", map="overview"),
    PageSpec("tuyen", "nav.routes", ":material/route:", "maps", map="route"),
    PageSpec("xa_trong_diem", "nav.key", ":material/warning:", "maps", map="key"),
    PageSpec("ho_so_xa", "nav.profile", ":material/description:", "maps", map="profile"),
    PageSpec("tien_do", "nav.progress", ":material/trending_up:", "maps", map="change"),
    PageSpec("trinh_chieu", "nav.present", ":material/slideshow:", "maps"),
    PageSpec("tuong", "wall.nav", ":material/tv:", "maps"),  # look: the wall view (pages/tuong.py)
    PageSpec("nguon_du_lieu", "nav.sources", ":material/info:", "data"),
    PageSpec("nhap_du_lieu", "nav.import", ":material/upload_file:", "data", action="import"),
    PageSpec("lich_su", "nav.revisions", ":material/history:", "data", action="import"),
    PageSpec("quan_tri", "nav.admin", ":material/admin_panel_settings:", "data", action="manage_users"),
)
BY_NAME = {p.name: p for p in PAGES}


def _runner(name: str, instead=None):
    """The page's callable: imports pages/<name>.py when the page runs and calls its render()
    (or calls ``instead()``)."""

    def run() -> None:
        if instead is not None:
            instead()
        else:
            importlib.import_module(f"pages.{name}").render()

    run.__name__ = run.__qualname__ = name
    return run


def _forward_home() -> None:
    """/tong_quan (old links, bookmarks): the overview at /, with the same query parameters."""
    st.switch_page(page(HOME), query_params=st.query_params.to_dict())


def _path(name: str) -> str:
    return HOME_PATH if name == HOME else name


def page(name: str, *, visible: bool = True, default: bool = False, run=None) -> st.Page:
    """The StreamlitPage of ``name`` (a key of BY_NAME). Streamlit identifies a page by its url
    path, so the object made here for a link is the page st.navigation registered. ``run``:
    what the page shows instead of its own render() (the login screen)."""
    spec = BY_NAME[name]
    kw = {"default": True} if default else {"visibility": "visible" if visible else "hidden"}
    return st.Page(_runner(name, run), title=common.t(spec.title_key), icon=spec.icon, url_path=_path(name), **kw)


def listed(user) -> list[str]:
    """The pages the navigation menu lists for ``user`` (None: the login screen lists none)."""
    return [p.name for p in PAGES if user is not None and (p.action is None or user.can(p.action))]


def sections(user=None, start: str = HOME, run=None) -> dict[str, list]:
    """The navigation for ``user``: every page is registered (a deep link always resolves), the
    pages the user's role may not open are hidden from the menu and refuse on their own
    (ui.auth.require_role). ``user=None`` (login screen): nothing listed. ``start``: the page at
    "/" (the overview; tests open another page this way). ``run``: what every page shows instead
    of itself (the login form, drawn as the page the URL names: see ui/router.py)."""
    maps, data = common.t("nav.section.maps"), common.t("nav.section.data")
    out: dict[str, list] = {maps: [], data: []}
    shown = set(listed(user))
    for spec in PAGES:
        out[maps if spec.section == "maps" else data].append(
            page(spec.name, visible=spec.name in shown, default=spec.name == start, run=run))
    out[maps].append(st.Page(_forward_home if run is None else _runner(HOME, run), title=common.t(BY_NAME[HOME].title_key), url_path=HOME,
                             visibility="hidden"))
    return out
