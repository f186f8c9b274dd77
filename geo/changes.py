"""Change between two years, per commune: newly recognised, lost recognition, newly key, no longer key.

The one definition used by the status tables, the change map and the slides. Recognition and key
status come from each year's ``category`` (:func:`geo.model.category`, the one rule: a key commune
is classed I/II/III and not recognised drug-free — :func:`geo.model.is_key`).
Plain inputs: two status frames (``code``, ``category``).
"""

from __future__ import annotations

import pandas as pd

from .i18n import t
from .model import CAT_DRUG_FREE, CAT_NO_DATA, is_key_category

NEWLY_DRUG_FREE = "newly_recognised"
LOST_DRUG_FREE = "lost_recognition"
NEWLY_KEY = "newly_key"
NO_LONGER_KEY = "no_longer_key"
UNCHANGED = "unchanged"
CHANGES = (NEWLY_DRUG_FREE, LOST_DRUG_FREE, NEWLY_KEY, NO_LONGER_KEY, UNCHANGED)
# The change that colours a commune with several (a key commune recognised drug-free shows as
# newly recognised; its tooltip lists both).
PRIORITY = (LOST_DRUG_FREE, NEWLY_DRUG_FREE, NEWLY_KEY, NO_LONGER_KEY)


def change_label(kind: str, lang: str = "vi") -> str:
    """The label of a change kind (i18n key ``change.<kind>``)."""
    return t(f"change.{kind}", lang)


# (vi, en) per kind, derived from geo.i18n for old callers; use change_label(kind, lang).
CHANGE_LABELS = {c: (change_label(c, "vi"), change_label(c, "en")) for c in CHANGES}


def _cat(v) -> str | None:
    return v if isinstance(v, str) and v else None


def changes_between(cat_before: str | None, cat_after: str | None) -> list[str]:
    """The change kinds from one category to another (``None``/``no_data``: no assessment)."""
    ch = []
    df_then, df_now = cat_before == CAT_DRUG_FREE, cat_after == CAT_DRUG_FREE
    key_then, key_now = is_key_category(cat_before), is_key_category(cat_after)
    if df_now and not df_then:
        ch.append(NEWLY_DRUG_FREE)
    if df_then and not df_now:
        ch.append(LOST_DRUG_FREE)
    if key_now and not key_then:
        ch.append(NEWLY_KEY)
    if key_then and not key_now:
        ch.append(NO_LONGER_KEY)
    return ch


def change_frame(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """``after`` (geometry, names kept) with ``changes`` (list), ``change`` (the one that colours
    it), ``category_before`` and ``has_data`` (both years have an assessment)."""
    prev = dict(zip(before["code"].astype(str), before["category"]))
    out = after.copy()
    lists, primary, cat_before, has_data = [], [], [], []
    for code, cat_now in zip(out["code"].astype(str), out["category"]):
        cat_then, cat_now = _cat(prev.get(code)), _cat(cat_now)
        ch = changes_between(cat_then, cat_now)
        lists.append(ch)
        primary.append(next((c for c in PRIORITY if c in ch), UNCHANGED))
        cat_before.append(cat_then)
        has_data.append(cat_then not in (None, CAT_NO_DATA) and cat_now not in (None, CAT_NO_DATA))
    out["changes"] = lists
    out["change"] = primary
    out["category_before"] = cat_before
    out["has_data"] = has_data
    return out


def count_changes(frame: pd.DataFrame) -> dict[str, int]:
    """Communes per primary change (sums to the number of communes)."""
    counts = {c: 0 for c in CHANGES}
    for c in frame["change"]:
        counts[c] = counts.get(c, 0) + 1
    return counts
