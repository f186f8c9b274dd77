"""Hồ sơ xã: one commune — map, status history, indicators, former communes, routes, neighbours.

Opened by a deep link ``?xa=00694`` that a leader can bookmark, or by a click on any map."""

import json

import pandas as pd
import streamlit as st

from geo.i18n import fmt_date, fmt_num, fmt_pop
from geo.model import INDICATORS, YEARS, category
from geo.maps import live, views
from geo.search import search
from ui import common, layout, mapview, nav


def render() -> None:
    common.page_setup(layout.MAP_PAGE_STYLE)  # one head element: the app's and the map page's styles
    lang = common.lang()
    year = common.year_selector()
    table = common.commune_table()
    codes = list(table["code"])
    names = dict(zip(table["code"], table["name"]))

    raw = st.query_params.get("xa")
    code = None
    head = st.container()  # title, banner, figures: filled once the commune is known
    if raw is not None:
        cand = raw.strip()
        if cand.isdigit() and cand.zfill(5) in names:
            code = cand.zfill(5)
        else:
            hits = search(cand, table, limit=3)
            if hits and hits[0].score >= 100:
                code = hits[0].code
            else:
                head.error(common.t("err.bad_commune", value=common.esc(raw)[:40]))
    if "profile_code" in st.session_state and st.session_state["profile_code"] in names and raw is None:
        code = st.session_state["profile_code"]
    left, right = layout.map_row(wide=True)
    with right:
        code = st.selectbox(common.t("profile.choose"), codes,
                            index=codes.index(code) if code in codes else codes.index("00694"),
                            format_func=lambda c: f"{names[c]} · {c}", key=f"profile_select_{code}")
    st.session_state["profile_code"] = code
    st.query_params["xa"] = code

    yv = common.year_view(year)
    frame = yv.frame
    rec = frame[frame["code"] == code].iloc[0].to_dict()
    with head:
        st.title(rec["name"])
        common.demo_banner(year)
        st.caption(f"{common.t('field.code')} {code} · {rec['kind']} · {common.t('field.old_province')}: "
                   f"{rec['old_province']} · {common.t('field.former_districts')}: {rec['former_districts']}")
        # the main status first, never cut (the strip's items keep their text whole)
        cat = rec["category"]
        kind = {"drug_free": "free", "class_I": "warn"}.get(cat, "key" if str(cat).startswith("class_") else "route")
        layout.compact_kpi_strip([
            (common.t("field.category"), mapview.category_label(cat, lang), "", kind),
            (common.t("field.population"), fmt_pop(rec["population"], lang), "", "route"),
            (common.t("field.area"), fmt_num(rec["area_km2"], 1, lang), "", "route"),
            (common.t("field.decision"), common.decision_text(rec, lang) or "–", "", "free")])

    m = live.app_view(yv, f"commune:{code}", lang=lang)
    with left:
        mapview.show(m, key="profile", height=520, fit=layout.page_fit(fold_legend=True))

    with right, st.container(key="tq_growscroll"):
        # the year's indicators first (with the warnings and the stored note): what a leader asks first
        tabs = st.tabs([common.t("profile.tab_indicators", year=year), common.t("profile.tab_history"),
                        common.t("profile.tab_former"), common.t("profile.tab_neighbours")])
        with tabs[1]:
            hist = common.store().history(code)
            rows = []
            for y in YEARS:
                a = hist.get(y)
                rows.append({common.t("ui.year"): str(y),
                             common.t("field.category"): mapview.category_label(category(a), lang),
                             common.t("field.decision_short"): (f"{a.decision_no}, {fmt_date(a.decision_date, lang)}"
                                                          if a and a.drug_free and a.decision_no else "")})
            st.caption(common.t("profile.history"))
            layout.table(pd.DataFrame(rows), key="tq_prof_history", lang=lang, label=common.t("profile.history"))
            rn = rec.get("route_names") or []
            st.markdown(f"**{common.esc(common.t('profile.routes'))}:** "
                        f"{common.esc(', '.join(rn) if rn else common.t('profile.no_routes'))}")
        with tabs[0]:
            if rec["category"] == "no_data":
                st.info(common.t("profile.no_data", year=year))
            else:
                ind = pd.DataFrame({
                    common.t("profile.indicator"): [INDICATORS[k][1 if lang == "en" else 0] for k in INDICATORS],
                    common.t("profile.value"): [fmt_num(rec[k], 0 if k != "plant_area_m2" else 1, lang)
                                                for k in INDICATORS],
                })
                layout.table(ind, key="tq_prof_indicators", lang=lang,
                             label=common.t("profile.tab_indicators", year=year))
                st.caption(common.t("profile.ratios", a=fmt_num(rec["addicts_users_per_1000"] or 0, 2, lang),
                                    o=fmt_num(rec["offenders_per_1000"] or 0, 2, lang)))
                for w in rec.get("warnings") or []:
                    st.warning(w)
                if rec.get("note"):  # plain text: no Markdown link, image or HTML from the stored note
                    common.plain_text(rec["note"], common.t("field.note"))
        with tabs[2]:
            st.caption(common.t("profile.former"))
            former = json.loads(table.set_index("code").loc[code, "former_units"])
            layout.table(pd.DataFrame({
                common.t("field.name"): [f["name"] for f in former],
                common.t("profile.merge_type"): [common.t("profile.full") if f["type"] == "full"
                                                 else common.t("profile.partial") for f in former],
                common.t("field.former_districts"): [f.get("district", "") for f in former],
                common.t("field.code"): [str(f["code"]) for f in former],
            }), key="tq_prof_former", lang=lang, label=common.t("profile.tab_former"))
        with tabs[3]:
            near = views.neighbours(frame, code)
            nb = frame[frame["code"].isin(near)]
            layout.table(pd.DataFrame({
                common.t("field.name"): nb["name"],
                common.t("field.category"): [mapview.category_label(c, lang) for c in nb["category"]],
            }), key="tq_prof_neighbours", lang=lang, label=common.t("profile.tab_neighbours"))
            for n in nb.itertuples():
                st.page_link(nav.page("ho_so_xa"), label=n.name, query_params={"xa": n.code})
    with right:
        layout.side_legend(m, lang)
        mapview.download_row(f"commune:{code}", year, lang)


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
