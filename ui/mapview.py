"""Showing maps in the app: filters, the streamlit-folium call, click-to-profile, downloads."""

from __future__ import annotations

import datetime as dt
import functools
import io
import tempfile
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from geo import status
from geo.export import html as html_export
from geo.export import sheet
from geo.maps import views
from geo.maps.tooltip import category_label as _category_label
from geo.maps.tooltip import code_from_text
from ui import common, nav

MAP_HEIGHT = 720


def category_label(cat: str, lang: str) -> str:
    return _category_label(cat, lang)


@st.cache_resource(show_spinner=False)
def former_district_names() -> list[str]:
    names = set()
    for v in common.commune_table()["former_districts"]:
        names.update(x.strip() for x in str(v).split(";") if x.strip())
    return sorted(names)


def apply_filters(frame, cats, classes, route_ids, provinces, districts):
    """The rows matching every chosen filter (an empty filter lets everything through)."""
    sel = frame
    if cats:
        sel = sel[sel["category"].isin(cats)]
    if classes:
        sel = sel[sel["complexity_class"].isin(classes)]
    if route_ids:
        sel = sel[[bool(set(rs or []) & set(route_ids)) for rs in sel["routes"]]]
    if provinces:
        sel = sel[sel["old_province"].isin(provinces)]
    if districts:
        want = set(districts)
        sel = sel[[bool({x.strip() for x in str(v).split(";")} & want) for v in sel["former_districts"]]]
    return sel


def hit_label(code: str, hits, lang: str) -> str:
    h = next(h for h in hits if h.code == code)
    via = f" ({common.t('search.formerly')} {h.via})" if h.via else ""
    return f"{h.name} · {h.code}{via}"


def legend(m) -> None:
    """The map's legend (counts by category, routes, border) beside the map, as HTML text."""
    from geo.maps import style

    inner = getattr(m, "tq_legend_html", None)
    if inner:
        st.markdown(f"<style>{style.CSS}</style><div class='tq-panel tq-legend tq-legend-side' role='region'>"
                    f"{inner}</div>", unsafe_allow_html=True)


def map_with_legend(m, key: str, height: int = MAP_HEIGHT, side=None) -> None:
    """The map on the left, its legend on the right (``side()`` runs first in the right column)."""
    left, right = st.columns([3.3, 1])
    with right:
        if side is not None:
            side()
        legend(m)
    with left:
        show(m, key=key, height=height)


def overview(frame, routes, *, year, lang, demo, focus_code=None, highlight_codes=None):
    """A fresh map each run (building one takes ~15 ms warm; folium maps must not be shared
    between reruns: streamlit-folium keeps per-render state on them)."""
    return views.overview_map(frame, routes, year=year, lang=lang, demo=demo, focus_code=focus_code,
                              highlight_codes=highlight_codes)


def show(m, key: str, height: int = MAP_HEIGHT) -> None:
    """Render ``m``; a click on a commune opens its profile. Pan and zoom do not rerun the page."""
    out = st_folium(m, key=key, height=height, use_container_width=True,
                    returned_objects=["last_object_clicked_tooltip"])
    clicked = code_from_text((out or {}).get("last_object_clicked_tooltip"))
    last_key = f"_clicked_{key}"
    if clicked and st.session_state.get(last_key) != clicked:
        st.session_state[last_key] = clicked
        st.switch_page(nav.page("ho_so_xa"), query_params={"xa": clicked})
    elif clicked:
        st.session_state[last_key] = clicked


# --- downloads ---------------------------------------------------------------------------------


# The files are made only when a download button is clicked (Streamlit calls ``data`` then, on
# another thread), and kept per data version, so a page rerun never builds them.


@functools.lru_cache(maxsize=32)
def _html_bytes(store, view: str, year: int, lang: str, version: int, day: str) -> bytes:
    frame = status.status_frame(store, year)
    page = html_export.export_view(frame, store.routes(year), view, year=year, lang=lang,
                                   demo=store.is_demo(year), date=dt.date.fromisoformat(day))
    return page.encode("utf-8")


@functools.lru_cache(maxsize=16)
def _sheet_bytes(store, fmt: str, view: str, paper: str, year: int, lang: str, version: int, day: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"sheet.{fmt}"
        sheet.write_sheet(out, fmt, frame=status.status_frame(store, year), routes=store.routes(year), year=year,
                          kpis=status.kpis(store, year), lang=lang, demo=store.is_demo(year), paper=paper,
                          date=dt.date.fromisoformat(day), dpi=150, view=view)
        return out.read_bytes()


def _deferred(fn, what: str, *args):
    user = common.user_name()
    store = common.store()

    def make() -> bytes:
        data = fn(store, *args)
        common.audit_as(store, user, "export", what)
        return data

    return make


def download_row(view: str, year: int, lang: str) -> None:
    """Standalone HTML map and printable sheet downloads for the current view."""
    day = dt.date.today().isoformat()
    version = common.data_version()
    slug = view.replace(":", "_")
    demo = "_minh-hoa" if common.is_demo(year) else ""
    with st.expander(common.t("dl.title"), expanded=False):
        c1, c2, c3 = st.columns(3)
        c1.download_button(common.t("dl.html"), data=_deferred(_html_bytes, f"HTML {view} {year}", view, year, lang,
                                                              version, day),
                           file_name=f"ban-do_{slug}_{year}{demo}.html", mime="text/html", key=f"dl_html_{slug}",
                           on_click="ignore")
        paper = c3.radio(common.t("dl.paper"), ["a4", "a3"], horizontal=True, key=f"paper_{slug}",
                         format_func=str.upper)
        for fmt, mime in (("pdf", "application/pdf"), ("png", "image/png")):
            c2.download_button(common.t(f"dl.{fmt}"),
                               data=_deferred(_sheet_bytes, f"{fmt.upper()} {view} {paper} {year}", fmt, view, paper,
                                              year, lang, version, day),
                               file_name=f"to-trinh_{slug}_{year}_{paper}{demo}.{fmt}", mime=mime,
                               key=f"dl_{fmt}_{slug}", on_click="ignore")


def excel_bytes(df, sheet_name: str, demo: bool) -> bytes:
    """A table as .xlsx (with the demo mark in the first row when the data is illustrative)."""
    buf = io.BytesIO()
    import pandas as pd

    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        start = 2 if demo else 0
        df.to_excel(xw, sheet_name=sheet_name, index=False, startrow=start)
        if demo:
            xw.sheets[sheet_name]["A1"] = common.t("demo.mark") + " — " + common.t("demo.notice")
    return buf.getvalue()
