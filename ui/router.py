"""The router: every run of the app goes through :func:`main` (``streamlit run app.py``).

main() sets the page, the language switch, the login gate, then ``st.navigation`` with the pages of
ui/nav.py (page functions ``render()`` in pages/*.py, registered with ``st.Page(callable)``) and runs
the chosen page. Nobody sees data before the gate returns.

Cold deep links. Streamlit decides once per server process whether the app uses its legacy
``pages/`` mode: it does when a folder named ``pages`` exists beside the entry point
(streamlit/runtime/pages_manager.py: ``Path(main_script_parent / "pages").exists()``), whatever
the folder holds. Until some session has called ``st.navigation`` (documented: "As soon as any
session of your app executes the st.navigation command, your app will ignore the pages/
directory"), a request for /tuyen runs pages/tuyen.py as a script instead of app.py. Each page file
therefore ends with ``if __name__ == "__main__": main()`` — true only when Streamlit runs the file
as a script, i.e. in that legacy run; imported as ``pages.tuyen`` by the router it is false. That
first run then does exactly what app.py does: the gate, the app's own navigation (which replaces
the legacy file list and switches the legacy mode off for good) and the page the URL names. The
login screen registers the pages too (hidden), so the URL and its query parameters survive the
login. Only public Streamlit API is used. One behaviour it leans on is not spelled out in the
docs: in that legacy run Streamlit has already sent its own navigation, and ours (a second
st.navigation in the same run) replaces it — the same thing that happens when a legacy app's own
app.py calls st.navigation. tests/test_e2e_cold.py pins it: every URL on a fresh server.
"""

from __future__ import annotations

import streamlit as st

from geo.maps import assets, warm
from ui import auth as ui_auth
from ui import common, nav


def gate(start: str = nav.HOME):
    """Page settings, language, config, login. Returns the CurrentUser or stops the run."""
    st.set_page_config(page_title=common.t("app.page_title"), page_icon="🗺️", layout="wide",
                       initial_sidebar_state="expanded")
    assets.install_static()
    common.language_switch()
    cfg = ui_auth.load_config_or_stop()
    # The login form is drawn as the page the URL names (every page shows it, none is listed): the
    # URL and its query parameters stay for after the login, the legacy file list (see above) is
    # replaced by nothing, and the form keeps its widget identity between the legacy first run
    # and the next one (Streamlit derives widget ids from the page running them).
    # Other screens that stop (public demo on real data, OIDC) register the pages the same way.
    drawn = []

    def draw_in(form) -> None:
        drawn.append(True)
        st.navigation(nav.sections(None, start, run=form), position="hidden").run()

    def before_stop() -> None:
        if not drawn:
            st.navigation(nav.sections(None, start), position="hidden")

    store = ui_auth.store_or_stop(common.store)  # a store the app cannot use: one message, no page
    # the public-demo notice is drawn by the page's head (common.page_setup), with its stylesheet
    user = ui_auth.require_login(cfg, store, before_stop=before_stop, draw_in=draw_in, notice=False)
    st.session_state["tq_user"] = user
    ui_auth.logout_button(user, store)
    return user


def main(start: str = nav.HOME) -> None:
    """One run of the app. ``start``: the page served at "/" (the overview; tests open others)."""
    user = gate(start)
    # Warm start (issue 13): Streamlit runs nothing before the first session, so the first run
    # starts a background build of every year's view, maps and geometry files; it returns at once
    # (and does nothing after the first call per store and data version).
    warm.warm(common.store())
    st.navigation(nav.sections(user, start)).run()
