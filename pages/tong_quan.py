"""Tổng quan: KPI strip, the province map by category, filters, search — one screen, no scroll."""

import streamlit as st

from geo.model import CATEGORIES, CLASSES
from geo.search import search
from geo.maps import views
from ui import common, layout, mapview, nav


def render() -> None:
    if "xa" in st.query_params:  # a shared deep link /?xa=00694 opens the commune profile
        st.switch_page(nav.page("ho_so_xa"), query_params={"xa": st.query_params["xa"]})

    common.page_setup()
    layout.map_page_css()
    lang = common.lang()
    year = common.year_selector()
    st.title(common.t("app.title"))
    common.demo_banner(year)

    yv = common.year_view(year)
    k, frame, routes = yv.kpis, yv.frame, list(yv.routes)

    # --- KPI strip (look: one compact line, so the map fills the screen) ---------------------------
    layout.compact_kpi_strip(layout.kpi_items(k, year, lang))

    # --- filters and search ------------------------------------------------------------------------
    with st.sidebar.expander(common.t("filter.title"), expanded=False):
        f_cat = st.multiselect(common.t("filter.category"), CATEGORIES, key="f_cat",
                               format_func=lambda c: mapview.category_label(c, lang))
        f_class = st.multiselect(common.t("filter.class"), CLASSES, key="f_class")
        f_route = st.multiselect(common.t("filter.route"), [r.id for r in routes], key="f_route",
                                 format_func=lambda rid: next((r.name for r in routes if r.id == rid), rid))
        f_prov = st.multiselect(common.t("field.old_province"), ["Hà Giang", "Tuyên Quang"], key="f_prov")
        f_dist = st.multiselect(common.t("field.former_districts"), mapview.former_district_names(), key="f_dist")

    selected = mapview.apply_filters(frame, f_cat, f_class, f_route, f_prov, f_dist)
    filtered = len(selected) < len(frame)

    # --- the map and, beside it, search, legend, downloads (look: the page never scrolls) ----------
    left, right = layout.map_row()
    focus = None
    with right:  # search first: a chosen commune is zoomed to in the same run
        query = st.text_input(common.t("search.label"), key="q", placeholder=common.t("search.placeholder"))
        if query:
            hits = search(query, common.commune_table())
            if not hits:
                st.info(common.t("search.none", q=query[:60]))
            else:
                focus = st.radio(common.t("search.results"), [h.code for h in hits], key="q_choice",
                                 format_func=lambda c: mapview.hit_label(c, hits, lang))
                st.page_link(nav.page("ho_so_xa"), label=common.t("search.open_profile"), icon=":material/description:",
                             query_params={"xa": focus})
        if filtered:
            st.caption(common.t("filter.showing", n=len(selected), total=len(frame)))

    m = views.view_map(yv, "overview", lang=lang, focus_code=focus,
                       highlight_codes=list(selected["code"]) if filtered else None)
    with right:
        layout.side_legend(m, lang)
    with left:
        mapview.show(m, key="overview")
    with right:
        mapview.download_row("overview", year, lang)
        layout.fit_map_page(m)  # look: the map takes the window's height left, the side panel the same


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
