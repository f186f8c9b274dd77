"""Demonstration and measurement page for the persistent map (``livemap``) against
streamlit-folium, on the same overview view: ``streamlit run bench/live_app.py``.

``?impl=live`` (default) shows :func:`livemap.live_map`; ``?impl=folium`` the same map through
``st_folium(m, key=...)`` (the app's current way). A year selectbox and a category multiselect
change the map like the Overview page does; a click on a commune is written under the map.
"""

import streamlit as st

from geo.maps import assets, views, warm
from geo.maps.tooltip import category_label
from geo.model import CATEGORIES
from geo.status import status_frame
from geo.store import open_store

st.set_page_config(page_title="Live map", layout="wide")
assets.install_static()


@st.cache_resource
def _store():
    return open_store()


@st.cache_resource
def _frame(year: int):
    s = _store()
    return status_frame(s, year), s.routes(year)


warm.warm(_store())  # once per data version: the other year's view and maps in the background

impl = st.query_params.get("impl", "live")
year = st.sidebar.selectbox("Năm", [2025, 2026])
cats = st.sidebar.multiselect("Tình trạng", CATEGORIES, format_func=lambda c: category_label(c, "vi"))
frame, routes = _frame(year)
sel = frame[frame["category"].isin(cats)] if cats else frame
st.metric("Xã không ma túy", f"{int((frame['category'] == 'drug_free').sum())}/{len(frame)}")
m = views.overview_map(frame, routes, year=year, app=True, demo=True,
                       highlight_codes=list(sel["code"]) if cats else None)
if impl == "folium":
    from streamlit_folium import st_folium

    out = st_folium(m, key="map", height=640, use_container_width=True,
                    returned_objects=["last_object_clicked_tooltip"])
    clicked = (out or {}).get("last_object_clicked_tooltip")
else:
    from livemap import live_map

    clicked = live_map(m, key="map", height=640, badge="DỮ LIỆU MINH HỌA")
    if clicked:
        st.session_state["last_click"] = clicked
st.write(f"Năm {year}: {len(sel)} xã khớp bộ lọc")
st.write(f"Xã vừa bấm: {st.session_state.get('last_click') or '–'}")
