"""Nguồn dữ liệu: data sources, licences, build date, the demo-data notice."""

import streamlit as st

from geo import boundaries, sources
from geo.i18n import fmt_datetime, fmt_int, fmt_measure
from ui import common


def render() -> None:
    common.page_setup()
    lang = common.lang()
    st.title(common.t("sources.title"))
    common.demo_banner(None)
    if common.demo_flags(None):
        st.markdown(common.t("sources.demo_text"))

    st.subheader(common.t("sources.list"))
    for s in sources.SOURCES:
        st.markdown(f"- **{common.esc(s.title)}** — [{common.esc(s.repo)}]({s.url}) — "
                    f"{common.t('sources.licence')}: {common.esc(s.licence)}. {common.esc(s.attribution)}")
    st.markdown(f"- **Leaflet 1.9.4** — django-js-lib-leaflet 1.9.4.1 (BSD-2-Clause), {common.t('sources.leaflet')}")

    meta = boundaries.meta()
    st.subheader(common.t("sources.build"))
    st.markdown("\n".join([
        f"- {common.t('sources.built')}: {fmt_datetime(meta.get('built_at'), lang)}",
        f"- {common.t('sources.tolerance')}: {fmt_measure(_num(meta.get('tolerance_m')), 'm', lang)}; "
        f"{common.t('sources.displacement')}: {fmt_measure(_num(meta.get('max_displacement_m')), 'm', lang)} "
        f"({fmt_measure(_num(meta.get('metres_per_px')), 'm/px', lang)})",
        f"- {common.t('sources.vertices')}: {fmt_int(int(meta.get('vertices_full', 0)), lang)} → "
        f"{fmt_int(int(meta.get('vertices_web', 0)), lang)}",
        f"- {common.t('sources.border_note')}",
    ]))
    st.subheader(common.t("sources.terms"))
    st.markdown(common.t("sources.terms_text"))


def _num(v):
    """A number from the build's meta (stored as text), or None (shown as "–") when absent or not a number."""
    try:
        return None if v is None or v == "" else float(v)
    except (TypeError, ValueError):
        return None


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
