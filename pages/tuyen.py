"""Tuyến trọng điểm: each route's corridor, the communes it crosses and their status."""

import pandas as pd
import streamlit as st

from geo import status
from geo.i18n import fmt_class_counts, fmt_int, fmt_num, fmt_pop
from geo.maps import live
from ui import common, layout, mapview


def render() -> None:
    common.page_setup(layout.MAP_PAGE_STYLE)  # one head element: the app's and the map page's styles
    lang = common.lang()
    year = common.year_selector()
    st.title(common.t("routes.title"))
    common.demo_banner(year)

    yv = common.year_view(year)
    routes = list(yv.routes)
    if not routes:
        st.info(common.t("routes.none", year=year))
        st.stop()

    ids = [r.id for r in routes]
    wanted = st.query_params.get("tuyen")
    if wanted is not None and wanted not in ids:
        st.error(common.t("err.bad_route", value=common.esc(wanted)[:40], ids=", ".join(ids)))
    summary = status.route_summary(common.store(), year)
    # the route's own figures as one compact strip (look): drawn after the choice, above the map row
    strip = st.empty()
    left, right = layout.map_row(wide=True)
    with right:
        rid = st.selectbox(common.t("routes.choose"), ids, index=ids.index(wanted) if wanted in ids else 0,
                           format_func=lambda i: next(r.name for r in routes if r.id == i), key="route_choice")
    st.query_params["tuyen"] = rid
    route = next(r for r in routes if r.id == rid)

    row = summary.set_index("id").loc[rid]
    # The class breakdown is plain text under the figure (never a metric delta: a delta draws an "↑").
    by_class = fmt_class_counts({k: int(row[f"class_{k}"]) for k in ("I", "II", "III")}, lang)
    with strip.container():
        layout.compact_kpi_strip([
            (common.t("routes.length"), f"{fmt_num(row['length_km'], 1, lang)} km",
             f"{common.t('routes.width')} ± {fmt_num(route.half_width_km, 1, lang)} km", "route"),
            (common.t("routes.communes"), fmt_int(row["communes"], lang), "", "route"),
            (common.t("kpi.key"), fmt_int(row["key"], lang), by_class, "key"),
            (common.t("kpi.drug_free"), fmt_int(row["drug_free"], lang), "", "free"),
            (common.t("field.population"), fmt_pop(row["population"], lang), "", "route")])

    frame = yv.frame
    m = live.app_view(yv, f"route:{rid}", lang=lang)
    with left:
        mapview.show(m, key="route", fit=layout.page_fit(fold_legend=True))

    on = frame[[rid in (rs or []) for rs in frame["routes"]]]
    with right:
        if route.description:  # plain text: no Markdown link, image or HTML from the route's description
            common.plain_text(route.description, small=True)
        name, cat = common.t("field.name"), common.t("field.category")
        table = pd.DataFrame({
            name: on["name"],
            cat: [mapview.category_label(c, lang) for c in on["category"]],
        })  # two columns that fit beside the map; the population is in the strip above
        with st.container(key="tq_grow"):
            layout.table(table, key="tq_route_table", lang=lang, label=route.name or rid)
        with st.popover(common.t("routes.all"), width="stretch"):
            layout.table(summary.rename(columns={"id": "ID", "name": common.t("field.name")}), key="tq_routes_all",
                         lang=lang, label=common.t("routes.all"))
        layout.side_legend(m, lang)
        mapview.download_row(f"route:{rid}", year, lang)


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
