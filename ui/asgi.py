"""The app's server: Streamlit's own ASGI application (``st.App``, its documented server entry
point) running app.py, with three middlewares: :class:`ui.hints.PageHints` (the page's hints) and
:class:`ui.hints.GeometryCache` (the geometry files kept by the browser), why: ui/hints.py; and
:class:`ui.downloads.DownloadEndpoint` (the map pages' downloads, made when asked: ui/downloads.py).
``python -m ui.serve`` starts it (``streamlit run ui/asgi.py``, which finds ``app`` here)."""

import streamlit as st
from starlette.middleware import Middleware

from geo.paths import REPO_ROOT
from ui import downloads
from ui.hints import GeometryCache, PageHints

downloads.SERVED = True
app = st.App(REPO_ROOT / "app.py", middleware=[Middleware(PageHints), Middleware(GeometryCache),
                                               Middleware(downloads.DownloadEndpoint)])
