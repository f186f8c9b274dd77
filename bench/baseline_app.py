"""The floor the benchmark measures against: an empty Streamlit page (benchmark only).

``streamlit run bench/baseline_app.py`` with the same server settings as the app. One ``st.write``
(its text is what "opened" waits for: ``baseline_empty_ms``) and a button whose click changes a
text (``baseline_rerun_s``: Streamlit's own round trip for a trivial rerun).
"""

import streamlit as st

st.write("Trang trống của Streamlit")
if st.button("Bấm"):
    st.session_state["n"] = st.session_state.get("n", 0) + 1
st.write(f"Số lần bấm: {st.session_state.get('n', 0)}")
