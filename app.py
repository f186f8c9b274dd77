"""The app: ``streamlit run app.py``. Everything happens in ui.router.main(): page settings, the
language switch, the login gate (nobody sees data before it returns), the app's navigation and the
chosen page (a function ``render()`` in pages/*.py; see ui/nav.py and, for cold deep links,
ui/router.py)."""

from ui.router import main

main()
