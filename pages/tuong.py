"""Màn hình treo tường (wall view): one screen, no chrome — the map, a KPI strip, the legend, the
date and the demo mark — for a briefing-room screen. URL: /tuong?nam=2025 (&lang=en).

It refreshes itself: a fragment asks the store for its data version every few seconds and reruns
the page when it changed (an import, a restore), so the screen never shows stale figures.
"""

import datetime as dt

import streamlit as st

from geo.i18n import t as tr
from geo.maps import views
from ui import common, layout

POLL_S = 5  # seconds between two data-version checks


def render() -> None:
    common.page_setup()
    lang = st.query_params.get("lang", common.lang())
    lang = lang if lang in ("vi", "en") else "vi"
    layout.hide_chrome()

    years = common.years_available()
    raw = st.query_params.get("nam")
    year = 2025 if 2025 in years else years[-1]
    bad = None
    if raw is not None:
        if raw.isdigit() and int(raw) in years:
            year = int(raw)
        else:
            bad = raw

    yv = common.year_view(year)
    version = yv.data_version
    k, frame, routes, demo = yv.kpis, yv.frame, list(yv.routes), yv.demo

    notice = None
    if bad is not None:  # said on the screen itself (the page has no other chrome)
        notice = tr("wall.bad_year", lang, value=bad[:20], year=year, years=", ".join(map(str, years)))
    res = views.overview(frame, routes, year=year, lang=lang, demo=demo, app=True)
    page = layout.wall_html(res.map, layout.kpi_items(k, year, lang), year=year, lang=lang, demo=bool(demo),
                            demo_text=common.demo_text(demo, lang) if demo else None, legend_html=res.legend_html,
                            updated=dt.datetime.now(), bounds=views.province_bounds(frame), data_version=version,
                            notice=notice)
    with st.container(key="tq_wall"):
        st.iframe(page, height=700)
    with st.container(key="tq_wall_watch"):
        _watch(version)


@st.fragment(run_every=POLL_S)
def _watch(seen: int) -> None:
    """Rerun the whole page when the store's data version moves on."""
    if common.data_version() != seen:
        st.rerun()


if __name__ == "__main__":  # a cold deep link in Streamlit's legacy pages/ mode (see ui/router.py)
    from ui.router import main

    main()
