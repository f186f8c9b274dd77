"""Quản trị (admins): users and roles, the targets, the audit trail."""

import pandas as pd
import streamlit as st

from geo import audit, auth
from geo.model import YEARS
from geo.targets import parse_rows
from geo.store import StoreError
from ui import auth as ui_auth
from ui import common


def render() -> None:
    common.page_setup()
    user = common.current_user()
    ui_auth.require_role(user, "manage_users")
    store = common.store()
    st.title(common.t("adm.title"))
    tab_users, tab_targets, tab_audit = st.tabs([common.t("adm.users"), common.t("adm.targets"), common.t("adm.audit")])

    ROLES = ("viewer", "editor", "admin")

    with tab_users:
        users = auth.list_users(store)
        st.dataframe(pd.DataFrame([{
            common.t("adm.name"): u.name, common.t("adm.role"): common.t(f"role.{u.role}"),
            common.t("adm.disabled"): "✓" if u.disabled else "", common.t("adm.last_login"): u.last_login or "",
        } for u in users]), hide_index=True, width="stretch")
        with st.form("add_user", clear_on_submit=True):
            st.markdown(f"**{common.t('adm.add')}**")
            c1, c2, c3 = st.columns(3)
            name = c1.text_input(common.t("adm.name"), max_chars=64)
            pw = c2.text_input(common.t("adm.password"), type="password")
            role = c3.selectbox(common.t("adm.role"), ROLES, format_func=lambda r: common.t(f"role.{r}"))
            if st.form_submit_button(common.t("adm.add_go")):
                try:
                    auth.add_user(store, name, pw, role, by=user.name)
                    st.success(common.t("adm.added", name=name))
                except auth.AuthError as exc:
                    st.error(str(exc))
        if users:
            st.markdown(f"**{common.t('adm.change')}**")
            c1, c2, c3 = st.columns(3)
            who = c1.selectbox(common.t("adm.name"), [u.name for u in users], key="adm_who")
            new_role = c2.selectbox(common.t("adm.role"), ROLES, key="adm_role", format_func=lambda r: common.t(f"role.{r}"))
            if c2.button(common.t("adm.set_role")):
                try:
                    auth.set_role(store, who, new_role, by=user.name)
                    st.success(common.t("adm.done"))
                except auth.AuthError as exc:
                    st.error(str(exc))
            is_disabled = next(u.disabled for u in users if u.name == who)
            if c3.button(common.t("adm.enable") if is_disabled else common.t("adm.disable"),
                         disabled=(who == user.name)):
                try:
                    auth.set_disabled(store, who, not is_disabled, by=user.name)
                    st.success(common.t("adm.done"))
                except auth.AuthError as exc:
                    st.error(str(exc))

    with tab_targets:
        st.caption(common.t("adm.targets_help"))
        current = pd.DataFrame([{"year": tg.year, "scope": tg.scope, "share_pct": tg.share_pct, "count": tg.count,
                                 "note": tg.note} for tg in store.targets()])
        edited = st.data_editor(current, num_rows="dynamic", width="stretch", key="targets_editor", column_config={
            "year": st.column_config.NumberColumn(common.t("ui.year"), min_value=min(YEARS), max_value=max(YEARS), step=1),
            "scope": st.column_config.SelectboxColumn(common.t("adm.scope"), options=["ministry", "national", "province"]),
            "share_pct": st.column_config.NumberColumn(common.t("adm.share"), min_value=0.0, max_value=100.0),
            "count": st.column_config.NumberColumn(common.t("adm.count"), min_value=0, max_value=124, step=1),
            "note": st.column_config.TextColumn(common.t("field.note"), max_chars=200)})
        reason = st.text_input(common.t("imp.reason"), key="targets_reason", max_chars=300)
        if st.button(common.t("adm.save_targets"), type="primary", disabled=not reason.strip()):
            targets, problems = parse_rows(edited.to_dict("records"))
            if problems:
                for p in problems:
                    st.error(p)
            else:
                try:
                    store.put_targets(targets, user=user.name, reason=reason.strip())
                except StoreError as exc:
                    st.error(str(exc))
                else:
                    audit.record(store, user.name, "edit", "Sửa chỉ tiêu", {"targets": len(targets)})
                    common.clear_data_caches()
                    st.success(common.t("adm.done"))

    with tab_audit:
        c1, c2 = st.columns(2)
        who = c1.text_input(common.t("adm.filter_user"), key="aud_user") or None
        action = c2.selectbox(common.t("adm.filter_action"), [None, "login", "login_failed", "logout", "import", "edit",
                                                               "restore", "export", "user_add", "user_change"],
                              key="aud_action", format_func=lambda a: "—" if a is None else a)
        rows = audit.entries(store, user=who, action=action, limit=1000)
        st.dataframe(pd.DataFrame([{
            common.t("rev.at"): e.at, common.t("rev.user"): e.user, common.t("adm.action"): e.action_label,
            common.t("adm.what"): e.what, common.t("adm.detail"): "" if e.detail is None else str(e.detail)[:300],
        } for e in rows]), hide_index=True, width="stretch", height=420)

        def _csv() -> bytes:
            data = audit.csv_bytes(store, user=who, action=action)
            audit.record(store, user.name, "export", "Xuất nhật ký kiểm tra (CSV)")
            return data

        st.download_button(common.t("adm.audit_csv"), data=_csv, file_name="nhat-ky.csv", mime="text/csv",
                           on_click="ignore")


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
