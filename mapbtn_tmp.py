import streamlit as st
from geo.maps import live
from geo.store import open_store
from geo import yearview

st.set_page_config(layout="wide")


@st.cache_resource
def _store():
    return open_store()


w = st.query_params.get("w", "map")


def body():
    y = st.sidebar.selectbox("Năm", [2025, 2026])
    if "kpicomp" in w:
        from livemap import cached_html
        cached_html([f'<div class="tq-strip"><div class="tq-si"><span class="v">{y}</span></div></div>'], key="k")
    else:
        st.markdown(f'<div class="tq-strip"><div class="tq-si"><span class="v">{y}</span></div></div>', unsafe_allow_html=True)
    from livemap import live_map
    yv = yearview.year_view(_store(), y)
    if "cols" in w:
        left, right = st.columns([3, 1])
        with left:
            live_map(live.app_view(yv, "overview"), key="m", height=600)
    else:
        live_map(live.app_view(yv, "overview"), key="m", height=600)


if "nav" in w:
    def mk(i):
        def f():
            body()
        f.__name__ = f"p{i}"
        return f
    pages = [st.Page(mk(i), title=f"Trang {i}", url_path=f"p{i}", default=(i == 0)) for i in range(10)]
    st.navigation({"Bản đồ": pages[:7], "Dữ liệu": pages[7:]}).run()
else:
    body()
