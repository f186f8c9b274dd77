"""Trình chiếu: the slide list (edit, save), then the full-screen slideshow for the projector.

The slideshow is the same self-contained page as the download (geo.present.slides_html), shown with
``st.iframe`` (the replacement of the deprecated ``st.components.v1.html``). While presenting
(``?trinh-chieu=1``) Streamlit's sidebar, header and toolbar are hidden, a thin strip at the top
holds the exit button and the public-demo notice on one line, and the slideshow fills the rest of
the screen (fixed, so nothing can push its controls or the south of its map off screen).
"""

import datetime as dt
import json

import pandas as pd
import streamlit as st

from geo import present
from ui import common

PARAM = "trinh-chieu"
AUTO_CHOICES = (0, 10, 20, 30, 60)
# While presenting: a strip of STRIP px at the top (exit button, public-demo notice on one line),
# the slideshow fixed below it; the page itself never scrolls.
STRIP = 44
PRESENT_CSS = f"""<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"], footer {{ display:none !important; }}
html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {{ overflow:hidden !important; }}
[data-testid="stAppViewContainer"], [data-testid="stMain"] {{ background:#0b2545; }}
.block-container, [data-testid="stMainBlockContainer"] {{ padding:0 !important; max-width:100% !important; }}
[data-testid="stMain"] iframe[title] {{ position:fixed !important; left:0; top:{STRIP}px; width:100vw !important;
  height:calc(100vh - {STRIP}px) !important; border:0; z-index:1000; }}
.st-key-present_exit {{ position:fixed !important; left:8px; top:5px; width:auto !important; z-index:1001; }}
.st-key-present_exit button {{ min-height:0; height:{STRIP - 10}px; padding:0 14px; font-weight:700; }}
[data-testid="stMain"] [data-testid="stAlert"] {{ position:fixed !important; top:5px; left:260px; right:8px;
  height:{STRIP - 10}px; z-index:1001; margin:0; overflow:hidden; }}
[data-testid="stMain"] [data-testid="stAlert"] > div {{ padding:4px 10px; min-height:0; height:100%; box-sizing:border-box; }}
[data-testid="stMain"] [data-testid="stAlert"] p {{ white-space:nowrap; overflow:hidden; text-overflow:ellipsis; font-size:14px;
  margin:0; }}
[data-testid="stMain"] .tq-public {{ position:fixed !important; top:5px; left:260px; right:8px; height:{STRIP - 10}px;
  z-index:1001; margin:0 !important; padding:0 10px !important; box-sizing:border-box; align-items:center;
  overflow:hidden; white-space:nowrap; font-size:14px !important; }}
[data-testid="stMain"] .tq-public span {{ overflow:hidden; text-overflow:ellipsis; }}
</style>"""


def _can_save() -> bool:
    user = common.current_user()
    return user is not None and hasattr(user, "can") and user.can("edit")


def _catalogue(store, year: int, routes_all, saved: list[dict] | None, lang: str) -> pd.DataFrame:
    """Every possible slide, the chosen ones first in their order (shown), the others hidden."""
    chosen = saved if saved is not None else present.default_slides(store, year)
    allk = ([{"kind": "overview", "arg": None}] + [{"kind": "route", "arg": r.id} for r in routes_all]
            + [{"kind": k, "arg": None} for k in ("key", "progress", "change")])
    rows, seen = [], set()
    for i, s in enumerate(chosen, start=1):
        rows.append({"show": True, "order": i, "kind": s["kind"], "arg": s["arg"] or "",
                     "label": present.slide_label(s, routes_all, lang), "title": s.get("title") or ""})
        seen.add((s["kind"], s["arg"] or ""))
    n = len(rows)
    for s in allk:
        if (s["kind"], s["arg"] or "") not in seen:
            n += 1
            rows.append({"show": False, "order": n, "kind": s["kind"], "arg": s["arg"] or "",
                         "label": present.slide_label(s, routes_all, lang), "title": ""})
    return pd.DataFrame(rows)


def _from_editor(df: pd.DataFrame) -> list[dict]:
    df = df[df["show"].fillna(False).astype(bool)].copy()
    df["order"] = pd.to_numeric(df["order"], errors="coerce").fillna(10_000)
    df = df.sort_values("order", kind="stable")
    return [{"kind": str(r.kind), "arg": (str(r.arg) or None) if isinstance(r.arg, str) and r.arg else None,
             "title": (str(r.title).strip() or None) if isinstance(r.title, str) else None}
            for r in df.itertuples()]


def _deck(store, year: int, lang: str, slides: list[dict], auto: int) -> bytes:
    day = dt.date.today().isoformat()
    key = ("slides_html", year, lang, json.dumps(slides, ensure_ascii=False, sort_keys=True), auto, day)
    return common.cached(key, lambda: present.slides_html(
        store, year, slides, lang=lang, date=dt.date.fromisoformat(day),
        auto_advance_s=auto or None).encode("utf-8"))


def _present(store, year: int, lang: str, slides: list[dict], auto: int) -> None:
    """Presenting: nothing but the slides and a way out."""
    st.markdown(PRESENT_CSS, unsafe_allow_html=True)
    if st.button(common.t("present.exit"), key="present_exit", icon=":material/close:"):
        del st.query_params[PARAM]
        st.rerun()
    try:
        data = _deck(store, year, lang, slides, auto)
    except present.PresentError as exc:
        st.error(str(exc))
        st.stop()
    st.iframe(data.decode("utf-8"), height=600, alt=common.t("present.title"))


def render() -> None:
    common.page_setup()
    lang = common.lang()
    year = common.year_selector()
    store = common.store()
    routes_all = store.routes()

    saved = present.load_slides(store)
    slides = st.session_state.get("present_slides") or saved or present.default_slides(store, year)
    auto = int(st.session_state.get("present_auto", 0))

    if st.query_params.get(PARAM) == "1":
        _present(store, year, lang, slides, auto)
        return

    # --- preparing: the slide list, auto-advance, start, download --------------------------------
    st.title(common.t("present.title"))
    common.demo_banner(year)
    st.subheader(common.t("present.editor"))
    st.caption(common.t("present.editor_help"))
    edited = st.data_editor(
        _catalogue(store, year, routes_all, st.session_state.get("present_slides") or saved, lang),
        key=f"present_editor_{year}_{lang}", hide_index=True, width="stretch", num_rows="fixed",
        column_order=("show", "order", "label", "title"),
        column_config={
            "show": st.column_config.CheckboxColumn(common.t("present.col.show"), width="small"),
            "order": st.column_config.NumberColumn(common.t("present.col.order"), min_value=1, max_value=99, step=1,
                                                   width="small"),
            "label": st.column_config.TextColumn(common.t("present.col.kind"), disabled=True),
            "title": st.column_config.TextColumn(common.t("present.col.title"), max_chars=present.MAX_TITLE),
        })
    slides = _from_editor(edited)
    st.session_state["present_slides"] = slides
    st.caption(common.t("present.count", n=len(present.resolve_slides(store, year, slides))))

    c1, c2 = st.columns(2)
    can_save = _can_save()
    if c1.button(common.t("present.save"), disabled=not can_save, key="present_save", type="secondary"):
        try:
            clean = present.save_slides(store, slides, user=common.user_name())
        except present.PresentError as exc:
            st.error(str(exc))
        else:
            st.success(common.t("present.saved", n=len(clean)))
    if not can_save:
        c1.caption(common.t("present.not_editor"))
    if c2.button(common.t("present.reset"), key="present_reset"):
        st.session_state.pop("present_slides", None)
        st.session_state.pop(f"present_editor_{year}_{lang}", None)
        st.session_state["present_slides"] = present.default_slides(store, year)
        st.rerun()

    auto = st.selectbox(common.t("present.auto"), AUTO_CHOICES, key="present_auto",
                        format_func=lambda s: common.t("present.auto_off") if not s else common.t("present.auto_s", s=s))

    st.divider()
    st.caption(common.t("present.hint"))
    b1, b2 = st.columns(2)
    if b1.button(common.t("present.start"), type="primary", key="present_start", width="stretch",
                 icon=":material/slideshow:"):
        try:
            present.validate_slides(store, slides)
        except present.PresentError as exc:
            st.error(str(exc))
        else:
            st.query_params[PARAM] = "1"
            st.rerun()
    b2.download_button(common.t("present.download"), data=lambda: _deck(store, year, lang, slides, int(auto)),
                       file_name=f"trinh-chieu_{year}{common.demo_suffix(common.year_view(year).demo)}.html",
                       mime="text/html", key="present_download", on_click="ignore", width="stretch")


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
