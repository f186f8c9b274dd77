"""Router: ``streamlit run app.py``. Pages live in pages/ and stay thin; the work is in geo/."""

import streamlit as st

from ui import common, router

# Nobody sees data before this line returns: it shows the login screen and stops otherwise (or,
# with TQMAP_PUBLIC_DEMO=1 on a store holding only demo data, says so on every page).
user = router.gate()
router.mark_routed()
t = common.t

# Each url_path equals its file's name: before st.navigation has run once in a fresh server,
# Streamlit resolves a deep link (/ho_so_xa?xa=00694) against the files in pages/, and a path that
# differs shows a "Page not found" dialog over the right page (streamlit/streamlit#9992).
maps = [
    st.Page("pages/tong_quan.py", title=t("nav.overview"), icon=":material/map:", default=True, url_path="tong_quan"),
    st.Page("pages/tuyen.py", title=t("nav.routes"), icon=":material/route:", url_path="tuyen"),
    st.Page("pages/xa_trong_diem.py", title=t("nav.key"), icon=":material/warning:", url_path="xa_trong_diem"),
    st.Page("pages/ho_so_xa.py", title=t("nav.profile"), icon=":material/description:", url_path="ho_so_xa"),
    st.Page("pages/tien_do.py", title=t("nav.progress"), icon=":material/trending_up:", url_path="tien_do"),
    st.Page("pages/trinh_chieu.py", title=t("nav.present"), icon=":material/slideshow:", url_path="trinh_chieu"),
    st.Page("pages/tuong.py", title=t("wall.nav"), icon=":material/tv:", url_path="tuong"),
]
data = [st.Page("pages/nguon_du_lieu.py", title=t("nav.sources"), icon=":material/info:", url_path="nguon_du_lieu")]
editor = [st.Page("pages/nhap_du_lieu.py", title=t("nav.import"), icon=":material/upload_file:", url_path="nhap_du_lieu"),
          st.Page("pages/lich_su.py", title=t("nav.revisions"), icon=":material/history:", url_path="lich_su")]
admin = [st.Page("pages/quan_tri.py", title=t("nav.admin"), icon=":material/admin_panel_settings:", url_path="quan_tri")]

if user.can("import"):
    data += editor
if user.can("manage_users"):
    data += admin  # each restricted page also checks the role itself (ui.auth.require_role)
st.navigation({t("nav.section.maps"): maps, t("nav.section.data"): data}).run()
