"""Nguồn dữ liệu: data sources, licences, build date, the demo-data notice."""

import streamlit as st

from geo import boundaries, sources
from geo.i18n import fmt_int
from ui import common


def render() -> None:
    common.page_setup()
    lang = common.lang()
    st.title(common.t("sources.title"))
    common.demo_banner(None)
    if common.is_demo(None):
        st.markdown(common.t("sources.demo_text"))

    st.subheader(common.t("sources.list"))
    for s in sources.SOURCES:
        st.markdown(f"- **{common.esc(s.title)}** — [{common.esc(s.repo)}]({s.url}) — "
                    f"{common.t('sources.licence')}: {common.esc(s.licence)}. {common.esc(s.attribution)}")
    st.markdown(f"- **Leaflet 1.9.4** — django-js-lib-leaflet 1.9.4.1 (BSD-2-Clause), {common.t('sources.leaflet')}")

    meta = boundaries.meta()
    st.subheader(common.t("sources.build"))
    st.markdown("\n".join([
        f"- {common.t('sources.built')}: {meta.get('built_at', '–')}",
        f"- {common.t('sources.tolerance')}: {meta.get('tolerance_m')} m; "
        f"{common.t('sources.displacement')}: {meta.get('max_displacement_m')} m "
        f"({meta.get('metres_per_px')} m/px)",
        f"- {common.t('sources.vertices')}: {fmt_int(int(meta.get('vertices_full', 0)), lang)} → "
        f"{fmt_int(int(meta.get('vertices_web', 0)), lang)}",
        f"- {common.t('sources.border_note')}",
    ]))
    st.subheader(common.t("sources.terms"))
    st.markdown(common.t("sources.terms_text"))


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
