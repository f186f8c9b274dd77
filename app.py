"""Router: ``streamlit run app.py``. Pages live in pages/ and stay thin; the work is in geo/."""

import streamlit as st

from geo.maps import assets
from ui import common

st.set_page_config(page_title="Bản đồ xã không ma túy – Tuyên Quang", page_icon="🗺️", layout="wide",
                   initial_sidebar_state="expanded")
assets.install_static()
lang = common.language_switch()
t = common.t

maps = [
    st.Page("pages/overview.py", title=t("nav.overview"), icon="🗺️", default=True, url_path="tong-quan"),
    st.Page("pages/routes.py", title=t("nav.routes"), icon="🛣️", url_path="tuyen"),
    st.Page("pages/key_communes.py", title=t("nav.key"), icon="⚠️", url_path="xa-trong-diem"),
    st.Page("pages/profile.py", title=t("nav.profile"), icon="📄", url_path="ho-so-xa"),
    st.Page("pages/progress.py", title=t("nav.progress"), icon="📈", url_path="tien-do"),
    st.Page("pages/present.py", title=t("nav.present"), icon="📽️", url_path="trinh-chieu"),
]
data = [
    st.Page("pages/sources.py", title=t("nav.sources"), icon="ℹ️", url_path="nguon-du-lieu"),
]
st.navigation({t("nav.section.maps"): maps, t("nav.section.data"): data}).run()
