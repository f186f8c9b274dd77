"""Nhập dữ liệu (editors): the Excel template, a year's export, status and route imports.

Every import is a dry run first: the report lists each error and warning with sheet, row and
column, the rows matched by something other than the code or the exact 2025 name (to confirm),
and the non-data rows skipped; the "Nhập" button appears only when there is no error, and nothing
is stored otherwise. An upload is parsed once per content (sha256) and year: reruns, a language
switch included, reuse the parsed report; the upload's temporary folder is removed right after
parsing."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import service
from geo.crs import CRS_LABELS
from geo.importer import (MAX_FILE_BYTES, commit_routes, commit_status, digest, export_year, parse_routes_upload,
                          parse_status_upload, preview_status, write_template)
from geo.importer.status_import import _on_route_codes
from geo.importer.table import EXTENSIONS as STATUS_EXTENSIONS
from geo.model import YEARS
from ui import auth as ui_auth
from ui import common

@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def _parsed_status(key: str, name: str, year: int, on_route: frozenset, _data: bytes):
    """The dry run's parse, once per (content, name, year, communes on a route)."""
    return parse_status_upload(_data, name, year, on_route=on_route)


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def _parsed_routes(key: str, name: str, crs, route_id, route_name, width, _data: bytes):
    return parse_routes_upload(_data, name, crs=crs, route_id=route_id, name=route_name, width_km=width)


@st.cache_data(show_spinner=False, max_entries=32)
def _on_route(url: str, version: int, year: int, _store) -> frozenset:
    return frozenset(_on_route_codes(_store, year))


def _too_big(up) -> bool:
    limit = min(MAX_FILE_BYTES, common.config().upload_limit_bytes)
    if up.size > limit:
        st.error(common.t("imp.too_big", name=up.name, mb=f"{up.size / 1e6:.1f}", limit=f"{limit / 1e6:.0f}"))
        return True
    return False


def _report(rep) -> None:
    (st.error if rep.errors else st.success)(rep.summary())
    for n in rep.notes:
        st.caption(n)
    if rep.issues():
        df = pd.DataFrame([i.as_dict() for i in rep.issues()])
        st.dataframe(df, hide_index=True, width="stretch")
    if rep.matches:
        st.warning(common.t("imp.matches", n=len(rep.matches)))
        st.dataframe(pd.DataFrame([m.as_dict() for m in rep.matches]), hide_index=True, width="stretch")
    if rep.skipped:
        with st.expander(common.t("imp.skipped", n=len(rep.skipped))):
            st.text("\n".join(rep.skipped))
    (st.error if rep.errors else st.info)(rep.outcome())


def _xlsx(write) -> bytes:
    """Bytes of the workbook ``write(path)`` makes."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "f.xlsx"
        write(out)
        return out.read_bytes()


def render() -> None:
    common.page_setup()
    lang = common.lang()
    user = common.current_user()
    ui_auth.require_role(user, "import")
    store = common.store()
    st.title(common.t("imp.title"))
    st.caption(common.t("imp.intro"))

    tab_status, tab_routes, tab_files = st.tabs([common.t("imp.tab_status"), common.t("imp.tab_routes"),
                                                 common.t("imp.tab_files")])

    with tab_files:
        y = st.selectbox(common.t("ui.year"), YEARS, key="tpl_year")
        c1, c2 = st.columns(2)
        c1.download_button(common.t("imp.template"), data=lambda: _xlsx(lambda p: write_template(p, y)),
                           file_name=f"mau-nhap-lieu_{y}.xlsx", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        if y in store.years():
            def _export() -> bytes:
                data = _xlsx(lambda p: export_year(store, y, p))
                service.record_export(store, user.name, f"Xuất Excel dữ liệu năm {y}")
                return data

            c2.download_button(common.t("imp.export_year", year=y), data=_export,
                               file_name=f"du-lieu_{y}{'_minh-hoa' if store.demo_flags(y).statuses else ''}.xlsx", on_click="ignore",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        else:
            c2.info(common.t("imp.no_year", year=y))

    with tab_status:
        year = st.selectbox(common.t("ui.year"), YEARS, key="imp_year")
        up = st.file_uploader(common.t("imp.status_file_any"), type=[e.lstrip(".") for e in STATUS_EXTENSIONS],
                              key="imp_status_file")
        if up is not None and not _too_big(up):
            data = up.getvalue()
            on_route = _on_route(store.url, store.data_version(), year, store)
            rep = _parsed_status(digest(data), up.name, year, on_route, data)
            preview_status(rep, store)
            _report(rep)
            if rep.ok and rep.changed:
                confirmed = True
                if rep.matches:
                    confirmed = st.checkbox(common.t("imp.confirm_matches", n=len(rep.matches)),
                                            key=f"imp_confirm_{digest(data)[:16]}")
                reason = st.text_input(common.t("imp.reason"), key="imp_reason", max_chars=300)
                if st.button(common.t("imp.go", n=rep.changed, year=year), type="primary",
                             disabled=not reason.strip() or not confirmed):
                    done = commit_status(rep, store, user=user.name, reason=f"{reason.strip()} (tệp {up.name})",
                                         source=up.name)
                    if done.stored:  # the write and its audit entry committed together (geo.service)
                        common.clear_data_caches()
                        st.success(done.outcome())
                    else:
                        _report(done)

    with tab_routes:
        up = st.file_uploader(common.t("imp.route_file"), type=["geojson", "json", "kml", "gpx", "zip"],
                              key="imp_route_file")
        c1, c2, c3 = st.columns(3)
        rid = c1.text_input(common.t("imp.route_id"), key="imp_route_id", max_chars=40).strip() or None
        rname = c2.text_input(common.t("imp.route_name"), key="imp_route_name", max_chars=200).strip() or None
        width = c3.text_input(common.t("imp.route_width"), key="imp_route_width", max_chars=10).strip() or None
        if up is not None and not _too_big(up):
            data = up.getvalue()
            crs = st.session_state.get("imp_crs")
            rep = _parsed_routes(digest(data), up.name, crs, rid, rname, width, data)
            if rep.crs_candidates:
                st.warning(common.t("imp.crs_question"))
                st.selectbox(common.t("imp.crs"), [None, *rep.crs_candidates], key="imp_crs",
                             format_func=lambda c: common.t("imp.crs_choose") if c is None else CRS_LABELS.get(c, c))
            choice = None
            if not rep.errors and rep.items:
                probe = commit_routes(_parsed_routes(digest(data), up.name, crs, rid, rname, width, data), store,
                                      user=user.name, dry_run=True)
                if probe.conflicts:
                    labels = {None: common.t("imp.conflict_choose"), "replace": common.t("imp.conflict_replace"),
                              "keep_both": common.t("imp.conflict_keep")}
                    choice = st.radio(common.t("imp.conflict"), list(labels), format_func=labels.get,
                                      key="imp_route_conflict")
            rep = commit_routes(rep, store, user=user.name, dry_run=True, on_conflict=choice)
            _report(rep)
            if rep.ok and rep.changed and (not rep.conflicts or choice):
                reason = st.text_input(common.t("imp.reason"), key="imp_route_reason", max_chars=300)
                if st.button(common.t("imp.go_routes", n=rep.changed), type="primary", disabled=not reason.strip()):
                    fresh = _parsed_routes(digest(data), up.name, crs, rid, rname, width, data)
                    done = commit_routes(fresh, store, user=user.name, on_conflict=choice,
                                         reason=f"{reason.strip()} (tệp {up.name})")
                    if done.stored:  # the write and its audit entry committed together (geo.service)
                        common.clear_data_caches()
                        st.success(done.outcome())
                    else:
                        _report(done)


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
