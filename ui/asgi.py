"""The app's server: Streamlit's own ASGI application (``st.App``, its documented server entry
point) running app.py, with one middleware, :class:`ui.hints.PageHints` (why: ui/hints.py).
``python -m ui.serve`` starts it (``streamlit run ui/asgi.py``, which finds ``app`` here)."""

import streamlit as st
from starlette.middleware import Middleware

from geo.paths import REPO_ROOT
from ui.hints import PageHints

app = st.App(REPO_ROOT / "app.py", middleware=[Middleware(PageHints)])
