"""The app's server: Streamlit's own ASGI application (``st.App``, its documented server entry
point) running app.py, with two middlewares (why: ui/hints.py): :class:`ui.hints.PageHints` (the
page's hints) and :class:`ui.hints.GeometryCache` (the geometry files kept by the browser).
``python -m ui.serve`` starts it (``streamlit run ui/asgi.py``, which finds ``app`` here)."""

import streamlit as st
from starlette.middleware import Middleware

from geo.paths import REPO_ROOT
from ui.hints import GeometryCache, PageHints

app = st.App(REPO_ROOT / "app.py", middleware=[Middleware(PageHints), Middleware(GeometryCache)])
