"""Showing maps in the app: filters, the persistent map (livemap), click-to-profile, downloads."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import streamlit as st

from geo import service, yearview
from geo.escape import excel_cell
from geo.export import html as html_export
from geo.export import sheet
from geo.maps.tooltip import category_label as _category_label
from livemap import choice
from ui import common, layout, nav

MAP_HEIGHT = 720


def category_label(cat: str, lang: str) -> str:
    return _category_label(cat, lang)


def hit_label(code: str, hits, lang: str) -> str:
    h = next(h for h in hits if h.code == code)
    via = f" ({common.t('search.formerly')} {h.via})" if h.via else ""
    return f"{h.name} · {h.code}{via}"


def show(res, key: str, height: int = MAP_HEIGHT, fade: dict | None = None, previews: dict | None = None) -> None:
    """Render the MapResult's map as the persistent map (livemap, geo.maps.live): the geometry
    reaches the browser once per session, a year, filter or language change sends only the
    per-commune styles, tooltips and marks. ``key`` names the map on the page: it must NOT hold
    the year or the language (a new key mounts a new map). A click on a commune opens its profile;
    pan and zoom do not rerun the page. The demo badge is the map's own (geo.maps.demo_mark).
    The page sizes the map to the window (ui/layout.fit_map_page); ``height`` is its first height.
    ``fade``: the communes' faded styles for the page's filter panel (geo.maps.live.app_fade).
    ``previews``: ``{year: map}``, the same view for the other years (a year pick restyles at once)."""
    from livemap import live_map

    clicked = live_map(res, key=key, height=height, fade=fade, previews=previews,
                       texts={"failed": common.t("map.load_failed"), "retry": common.t("map.retry")})
    if clicked:
        st.switch_page(nav.page("ho_so_xa"), query_params={"xa": clicked})


# --- downloads ---------------------------------------------------------------------------------


# The files are made only when a download button is clicked (Streamlit calls ``data`` then, on
# another thread), from the year view of that moment; the click is audited (geo.service).


def _html_bytes(yv, view: str, lang: str, day: str) -> bytes:
    page = html_export.export_view(yv, view, lang=lang, date=dt.date.fromisoformat(day))
    return page.encode("utf-8")


def _sheet_bytes(yv, fmt: str, view: str, paper: str, lang: str, day: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"sheet.{fmt}"
        sheet.write_sheet(out, fmt, yv, view, lang=lang, paper=paper, date=dt.date.fromisoformat(day), dpi=150)
        return out.read_bytes()


def _deferred(fn, what: str, year: int, *args):
    """``data`` for a download button: builds the file on click and records the export."""
    user = common.user_name()
    store = common.store()

    def make() -> bytes:
        data = fn(yearview.year_view(store, year), *args)
        service.record_export(store, user, what)
        return data

    return make


def download_row(view: str, year: int, lang: str) -> None:
    """Standalone HTML map and printable sheet downloads for the current view."""
    day = dt.date.today().isoformat()
    slug = view.replace(":", "_")
    demo = common.demo_suffix(common.year_view(year).demo)
    with st.container(key=f"tq_dl_{slug}"):  # look: visible, not in a collapsed expander; print button
        c1, c2, c3, c4, c5 = st.columns([1.2, 1, 1, 1, 1], vertical_alignment="bottom")
        c1.download_button(common.t("dl.html"), data=_deferred(_html_bytes, f"HTML {view} {year}", year, view, lang, day),
                           file_name=f"ban-do_{slug}_{year}{demo}.html", mime="text/html", key=f"dl_html_{slug}",
                           on_click="ignore")
        with c4:  # our own radio buttons (livemap.choice): fewer scripts on a page's first open
            paper = choice(common.t("dl.paper"), [("a4", "A4"), ("a3", "A3")], "a4", key=f"paper_{slug}",
                           collapsed=True)
        for col, fmt, mime in ((c2, "pdf", "application/pdf"), (c3, "png", "image/png")):
            col.download_button(common.t(f"dl.{fmt}"),
                                data=_deferred(_sheet_bytes, f"{fmt.upper()} {view} {paper} {year}", year, fmt, view,
                                               paper, lang, day),
                                file_name=f"to-trinh_{slug}_{year}_{paper}{demo}.{fmt}", mime=mime,
                                key=f"dl_{fmt}_{slug}", on_click="ignore")
        with c5:
            layout.print_button(lang)


def key_rows(frame):
    """The key communes of a year view's frame: geo.model's rule (is_key, through model.category:
    class I/II/III and not drug-free), the same communes the year's KPIs count."""
    if "key" in frame.columns:  # the year view's own column (geo.model.is_key per row)
        return frame[frame["key"].fillna(False).astype(bool)]
    from geo.model import CLASSES

    return frame[frame["category"].isin([f"class_{c}" for c in CLASSES])]


def excel_bytes(df, sheet_name: str, demo) -> bytes:
    """A table as .xlsx: every text cell escaped (geo.escape.excel_cell: never a live formula), and
    the demo mark, saying what is illustrative, in the first row when anything shown is."""
    import pandas as pd

    buf = io.BytesIO()
    safe = df.copy()
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]):
            safe[col] = safe[col].astype(object).map(excel_cell)
    safe.columns = [excel_cell(str(c)) for c in safe.columns]
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        start = 2 if demo else 0
        safe.to_excel(xw, sheet_name=sheet_name, index=False, startrow=start)
        if demo:
            xw.sheets[sheet_name]["A1"] = excel_cell(common.t("demo.mark") + " — " + common.demo_text(demo))
    return buf.getvalue()
