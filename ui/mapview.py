"""Showing maps in the app: filters, the persistent map (livemap), click-to-profile, downloads."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
from pathlib import Path

import streamlit as st

from geo import yearview
from geo.escape import excel_cell
from geo.export import html as html_export
from geo.export import sheet
from geo.maps.tooltip import category_label as _category_label
from ui import common, nav

MAP_HEIGHT = 720


def category_label(cat: str, lang: str) -> str:
    return _category_label(cat, lang)


def hit_label(code: str, hits, lang: str) -> str:
    h = next(h for h in hits if h.code == code)
    via = f" ({common.t('search.formerly')} {h.via})" if h.via else ""
    return f"{h.name} · {h.code}{via}"


def show(res, key: str, height: int = MAP_HEIGHT, fade: dict | None = None, previews: dict | None = None,
         fit: dict | None = None) -> None:
    """Render the MapResult's map as the persistent map (livemap, geo.maps.live): the geometry
    reaches the browser once per session, a year, filter or language change sends only the
    per-commune styles, tooltips and marks. ``key`` names the map on the page: it must NOT hold
    the year or the language (a new key mounts a new map). A click on a commune opens its profile;
    pan and zoom do not rerun the page. The demo badge is the map's own (geo.maps.demo_mark).
    ``fit``: the page's window fit (ui.layout.page_fit: the map and the side panel take the window's
    height left; the map does it itself, so its first drawing is at that size); else ``height``.
    ``fade``: the communes' faded styles for the page's filter panel (geo.maps.live.app_fade).
    ``previews``: ``{year: map}``, the same view for the other years (a year pick restyles at once)."""
    from livemap import live_map

    clicked = live_map(res, key=key, height=height, fade=fade, previews=previews, page_fit=fit,
                       texts={"failed": common.t("map.load_failed"), "retry": common.t("map.retry")})
    if clicked:
        st.switch_page(nav.page("ho_so_xa"), query_params={"xa": clicked})


# --- downloads ---------------------------------------------------------------------------------
# One element of ours (livemap.downloads; why: ui/downloads.py). The files are made only when a
# button is clicked (on a worker thread of the app's server), from the year view of that moment, and
# the click is audited (geo.service.record_export).


def _html_bytes(yv, view: str, lang: str, day: str) -> bytes:
    page = html_export.export_view(yv, view, lang=lang, date=dt.date.fromisoformat(day))
    return page.encode("utf-8")


def _sheet_bytes(yv, fmt: str, view: str, paper: str, lang: str, day: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"sheet.{fmt}"
        sheet.write_sheet(out, fmt, yv, view, lang=lang, paper=paper, date=dt.date.fromisoformat(day), dpi=150)
        return out.read_bytes()


def item_id(kind: str, *parts) -> str:
    """A download's id in this session: its kind and a digest of what it shows (view, year,
    language), so a button always asks for the file it was drawn for."""
    return f"{kind}-{hashlib.sha1(repr(parts).encode('utf-8')).hexdigest()[:12]}"


def offer_files(offers: list, *, key: str, paper: bool = False, print_button: bool = False) -> None:
    """Offer ``offers`` (ui.downloads.Offer) to this browser session and show their buttons (and,
    with ``paper``, the paper size; with ``print_button``, a print button) as one element."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from livemap import downloads as show_downloads
    from ui import downloads

    lang = common.lang()
    token = st.session_state.get(TOKEN_KEY)
    if not isinstance(token, str):
        token = st.session_state[TOKEN_KEY] = downloads.new_token()
    ctx = get_script_run_ctx()
    downloads.REGISTRY.offer(token, session_id=getattr(ctx, "session_id", "") or "", user=common.user_name(),
                             store=common.store(), lang=lang, offers=offers)
    items = [{"id": o.item, "label": o.label, "url": downloads.url(token, o.item), "name": o.name, "paper": o.paper}
             for o in offers]
    papers = {"label": common.t("dl.paper"), "options": [["a4", "A4"], ["a3", "A3"]], "value": "a4"} if paper else None
    texts = {"busy": common.t("dl.busy"), "net": common.t("dl.err.net"), "http": common.t("dl.err.http")}
    off = None if downloads.SERVED else common.t("dl.err.not_served")
    show_downloads(items, key=key, paper=papers, print_label=common.t("ui.print") if print_button else None,
                   texts=texts, off=off)


TOKEN_KEY = "_tq_dl_token"  # this browser session's download token (ui/downloads.py)


def download_row(view: str, year: int, lang: str) -> None:
    """Standalone HTML map and printable sheet downloads for the current view, the paper size and
    the print button (one element, in the side panel)."""
    from ui.downloads import Offer

    slug = view.replace(":", "_")
    demo = common.demo_suffix(common.year_view(year).demo)
    store, today = common.store(), lambda: dt.date.today().isoformat()

    def html(_paper):
        return _html_bytes(yearview.year_view(store, year), view, lang, today())

    def sheet_of(fmt):
        return lambda paper: _sheet_bytes(yearview.year_view(store, year), fmt, view, paper, lang, today())

    offers = [Offer(item_id("html", view, year, lang), common.t("dl.html"), f"ban-do_{slug}_{year}{demo}.html",
                    "text/html; charset=utf-8", f"HTML {view} {year}", html)]
    for fmt, mime in (("pdf", "application/pdf"), ("png", "image/png")):
        offers.append(Offer(item_id(fmt, view, year, lang), common.t(f"dl.{fmt}"),
                            f"to-trinh_{slug}_{year}_{{paper}}{demo}.{fmt}", mime,
                            f"{fmt.upper()} {view} {{paper}} {year}", sheet_of(fmt), paper=True))
    offer_files(offers, key=f"tq_dl_{slug}", paper=True, print_button=True)


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
