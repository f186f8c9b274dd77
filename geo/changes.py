"""Change between two years, per commune: newly recognised, lost recognition, newly key, no longer key.

The one definition used by the status tables, the change map and the slides. A key commune is one
with a class (I/II/III) that is not recognised drug-free, as in :func:`geo.model.category`.
Plain inputs: two status frames (``code``, ``drug_free``, ``complexity_class``, ``category``).
"""

from __future__ import annotations

import pandas as pd

from .model import CLASSES

NEWLY_DRUG_FREE = "newly_recognised"
LOST_DRUG_FREE = "lost_recognition"
NEWLY_KEY = "newly_key"
NO_LONGER_KEY = "no_longer_key"
UNCHANGED = "unchanged"
CHANGES = (NEWLY_DRUG_FREE, LOST_DRUG_FREE, NEWLY_KEY, NO_LONGER_KEY, UNCHANGED)
# The change that colours a commune with several (a key commune recognised drug-free shows as
# newly recognised; its tooltip lists both).
PRIORITY = (LOST_DRUG_FREE, NEWLY_DRUG_FREE, NEWLY_KEY, NO_LONGER_KEY)

CHANGE_LABELS = {
    NEWLY_DRUG_FREE: ("Mới được công nhận không ma túy", "Newly recognised drug-free"),
    LOST_DRUG_FREE: ("Mất công nhận không ma túy", "Lost drug-free recognition"),
    NEWLY_KEY: ("Mới thành địa bàn trọng điểm", "Newly a key area"),
    NO_LONGER_KEY: ("Không còn là địa bàn trọng điểm", "No longer a key area"),
    UNCHANGED: ("Không thay đổi", "No change"),
}


def _truthy(v) -> bool:
    try:
        return bool(v) and v == v  # NA/NaN -> False
    except (TypeError, ValueError):
        return False


def _is_key(cls, drug_free) -> bool:
    return isinstance(cls, str) and cls in CLASSES and not _truthy(drug_free)


def change_frame(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """``after`` (geometry, names kept) with ``changes`` (list), ``change`` (the one that colours
    it), ``category_before`` and ``has_data`` (both years have an assessment)."""
    prev = before.set_index("code")
    out = after.copy()
    lists, primary, cat_before, has_data = [], [], [], []
    for code, df_now, cls_now, cat_now in zip(out["code"], out["drug_free"], out["complexity_class"],
                                              out["category"]):
        if code in prev.index:
            df_then, cls_then = prev.at[code, "drug_free"], prev.at[code, "complexity_class"]
            cat_then = prev.at[code, "category"]
        else:
            df_then, cls_then, cat_then = False, "", None
        ch = []
        if _truthy(df_now) and not _truthy(df_then):
            ch.append(NEWLY_DRUG_FREE)
        if _truthy(df_then) and not _truthy(df_now):
            ch.append(LOST_DRUG_FREE)
        if _is_key(cls_now, df_now) and not _is_key(cls_then, df_then):
            ch.append(NEWLY_KEY)
        if _is_key(cls_then, df_then) and not _is_key(cls_now, df_now):
            ch.append(NO_LONGER_KEY)
        lists.append(ch)
        primary.append(next((c for c in PRIORITY if c in ch), UNCHANGED))
        cat_before.append(cat_then)
        has_data.append(cat_then not in (None, "no_data") and cat_now != "no_data")
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
