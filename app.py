"""Router: ``streamlit run app.py``. Pages live in pages/ and stay thin; the work is in geo/."""

import streamlit as st

from geo.maps import assets
from ui import common

st.set_page_config(page_title="Bản đồ xã không ma túy – Tuyên Quang", page_icon="🗺️", layout="wide")
assets.install_static()
lang = common.language_switch()

pages = [
    st.Page("pages/overview.py", title=common.t("nav.overview", lang), default=True, url_path="tong-quan"),
    st.Page("pages/sources.py", title=common.t("nav.sources", lang), url_path="nguon-du-lieu"),
]
st.navigation(pages).run()
