"""Helpers shared by pages: language, year, the store and the year view, the demo banner, escaping.

Data: a page gets a year's data ONLY from :func:`year_view` (``geo.yearview.year_view``: frame,
routes, memberships, KPIs, demo flags), built once per (store, data version, year) and shared by
every session. The store itself is the one Streamlit cache (``st.cache_resource``, one per store
URL per server process). After a write, ``geo.service`` calls ``geo.yearview.invalidate()``; other
server processes see the new data version on their next read.
"""

from __future__ import annotations

import html

import streamlit as st

from geo import boundaries, yearview
from geo.i18n import DEFAULT_LANG, LANGS
from geo.i18n import t as _t
from geo.maps import demo_mark
from geo.model import YEARS, DemoFlags
from geo.store import open_store


def lang() -> str:
    return st.session_state.get("lang", DEFAULT_LANG)


def t(key: str, lang_: str | None = None, **kw) -> str:
    return _t(key, lang_ or lang(), **kw)


def esc(text) -> str:
    return html.escape("" if text is None else str(text))


def language_switch() -> str:
    """Sidebar switch Tiếng Việt / English. The choice lives in a plain session key (widget state
    does not survive a page switch) and ?lang=en in a shared link preselects it."""
    if "lang" not in st.session_state:
        q = st.query_params.get("lang", DEFAULT_LANG)
        st.session_state["lang"] = q if q in LANGS else DEFAULT_LANG

    from livemap import choice

    def _picked(lang_: str) -> None:
        st.session_state["lang"] = lang_

    with st.sidebar:  # our own radio buttons (livemap.choice): fewer scripts on a page's first open
        choice(_t("lang.label", st.session_state["lang"]), [(x, {"vi": "Tiếng Việt", "en": "English"}[x]) for x in LANGS],
               DEFAULT_LANG, key="_lang_widget", on_pick=_picked, value=st.session_state["lang"])
    return st.session_state["lang"]


@st.cache_resource(show_spinner=False)
def _store(url: str):
    return open_store(url)


def store():
    """The store (SQLite by default; TQMAP_DB chooses the file or postgresql://…), one per server process."""
    from geo.config import db_url

    return _store(db_url())


def data_version() -> int:
    return store().data_version()


def year_view(year: int) -> yearview.YearView:
    """Everything a page shows for ``year`` (do not modify ``.frame``: it is shared)."""
    return yearview.year_view(store(), year)


def years_available() -> list[int]:
    have = store().years()
    return [y for y in YEARS if y in have] or [YEARS[0]]


def year_selector(key: str = "year") -> int:
    """Year chosen in the sidebar, kept across pages; ?nam=2026 in the URL preselects it (a bad
    value is reported)."""
    years = years_available()
    if key not in st.session_state:
        raw = st.query_params.get("nam")
        chosen = 2025 if 2025 in years else years[0]
        if raw is not None:
            if raw.isdigit() and int(raw) in years:
                chosen = int(raw)
            else:
                st.session_state["_bad_year"] = raw
        st.session_state[key] = chosen
    if st.session_state[key] not in years:
        st.session_state[key] = years[0]
    bad = st.session_state.pop("_bad_year", None)
    if bad is not None:
        st.sidebar.error(t("err.bad_year", value=esc(bad)[:20], years=", ".join(map(str, years))))

    from livemap import year_select

    def _picked(y: int) -> None:
        st.session_state[key] = y

    # our own control: a pick shows the year at once where the page sent it ahead (other_years)
    with st.sidebar:
        year_select(years, st.session_state[key], key=f"_{key}_widget", label=t("ui.year"), on_pick=_picked)
    return st.session_state[key]


def other_years(year: int) -> list[int]:
    """The years the year control offers besides ``year``: a page sends what it shows for them
    ahead (livemap ``previews``/``variants``), so that a pick shows at once."""
    return [y for y in years_available() if y != year]


def demo_flags(year: int | None = None) -> DemoFlags:
    """Which parts of what a page shows for ``year`` are illustrative (None: anything stored)."""
    if year is None:
        return store().demo_flags(None)
    return year_view(year).demo


def demo_text(flags: DemoFlags, lang_: str | None = None) -> str:
    """One sentence saying, item by item, what is illustrative (geo.maps.demo_mark.demo_text)."""
    return demo_mark.demo_text(flags, lang_ or lang()) or ""


def demo_suffix(flags: DemoFlags) -> str:
    """A download's file-name suffix: ``_minh-hoa`` when the statuses are illustrative (else the
    illustrative items, e.g. ``_tuyen-minh-hoa``; nothing for real data): geo.maps.demo_mark."""
    return demo_mark.demo_suffix(flags)


def _banner_parts(flags: DemoFlags) -> list[str]:
    if not flags:
        return []
    return [f"<div class='tq-demo-banner' role='alert'><b>{esc(t('demo.mark'))}</b> — "
            f"{esc(demo_text(flags))}</div>"]


def demo_banner(year: int | None = None, flags: DemoFlags | None = None, *, other_years: list[int] = (),
                then=None) -> None:
    """The unmistakable illustrative-data mark, on every page that shows demo content, saying what
    is illustrative (a real year with demo routes says exactly that). ``other_years``: the page
    shows those years at once when one is picked (the Overview, :func:`other_years`): their banner
    (or none, for a year without illustrative data) travels ahead too, made by the same code.
    ``then``: a function of the year giving the HTML parts shown right under the banner in the
    same element (the page's figures: ui.layout.strip_parts), for ``year`` and each of
    ``other_years``: one element fewer on the page (see :func:`page_setup`)."""
    flags = demo_flags(year) if flags is None else flags

    def parts_of(y, f):
        return _banner_parts(f) + (list(then(y)) if then is not None else [])

    parts = parts_of(year, flags)
    variants = {y: parts_of(y, demo_flags(y)) for y in other_years}
    if parts or any(variants.values()):
        from livemap import cached_html

        # through our component, not st.html: one kind of Streamlit element fewer on a first open
        cached_html(parts, key="tq_demo_banner", variants=variants or None)


CSS = """
<style>
.tq-demo-banner {background:#fff3e0;border:2px solid #b71c1c;color:#7f0000;padding:.45rem .8rem;border-radius:4px;
          margin:.2rem 0 .8rem 0;font-size:1.0rem}
.tq-demo-banner b {color:#b71c1c;letter-spacing:.04em}
.tq-public {display:flex;gap:.6rem;align-items:flex-start;background:#fffce7;color:#7a5a04;border-radius:.5rem;
          padding:.75rem 1rem;margin:0 0 .2rem 0;font-size:1rem;line-height:1.5}
.tq-public svg {flex:0 0 auto;margin-top:.1rem}
div[data-testid="stMetricValue"] {font-variant-numeric:tabular-nums}
.tq-legend-side {background:#fafafa;border:1px solid #ccc;border-radius:4px;padding:10px 12px;max-width:none!important}
.tq-kpis {display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:.7rem;margin:.2rem 0 1rem}
.tq-kpi {border:1px solid #d0d7d2;border-left:6px solid #1b5e20;border-radius:4px;padding:.55rem .8rem;background:#fbfcfb}
.tq-kpi .l {font-size:.92rem;color:#333}
.tq-kpi .v {font-size:2.1rem;font-weight:700;line-height:1.15;font-variant-numeric:tabular-nums;color:#111}
.tq-kpi .s {font-size:.9rem;color:#444}
.tq-kpi.warn {border-left-color:#c62828}
.tq-kpi.key {border-left-color:#ef6c00}
.tq-kpi.route {border-left-color:#0d47a1}
</style>
"""


def plain_text(text, label: str | None = None, *, small: bool = False) -> None:
    """Stored text (a commune's note, a route's description) shown as plain text: no Markdown and
    no HTML is interpreted, so no link, image or tag can form (st.html with every character
    escaped; Markdown would still turn a bare URL into a link)."""
    from geo.escape import html_text

    head = f"<b>{html_text(label)}:</b> " if label else ""
    style = "font-size:.875rem;color:rgba(49,51,63,.75)" if small else ""
    st.html(f"<div class='tq-plain' style='white-space:pre-wrap;{style}'>{head}{html_text(text)}</div>")


def kpi_cards(cards: list[tuple[str, str, str, str]]) -> None:
    """Big KPI cards: (label, value, subtitle, kind) — every text escaped; kind is a CSS class."""
    html_ = "".join(f"<div class='tq-kpi {esc(kind)}' data-kpi='{esc(kind)}'><div class='l'>{esc(label)}</div>"
                    f"<div class='v'>{esc(value)}</div><div class='s'>{esc(sub)}</div></div>"
                    for label, value, sub, kind in cards)
    st.markdown(f"<div class='tq-kpis'>{html_}</div>", unsafe_allow_html=True)


def page_setup(*styles: str) -> None:
    """First call of every page: the page's head, ONE element (the login gate ran before, in
    ui.router): the app's stylesheet, the page's own ``styles`` (``<style>`` blocks: a map page's,
    ui.layout.MAP_PAGE_STYLE) and, in the public demo, its notice (:func:`public_notice_html`).
    Through our component (each part sent once per session), not st.html: Streamlit's HTML
    element brings its own scripts (and a sanitizer) to a page's first open, and each element of
    a page is rendering work for the browser on every open. The presentation mode places the
    notice on its top strip (pages/trinh_chieu.PRESENT_CSS, ``.tq-public``)."""
    from livemap import cached_html

    parts = [CSS.strip(), *styles]
    if getattr(current_user(), "source", None) == "demo":
        parts.append(public_notice_html())
    cached_html(parts, key="tq_app_css")


# A globe (the public demo's mark), drawn inline: no icon font or file is asked for.
_GLOBE = ('<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" fill="none" '
          'stroke="currentColor" stroke-width="1.8"><circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c2.6 2.5 '
          '3.9 5.5 3.9 9s-1.3 6.5-3.9 9M12 3c-2.6 2.5-3.9 5.5-3.9 9s1.3 6.5 3.9 9"/></svg>')


def public_notice_html(lang_: str | None = None) -> str:
    """The public demo's notice (no login, illustrative data only), shown at the head of every
    page of a public-demo server (its text escaped; ``role=note``: it is there from the start)."""
    return (f"<div class='tq-public' role='note'>{_GLOBE}<span>{esc(t('auth.demo_notice', lang_))}</span></div>")


def commune_table():
    """The 124 units' attributes (no geometry; geo.boundaries keeps the file read per file version)."""
    return boundaries.commune_table()


def config():
    """Runtime configuration (environment and .streamlit/secrets.toml)."""
    from geo.config import load_config

    return load_config()


def current_user():
    """The logged-in user (set by ui.auth), or None."""
    return st.session_state.get("tq_user")


def user_name() -> str:
    u = current_user()
    return getattr(u, "name", None) or "khách"


def cached(key: tuple, fn):
    """``fn()`` remembered in this browser session for the current data version (the last four
    results). Not shared between sessions; for heavy per-session results such as a slide deck."""
    memo = st.session_state.setdefault("_tq_memo", {})
    k = (key, data_version())
    if k not in memo:
        while len(memo) >= 4:
            memo.pop(next(iter(memo)))
        memo[k] = fn()
    return memo[k]


def clear_data_caches() -> None:
    """Kept for pages/nhap_du_lieu.py until its writes go through geo.service (which does this)."""
    yearview.invalidate()


def decision_text(rec: dict, lang_: str | None = None) -> str:
    """"35/QĐ-UBND, 04/02/2026" for a recognised commune, else ""."""
    from geo.i18n import fmt_date

    if not rec.get("drug_free"):
        return ""
    no = rec.get("decision_no") or ""
    d = rec.get("decision_date")
    return ", ".join(x for x in (no, fmt_date(d, lang_ or lang()) if d else "") if x)
