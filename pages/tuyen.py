"""Tuyến trọng điểm: each route's corridor, the communes it crosses and their status."""

import pandas as pd
import streamlit as st

from geo import status
from geo.i18n import fmt_class_counts, fmt_int, fmt_num, fmt_pop
from geo.maps import views
from ui import common, mapview


def render() -> None:
    common.page_setup()
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
    rid = st.selectbox(common.t("routes.choose"), ids, index=ids.index(wanted) if wanted in ids else 0,
                       format_func=lambda i: next(r.name for r in routes if r.id == i), key="route_choice")
    st.query_params["tuyen"] = rid
    route = next(r for r in routes if r.id == rid)

    summary = status.route_summary(common.store(), year)
    row = summary.set_index("id").loc[rid]
    c = st.columns(6)
    c[0].metric(common.t("routes.length"), f"{fmt_num(row['length_km'], 1, lang)} km")
    c[1].metric(common.t("routes.width"), f"± {fmt_num(route.half_width_km, 1, lang)} km")
    c[2].metric(common.t("routes.communes"), fmt_int(row["communes"], lang))
    # The class breakdown is a caption (plain text), not a metric delta: a delta draws an "↑".
    by_class = fmt_class_counts({k: int(row[f"class_{k}"]) for k in ("I", "II", "III")}, lang)
    c[3].metric(common.t("kpi.key"), fmt_int(row["key"], lang), help=by_class)
    c[3].caption(by_class)
    c[4].metric(common.t("kpi.drug_free"), fmt_int(row["drug_free"], lang))
    c[5].metric(common.t("field.population"), fmt_pop(row["population"], lang))
    if route.description:  # plain text: no Markdown link, image or HTML from the route's description
        common.plain_text(route.description, small=True)

    frame = yv.frame
    m = views.view_map(yv, f"route:{rid}", lang=lang)
    mapview.map_with_legend(m, key="route")

    on = frame[[rid in (rs or []) for rs in frame["routes"]]]
    table = pd.DataFrame({
        common.t("field.name"): on["name"],
        common.t("field.code"): on["code"],
        common.t("field.category"): [mapview.category_label(c, lang) for c in on["category"]],
        common.t("field.decision"): [common.decision_text(r, lang) for r in on.to_dict("records")],
        common.t("field.population"): [fmt_pop(None if pd.isna(v) else v, lang) for v in on["population"]],
        common.t("field.former_districts"): on["former_districts"],
    })
    st.subheader(common.t("routes.table", n=len(on)))
    st.dataframe(table, hide_index=True, width="stretch")

    with st.expander(common.t("routes.all")):
        st.dataframe(summary.rename(columns={"id": "ID", "name": common.t("field.name")}), hide_index=True,
                     width="stretch")
    mapview.download_row(f"route:{rid}", year, lang)


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
