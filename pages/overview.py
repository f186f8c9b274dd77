import streamlit as st
from streamlit_folium import st_folium

from geo.maps import base, communes as communes_layer
from ui import common

lang = common.lang()
st.title(common.t("app.title"))
st.caption(common.t("app.subtitle"))

m = base.new_map()
communes_layer.add_communes(m, common.communes_web(), lang)
st_folium(m, height=650, use_container_width=True, returned_objects=[], key="overview_map")
