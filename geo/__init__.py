"""Tuyên Quang drug-free programme map: the library (data, model, maps, export). No Streamlit here."""
