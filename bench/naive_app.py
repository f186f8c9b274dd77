"""The naive baseline as a Streamlit page (benchmark only): ``streamlit run bench/naive_app.py``.

What one writes first: no caching, the raw boundaries re-read and the map rebuilt on every rerun,
``st_folium(m)`` with its default arguments. The map itself is :func:`geo.bench.naive.naive_map`.
"""

import streamlit as st
from streamlit_folium import st_folium

from geo.bench.naive import categories_from_store, naive_map
from geo.model import CATEGORY_LABELS
from geo.store import open_store

st.set_page_config(page_title="Naive baseline", layout="wide")
store = open_store()
years = store.years()
year = st.sidebar.selectbox("Năm", years, index=years.index(2025) if 2025 in years else 0)
only = st.sidebar.multiselect("Tình trạng", list(CATEGORY_LABELS), format_func=lambda c: CATEGORY_LABELS[c][0])
cats = categories_from_store(store, year)
n_free = sum(1 for c in cats.values() if c == "drug_free")
st.title("Naive folium baseline")
st.metric("Xã không ma túy", f"{n_free}/124")
st_folium(naive_map(cats, only))
