"""Tổng quan: KPI strip, the province map by category, filters, search — one screen, no scroll."""

import streamlit as st

from geo import boundaries
from geo.model import CATEGORIES, CLASSES
from geo.search import search
from geo.maps import live
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

    k = common.year_view(year).kpis

    # --- KPI strip (look: one compact line, so the map fills the screen) ---------------------------
    layout.compact_kpi_strip(layout.kpi_items(k, year, lang))
    _map_panel(year, lang)


FILTERS = ("f_cat", "f_class", "f_route", "f_prov", "f_dist")


def _kept(key: str, options) -> list:
    """A filter's choice, also in a run that does not draw its widget (the folded expander draws
    nothing): kept under its own name, restored into the widget when it is drawn again."""
    chosen = [v for v in st.session_state.get(f"{key}__kept", []) if v in options]
    if key not in st.session_state and chosen:
        st.session_state[key] = chosen
    return chosen


def _filters(routes, lang: str) -> tuple[list, ...]:
    """The filters (folded by default; unfolded, they are drawn and change only this panel)."""
    opts = {"f_cat": list(CATEGORIES), "f_class": list(CLASSES), "f_route": [r.id for r in routes],
            "f_prov": ["Hà Giang", "Tuyên Quang"], "f_dist": boundaries.former_district_names()}
    kept = {key: _kept(key, opts[key]) for key in FILTERS}
    box = st.expander(common.t("filter.title"), expanded=False, key="f_open", on_change="rerun")
    if not box.open:  # folded: the widgets are not drawn (a page with five lists costs the browser time)
        return tuple(kept[key] for key in FILTERS)
    with box:
        got = (st.multiselect(common.t("filter.category"), opts["f_cat"], key="f_cat",
                              format_func=lambda c: mapview.category_label(c, lang)),
               st.multiselect(common.t("filter.class"), opts["f_class"], key="f_class"),
               st.multiselect(common.t("filter.route"), opts["f_route"], key="f_route",
                              format_func=lambda rid: next((r.name for r in routes if r.id == rid), rid)),
               st.multiselect(common.t("field.old_province"), opts["f_prov"], key="f_prov"),
               st.multiselect(common.t("field.former_districts"), opts["f_dist"], key="f_dist"))
    for key, value in zip(FILTERS, got):
        st.session_state[f"{key}__kept"] = list(value)
    return got


@st.fragment
def _map_panel(year: int, lang: str) -> None:
    """The map and, beside it, search, filters, legend, downloads (look: the page never scrolls).
    A fragment: a search, a filter or a click on the map reruns only this part of the page; the
    title, banner and figures above stay as they are (they do not depend on them)."""
    yv = common.year_view(year)
    frame, routes = yv.frame, list(yv.routes)
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
        note = st.empty()  # what the filters keep, above them (seen while they are folded)
        selected = mapview.apply_filters(frame, *_filters(routes, lang))
        filtered = len(selected) < len(frame)
        if filtered:
            note.caption(common.t("filter.showing", n=len(selected), total=len(frame)))

    m = live.app_view(yv, "overview", lang=lang, focus_code=focus)
    with right:
        layout.side_legend(m, lang)
    with left:  # a filter fades the communes it does not keep: the same map, restyled
        mapview.show(live.app_filtered(yv, "overview", selected["code"], lang=lang, focus_code=focus)
                     if filtered else m, key="overview")
    with right:
        mapview.download_row("overview", year, lang)
        layout.fit_map_page(m)  # look: the map takes the window's height left, the side panel the same


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
