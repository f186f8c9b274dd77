"""Tổng quan: KPI strip, the province map by category, filters, search — one screen, no scroll."""

import streamlit as st

from geo import boundaries
from geo.search import search
from geo.maps import live
from livemap import search_box
from ui import common, layout, mapview, nav


def render() -> None:
    if "xa" in st.query_params:  # a shared deep link /?xa=00694 opens the commune profile
        st.switch_page(nav.page("ho_so_xa"), query_params={"xa": st.query_params["xa"]})

    common.page_setup(layout.MAP_PAGE_STYLE)  # one head element: the app's and the map page's styles
    lang = common.lang()
    year = common.year_selector()
    st.title(common.t("app.title"))

    def strip(y: int) -> list[str]:
        return layout.strip_parts(layout.kpi_items(common.year_view(y).kpis, y, lang))

    # the demo banner and, under it in the same element, the KPI strip (look: one compact line, so
    # the map fills the screen); the other years' too: a pick of the year control shows them at once
    common.demo_banner(year, other_years=common.other_years(year), then=strip)
    _map_panel(year, lang)


CHOSEN = "tq_filter_chosen"  # the filter choice, kept in the session for the page's next visit


def _filters(yv, lang: str) -> None:
    """The map's filters (folded by default), applied in the browser: a tick fades the map at once
    (geo.filters, livemap.filter_panel); the choice comes back as the panel's state and is kept."""
    from geo import filters
    from livemap import filter_panel

    spec = live.app_filter_panel(yv, "overview", lang=lang)
    opts = filters.options(yv.routes, boundaries.former_district_names())
    got = filter_panel(spec, key="tq_filter", map_key="overview",
                       chosen=filters.clean(st.session_state.get(CHOSEN), opts))
    if got is not None:
        st.session_state[CHOSEN] = filters.clean(got, opts)


@st.fragment
def _map_panel(year: int, lang: str) -> None:
    """The map and, beside it, search, filters, legend, downloads (look: the page never scrolls).
    A fragment: a search, a filter or a click on the map reruns only this part of the page; the
    title, banner and figures above stay as they are (they do not depend on them)."""
    yv = common.year_view(year)
    left, right = layout.map_row()
    focus = None
    with right:  # search first: a chosen commune is zoomed to in the same run
        query = search_box(common.t("search.label"), key="q", placeholder=common.t("search.placeholder")).strip()
        if query:
            hits = search(query, common.commune_table())
            if not hits:
                st.info(common.t("search.none", q=query[:60]))
            else:
                focus = st.radio(common.t("search.results"), [h.code for h in hits], key="q_choice",
                                 format_func=lambda c: mapview.hit_label(c, hits, lang))
                st.page_link(nav.page("ho_so_xa"), label=common.t("search.open_profile"), icon=":material/description:",
                             query_params={"xa": focus})
    m = live.app_view(yv, "overview", lang=lang, focus_code=focus)
    # the same map for the other years, made as this one (a year pick shows it at once); not with a
    # searched commune: those maps are made per commune, and the pick's run follows anyway
    other = {} if focus else {y: live.app_view(common.year_view(y), "overview", lang=lang)
                              for y in common.other_years(year)}
    with right:
        _filters(yv, lang)
        layout.side_legend(m, lang, variants=other)
    with left:  # a filter fades the communes it does not keep (in the browser, with these styles)
        # look: the map and the side panel take the window's height left (the map fits itself)
        mapview.show(m, key="overview", fade=live.app_fade(yv, "overview", lang=lang, focus_code=focus),
                     previews=other, fit=layout.page_fit())
    with right:
        mapview.download_row("overview", year, lang)


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
