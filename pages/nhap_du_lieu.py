"""Nhập dữ liệu (editors): the Excel template, a year's export, status and route imports.

Every import is a dry run first: the report lists each error and warning with sheet, row and
column; the "Nhập" button appears only when there is no error, and nothing is stored otherwise."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import audit
from geo.crs import CRS_LABELS
from geo.importer import MAX_FILE_BYTES, export_year, import_routes, import_status, write_template
from geo.model import YEARS
from ui import auth as ui_auth
from ui import common


def render() -> None:
    common.page_setup()
    lang = common.lang()
    user = common.current_user()
    ui_auth.require_role(user, "import")
    store = common.store()
    st.title(common.t("imp.title"))
    st.caption(common.t("imp.intro"))

    def _save_upload(up) -> Path:
        """The upload in a private temp folder, under a fixed name keeping only its extension."""
        suffix = Path(up.name).suffix.lower()[:8]
        folder = Path(tempfile.mkdtemp(prefix="tq-upload-"))
        path = folder / f"upload{suffix}"
        path.write_bytes(up.getvalue())
        return path

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
        (st.error if rep.errors else st.info)(rep.outcome())

    def _xlsx(write) -> bytes:
        """Bytes of the workbook ``write(path)`` makes."""
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "f.xlsx"
            write(out)
            return out.read_bytes()

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
                audit.record(store, user.name, "export", f"Xuất Excel dữ liệu năm {y}")
                return data

            c2.download_button(common.t("imp.export_year", year=y), data=_export,
                               file_name=f"du-lieu_{y}{'_minh-hoa' if store.is_demo(y) else ''}.xlsx", on_click="ignore",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        else:
            c2.info(common.t("imp.no_year", year=y))

    with tab_status:
        year = st.selectbox(common.t("ui.year"), YEARS, key="imp_year")
        up = st.file_uploader(common.t("imp.status_file"), type=["xlsx", "csv"], key="imp_status_file")
        if up is not None and not _too_big(up):
            path = _save_upload(up)
            rep = import_status(path, year, store, user=user.name, dry_run=True)
            rep.source = up.name
            _report(rep)
            if rep.ok and rep.changed:
                reason = st.text_input(common.t("imp.reason"), key="imp_reason", max_chars=300)
                if st.button(common.t("imp.go", n=rep.changed, year=year), type="primary", disabled=not reason.strip()):
                    done = import_status(path, year, store, user=user.name, dry_run=False,
                                         reason=f"{reason.strip()} (tệp {up.name})")
                    if done.stored:
                        audit.record(store, user.name, "import", f"Nhập trạng thái năm {year} từ tệp {up.name}",
                                     {"file": up.name, "year": year, "changed": done.changed})
                        common.clear_data_caches()
                        st.success(done.outcome())
                    else:
                        _report(done)

    with tab_routes:
        up = st.file_uploader(common.t("imp.route_file"), type=["geojson", "json", "kml", "gpx", "zip"],
                              key="imp_route_file")
        if up is not None and not _too_big(up):
            path = _save_upload(up)
            crs = st.session_state.get("imp_crs")
            rep = import_routes(path, store, user=user.name, crs=crs, dry_run=True)
            rep.source = up.name
            if rep.crs_candidates:
                st.warning(common.t("imp.crs_question"))
                st.selectbox(common.t("imp.crs"), [None, *rep.crs_candidates], key="imp_crs",
                             format_func=lambda c: common.t("imp.crs_choose") if c is None else CRS_LABELS.get(c, c))
            _report(rep)
            if rep.ok and rep.changed:
                reason = st.text_input(common.t("imp.reason"), key="imp_route_reason", max_chars=300)
                if st.button(common.t("imp.go_routes", n=rep.changed), type="primary", disabled=not reason.strip()):
                    done = import_routes(path, store, user=user.name, crs=crs, dry_run=False,
                                         reason=f"{reason.strip()} (tệp {up.name})")
                    if done.stored:
                        audit.record(store, user.name, "import", f"Nhập tuyến từ tệp {up.name}",
                                     {"file": up.name, "changed": done.changed, "crs": crs})
                        common.clear_data_caches()
                        st.success(done.outcome())
                    else:
                        _report(done)


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
