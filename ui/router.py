"""What runs before any page: page settings, static files, language, and the login gate.

app.py calls :func:`gate` on every run and marks the run as routed. Streamlit keeps a legacy mode
for apps with a ``pages/`` folder: until app.py has called st.navigation once in a fresh server
process, a deep link such as /tuyen runs pages/tuyen.py directly, without app.py. Every page
therefore calls :func:`ensure_gate` first (through ui.common.page_setup): a run that did not come
through app.py switches the legacy mode off and either checks the existing session inline or,
with no session, starts again through app.py (so the login form is drawn the same way on the run
that shows it and on the run that submits it). No page ever shows data before the login. (PagesManager is Streamlit's own; the pin in requirements.txt and
tests/test_e2e_cold.py hold this in place.)
"""

from __future__ import annotations

import streamlit as st

from geo.maps import assets
from ui import auth as ui_auth
from ui import common

ROUTED = "_tq_routed"


def gate():
    """Page settings, language, config, login. Returns the CurrentUser or stops the run."""
    try:
        st.set_page_config(page_title="Bản đồ xã không ma túy – Tuyên Quang", page_icon="🗺️", layout="wide",
                           initial_sidebar_state="expanded")
    except st.errors.StreamlitAPIException:  # already set in this run
        pass
    assets.install_static()
    common.language_switch()
    cfg = ui_auth.load_config_or_stop()
    # The login screen hides the sidebar's page list (after a server restart it can still hold
    # the names of the files in pages/, from the legacy mode).
    user = ui_auth.require_login(cfg, common.store(), before_stop=common.hide_page_list)
    st.session_state["tq_user"] = user
    ui_auth.logout_button(user, common.store())
    return user


def mark_routed() -> None:
    st.session_state[ROUTED] = True


def ensure_gate() -> None:
    """First thing on every page: pass the gate unless app.py did in this very run."""
    if st.session_state.pop(ROUTED, False):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False  # the next runs go through app.py
    cfg = ui_auth.load_config_or_stop()
    if cfg.public_demo or st.session_state.get(ui_auth.SESSION_KEY):
        gate()  # a session exists (or no login at all): check it here, keep this run's clicks
    else:
        st.rerun()  # start again through app.py, which draws the login form as every later run will
