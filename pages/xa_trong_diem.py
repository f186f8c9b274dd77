"""Xã trọng điểm: the key complex communes as a sortable table beside the map; Excel download."""

import pandas as pd
import streamlit as st

from geo.i18n import fmt_int, fmt_pop
from geo.model import CLASSES, INDICATORS
from geo.maps import views
from ui import common, mapview


def render() -> None:
    common.page_setup()
    lang = common.lang()
    year = common.year_selector()
    st.title(common.t("key.title"))
    common.demo_banner(year)

    yv = common.year_view(year)
    frame, routes, k = yv.frame, list(yv.routes), yv.kpis
    key = mapview.key_rows(frame)  # geo.model's rule, the same communes the KPI counts
    c = st.columns(4)
    c[0].metric(common.t("kpi.key"), fmt_int(k["key_count"], lang))
    for i, cls in enumerate(CLASSES, start=1):
        c[i].metric(f"{common.t('kpi.class')} {cls}", fmt_int(k["by_class"][cls], lang))

    classes = st.multiselect(common.t("filter.class"), CLASSES, default=list(CLASSES), key="key_classes")
    shown = key[key["complexity_class"].isin(classes)]

    ind = list(INDICATORS)
    label = {c: (INDICATORS[c][1] if lang == "en" else INDICATORS[c][0]) for c in ind}
    table = pd.DataFrame({
        common.t("field.code"): shown["code"],
        common.t("field.name"): shown["name"],
        common.t("field.class"): shown["complexity_class"],
        **{label[c]: shown[c].astype("Int64") if c != "plant_area_m2" else shown[c] for c in ind},
        common.t("field.users_per_1000"): shown["addicts_users_per_1000"].round(2),
        common.t("field.offenders_per_1000"): shown["offenders_per_1000"].round(2),
        common.t("field.population"): shown["population"].astype("Int64"),
        common.t("field.routes"): [", ".join(r or []) for r in shown["routes"]],
        common.t("field.warnings"): ["; ".join(w or []) for w in shown["warnings"]],
    }).sort_values([common.t("field.class"), common.t("field.users_per_1000")], ascending=[True, False])

    left, right = st.columns([1, 1])
    with left:
        # On screen the population is written as everywhere else (fmt_pop); the Excel keeps numbers.
        shown_table = table.copy()
        pop = common.t("field.population")
        shown_table[pop] = [fmt_pop(None if pd.isna(v) else v, lang) for v in table[pop]]
        st.dataframe(shown_table, hide_index=True, width="stretch", height=620,
                     column_config={common.t("field.code"): st.column_config.TextColumn(width="small")})
        st.download_button(common.t("dl.excel"), data=lambda: mapview.excel_bytes(table, "Xa trong diem", yv.demo),
                           file_name=f"xa-trong-diem_{year}{common.demo_suffix(yv.demo)}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")
    with right:
        m = views.view_map(yv, "key", lang=lang)
        mapview.show(m, key="key", height=620, fit_below=100)
        mapview.legend(m)
    mapview.download_row("key", year, lang)


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
