"""Helpers shared by pages: language, cached data access, the demo banner."""

from __future__ import annotations

import streamlit as st

from geo import boundaries
from geo.i18n import DEFAULT_LANG, LANGS
from geo.i18n import t as _t


def lang() -> str:
    return st.session_state.get("lang", DEFAULT_LANG)


def t(key: str, lang_: str | None = None, **kw) -> str:
    return _t(key, lang_ or lang(), **kw)


def language_switch() -> str:
    """Sidebar switch Tiếng Việt / English, remembered in the session and the URL (?lang=en)."""
    if "lang" not in st.session_state:
        q = st.query_params.get("lang", DEFAULT_LANG)
        st.session_state["lang"] = q if q in LANGS else DEFAULT_LANG
    choice = st.sidebar.radio(
        _t("lang.label", st.session_state["lang"]), LANGS, key="lang",
        format_func=lambda x: {"vi": "Tiếng Việt", "en": "English"}[x], horizontal=True)
    return choice


@st.cache_resource(show_spinner=False)
def communes_web():
    """The 124 simplified units (geometry read once per server process)."""
    return boundaries.communes(web=True)


@st.cache_resource(show_spinner=False)
def layer(name: str):
    return boundaries.layer(name)
