"""Xã trọng điểm: the key complex communes — the map beside a table that fits its panel; the full
table (every indicator) as an Excel download. One screen, no page scroll."""

import pandas as pd
import streamlit as st

from geo.i18n import fmt_int, fmt_num, fmt_pop
from geo.model import CLASSES, INDICATORS
from geo.maps import live
from ui import common, layout, mapview
from ui.downloads import Offer


def render() -> None:
    common.page_setup(layout.MAP_PAGE_STYLE)  # one head element: the app's and the map page's styles
    lang = common.lang()
    year = common.year_selector()
    st.title(common.t("key.title"))
    yv = common.year_view(year)
    frame, routes, k = yv.frame, list(yv.routes), yv.kpis
    key = mapview.key_rows(frame)  # geo.model's rule, the same communes the KPI counts
    items = [(common.t("kpi.key"), fmt_int(k["key_count"], lang), "", "key")] + [
        (f"{common.t('kpi.class')} {cls}", fmt_int(k["by_class"][cls], lang), "", "warn" if cls == "I" else "key")
        for cls in CLASSES]
    common.demo_banner(year, then=lambda _y: layout.strip_parts(items))  # the figures in the banner's element

    left, right = layout.map_row(wide=True)
    with right:
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

    with right:
        # On screen: the columns that fit beside the map (no column cut off); every indicator is in
        # the Excel file and on the commune's profile (a click on the map). The population is
        # written as everywhere else (fmt_pop); the Excel keeps numbers.
        pop, name, cls_, per = (common.t("field.population"), common.t("field.name"), common.t("field.class"),
                                common.t("field.users_per_1000"))
        short = common.t("field.users_per_1000_short")
        shown_table = table[[name, cls_, per, pop]].rename(columns={per: short})
        with st.container(key="tq_grow"):
            layout.table(shown_table, key="tq_key_table", lang=lang, label=common.t("key.title"),
                         formats={short: lambda v: fmt_num(v, 2, lang), pop: lambda v: fmt_pop(v, lang)},
                         titles={short: per})
        # the full table as Excel, made when clicked (one element of ours: ui/downloads.py)
        mapview.offer_files([Offer(mapview.item_id("excel", "key", year, lang, tuple(classes)), common.t("dl.excel"),
                                   f"xa-trong-diem_{year}{common.demo_suffix(yv.demo)}.xlsx",
                                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                   f"Excel key {year}", lambda _p: mapview.excel_bytes(table, "Xa trong diem", yv.demo))],
                            key="tq_dl_excel")
    m = live.app_view(yv, "key", lang=lang)
    with left:
        mapview.show(m, key="key", height=620, fit=layout.page_fit(fold_legend=True))
    with right:
        layout.side_legend(m, lang)
        mapview.download_row("key", year, lang)


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
