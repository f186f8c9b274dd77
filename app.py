"""Router: ``streamlit run app.py``. Pages live in pages/ and stay thin; the work is in geo/."""

import streamlit as st

from geo.maps import assets
from ui import auth as ui_auth
from ui import common

st.set_page_config(page_title="Bản đồ xã không ma túy – Tuyên Quang", page_icon="🗺️", layout="wide",
                   initial_sidebar_state="expanded")
assets.install_static()
lang = common.language_switch()
t = common.t

# Nobody sees data before this line returns: it shows the login screen and stops otherwise
# (or, with TQMAP_PUBLIC_DEMO=1 on a store holding only demo data, says so on every page).
cfg = ui_auth.load_config_or_stop()
user = ui_auth.require_login(cfg, common.store())
st.session_state["tq_user"] = user
ui_auth.logout_button(user, common.store())

# Each url_path equals its file's name: before st.navigation has run once in a fresh server,
# Streamlit resolves a deep link (/ho_so_xa?xa=00694) against the files in pages/, and a path that
# differs shows a "Page not found" dialog over the right page (streamlit/streamlit#9992).
maps = [
    st.Page("pages/tong_quan.py", title=t("nav.overview"), icon="🗺️", default=True, url_path="tong_quan"),
    st.Page("pages/tuyen.py", title=t("nav.routes"), icon="🛣️", url_path="tuyen"),
    st.Page("pages/xa_trong_diem.py", title=t("nav.key"), icon="⚠️", url_path="xa_trong_diem"),
    st.Page("pages/ho_so_xa.py", title=t("nav.profile"), icon="📄", url_path="ho_so_xa"),
    st.Page("pages/tien_do.py", title=t("nav.progress"), icon="📈", url_path="tien_do"),
    st.Page("pages/trinh_chieu.py", title=t("nav.present"), icon="📽️", url_path="trinh_chieu"),
]
data = [st.Page("pages/nguon_du_lieu.py", title=t("nav.sources"), icon="ℹ️", url_path="nguon_du_lieu")]
if user.can("import"):
    data.append(st.Page("pages/nhap_du_lieu.py", title=t("nav.import"), icon="📥", url_path="nhap_du_lieu"))
    data.append(st.Page("pages/lich_su.py", title=t("nav.revisions"), icon="🕘", url_path="lich_su"))
if user.can("manage_users"):
    data.append(st.Page("pages/quan_tri.py", title=t("nav.admin"), icon="🔐", url_path="quan_tri"))
st.navigation({t("nav.section.maps"): maps, t("nav.section.data"): data}).run()
