import streamlit as st

from geo import boundaries, sources
from ui import common

st.title(common.t("sources.title"))
for s in sources.SOURCES:
    st.markdown(f"- **{s.title}** — [{s.repo}]({s.url}) — {s.licence}. {s.attribution}")
st.caption(f"{common.t('sources.built')}: {boundaries.meta().get('built_at', '–')}")
