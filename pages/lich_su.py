"""Lịch sử thay đổi: every revision (who, when, why), the difference between two, and restore.

Restoring writes a NEW revision equal to the chosen one's state: history is never rewritten."""

import pandas as pd
import streamlit as st

from geo import audit
from geo.store import StoreError
from ui import auth as ui_auth
from ui import common


def render() -> None:
    common.page_setup()
    user = common.current_user()
    ui_auth.require_role(user, "import")
    store = common.store()
    st.title(common.t("rev.title"))

    revs = store.revisions(limit=500)
    table = pd.DataFrame([{
        common.t("rev.id"): r.id, common.t("rev.at"): r.at, common.t("rev.user"): r.user,
        common.t("rev.kind"): r.kind, common.t("rev.reason"): r.reason, common.t("rev.summary"): r.summary,
        common.t("rev.source"): r.source, common.t("rev.demo"): "✓" if r.demo else "",
    } for r in revs])
    st.dataframe(table, hide_index=True, width="stretch", height=360)

    ids = [r.id for r in revs]
    if len(ids) >= 2:
        st.subheader(common.t("rev.compare"))
        c1, c2 = st.columns(2)
        a = c1.selectbox(common.t("rev.from"), ids, index=1, key="rev_a")
        b = c2.selectbox(common.t("rev.to"), ids, index=0, key="rev_b")
        changes = store.diff(a, b)
        st.caption(common.t("rev.n_changes", n=len(changes)))
        if changes:
            st.dataframe(pd.DataFrame([{
                common.t("rev.entity"): c.entity, common.t("rev.key"): c.key, common.t("rev.field"): c.field,
                common.t("rev.before"): "" if c.before is None else str(c.before)[:200],
                common.t("rev.after"): "" if c.after is None else str(c.after)[:200],
            } for c in changes[:2000]]), hide_index=True, width="stretch")

    if user.can("restore") and ids:
        st.subheader(common.t("rev.restore"))
        target = st.selectbox(common.t("rev.restore_to"), ids, key="rev_restore")
        reason = st.text_input(common.t("imp.reason"), key="rev_reason", max_chars=300)
        if st.button(common.t("rev.restore_go", id=target), type="primary", disabled=not reason.strip()):
            try:
                new = store.restore(target, user=user.name, reason=reason.strip())
            except StoreError as exc:
                st.error(str(exc))
            else:
                audit.record(store, user.name, "restore", f"Khôi phục về phiên bản {target}",
                             {"restored": target, "revision": new})
                common.clear_data_caches()
                st.success(common.t("rev.restored", id=target, new=new))
    elif ids:
        st.caption(common.t("rev.admin_only"))


if __name__ == "__main__":  # run as a script: only Streamlit's legacy pages/ mode does that (ui/router.py)
    from ui.router import main

    main()
