"""Tổng quan: KPI cards, the province map by category, filters, search."""

import streamlit as st

from geo.i18n import fmt_int, fmt_pct, fmt_points
from geo.model import CATEGORIES, CLASSES
from geo.search import search
from ui import common, mapview, nav


def render() -> None:
    if "xa" in st.query_params:  # a shared deep link /?xa=00694 opens the commune profile
        st.switch_page(nav.page("ho_so_xa"), query_params={"xa": st.query_params["xa"]})

    common.page_setup()
    lang = common.lang()
    year = common.year_selector()
    st.title(common.t("app.title"))
    common.demo_banner(year)

    k = common.kpis(year)
    frame = common.status_frame(year)
    routes = common.routes(year)

    # --- KPI cards ----------------------------------------------------------------------------------
    need = k["needed_for_target"]
    target_sub = ""
    if k["target_pct"] is not None:
        target_sub = common.t("kpi.vs_target", pct=fmt_pct(k["target_pct"], lang), diff=fmt_points(k["diff_points"], lang))
    common.kpi_cards([
        (common.t("kpi.drug_free_of", total=fmt_int(k["total_units"], lang)),
         f"{fmt_int(k['drug_free'], lang)} · {fmt_pct(k['share_pct'], lang)}", target_sub, "free"),
        (common.t("kpi.key"), fmt_int(k["key_count"], lang),
         " · ".join(f"{common.t('kpi.class')} {c}: {k['by_class'][c]}" for c in CLASSES), "key"),
        (common.t("kpi.routes"), fmt_int(k["routes_count"], lang), common.t("kpi.routes_sub"), "route"),
        (common.t("kpi.needed_year", year=year), "–" if need is None else fmt_int(need, lang),
         common.t("kpi.reached") if need == 0 else common.t("kpi.units"), "warn" if need else "free"),
        (common.t("kpi.needed_2030"), fmt_int(k["needed_for_2030"], lang),
         common.t("kpi.goal_2030", n=k["goal_2030_units"]), "warn" if k["needed_for_2030"] else "free"),
    ])

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

    left, right = st.columns([3.3, 1])
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

    m = mapview.overview(frame, routes, year=year, lang=lang, demo=common.is_demo(year), focus_code=focus,
                         highlight_codes=list(selected["code"]) if filtered else None)
    with right:
        mapview.legend(m)
    with left:
        mapview.show(m, key=f"overview_{year}_{lang}")

    mapview.download_row("overview", year, lang)


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
