"""Tiến độ: drug-free share by year against the targets, the change map, what each year needs."""

import pandas as pd
import streamlit as st

from geo import status
from geo.i18n import fmt_int
from geo.maps import changes, live
from ui import common, layout, mapview


def render() -> None:
    common.page_setup(layout.MAP_PAGE_STYLE)  # one head element: the app's and the map page's styles
    lang = common.lang()
    st.title(common.t("progress.title"))
    common.demo_banner(None)
    strip = st.empty()  # the change counts, once the two years are chosen

    years = common.years_available()
    left, right = layout.map_row(wide=True)
    with right:
        if len(years) >= 2:
            c1, c2 = st.columns(2)
            ya = c1.selectbox(common.t("progress.from"), years, index=0, key="chg_a")
            yb = c2.selectbox(common.t("progress.to"), years, index=len(years) - 1, key="chg_b")
        else:
            ya = yb = years[0]
        growing = st.container(key="tq_growscroll")  # chart and what each year needs: scrolls inside
    with growing:
        _chart(lang)
        last = max(years)
        k = common.year_view(last).kpis
        st.markdown(f"**{common.esc(common.t('progress.needed_title', year=last))}**")
        need = pd.DataFrame({common.t("ui.year"): [str(p["year"]) for p in k["per_year_needed"]],
                             common.t("progress.needed"): [p["needed"] for p in k["per_year_needed"]]})
        st.markdown(common.t("progress.needed_text", have=k["drug_free"], goal=k["goal_2030_units"],
                             need=k["needed_for_2030"], year=last))
        if len(need):
            layout.table(need, key="tq_need", lang=lang, label=common.t("progress.needed_title", year=last))

    if len(years) < 2:
        with left:
            st.info(common.t("progress.one_year"))
        return
    if ya == yb:
        with left:
            st.warning(common.t("progress.same_year"))
        return
    va, vb = common.year_view(ya), common.year_view(yb)
    cf = changes.change_frame(va.frame, vb.frame)
    counts = changes.count_changes(cf)
    with strip.container():
        st.markdown(f"**{common.esc(common.t('progress.change_title'))}: {ya} → {yb}**")
        layout.compact_kpi_strip([(changes.CHANGE_LABELS[ch][1 if lang == "en" else 0], fmt_int(counts[ch], lang), "",
                                   {changes.NEWLY_DRUG_FREE: "free", changes.LOST_DRUG_FREE: "warn",
                                    changes.NEWLY_KEY: "key"}.get(ch, "route"))
                                  for ch in changes.CHANGES])
    m = live.app_change_view(va, vb, lang=lang)
    with left:
        mapview.show(m, key="change", fit=layout.page_fit(fold_legend=True))
    with right:
        layout.side_legend(m, lang)
        layout.print_button(lang)


def _chart(lang: str) -> None:
    """Drug-free share by year against the targets: the presentation's chart (geo.present.chart,
    inline SVG: one chart for both, no charting script for the browser to load), sent once per
    session and content (livemap.cached_html)."""
    from geo.present.chart import CHART_CSS, progress_svg
    from livemap import cached_html

    svg = progress_svg(status.progress(common.store()), lang, width=640, height=460)
    # look: the whole chart in the side panel's scrolling area as the page opens (its years' labels
    # too, at 1366x768): no taller than that area (a size container), narrower then (the SVG keeps
    # its proportions); what each year needs follows below it, by scrolling
    fit = (".st-key-tq_growscroll {container-type:size}"
           ".tq-progress-chart {width:100%; max-width:640px; aspect-ratio:640/460; max-height:calc(100cqh - 4px)}")
    cached_html([f"<style>{CHART_CSS}{fit}</style>",
                 f"<div class='tq-progress-chart'>{svg}</div>"], key="tq_progress_chart")


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
