"""Change between two years, per commune: newly recognised, lost recognition, newly key, no longer key.

Plain inputs: two status frames (``code``, ``category``, ``drug_free``, ``complexity_class``).
"""

from __future__ import annotations

import geopandas as gpd

from ..model import CLASSES

NEWLY_DRUG_FREE = "newly_drug_free"
LOST_DRUG_FREE = "lost_drug_free"
NEWLY_KEY = "newly_key"
NO_LONGER_KEY = "no_longer_key"
UNCHANGED = "unchanged"
CHANGES = (NEWLY_DRUG_FREE, LOST_DRUG_FREE, NEWLY_KEY, NO_LONGER_KEY, UNCHANGED)
# Priority of the change that colours a commune when it has several (e.g. a key commune that
# became drug-free is shown as newly recognised; its tooltip lists both).
PRIORITY = (LOST_DRUG_FREE, NEWLY_DRUG_FREE, NEWLY_KEY, NO_LONGER_KEY)

CHANGE_LABELS = {
    NEWLY_DRUG_FREE: ("Mới được công nhận không ma túy", "Newly recognised drug-free"),
    LOST_DRUG_FREE: ("Mất công nhận không ma túy", "Lost drug-free recognition"),
    NEWLY_KEY: ("Mới thành địa bàn trọng điểm", "Newly a key area"),
    NO_LONGER_KEY: ("Không còn là địa bàn trọng điểm", "No longer a key area"),
    UNCHANGED: ("Không thay đổi", "No change"),
}
CHANGE_COLOURS = {NEWLY_DRUG_FREE: "#2e7d32", LOST_DRUG_FREE: "#b71c1c", NEWLY_KEY: "#ef6c00",
                  NO_LONGER_KEY: "#1565c0", UNCHANGED: "#e0e0e0"}
CHANGE_SYMBOLS = {NEWLY_DRUG_FREE: "+", LOST_DRUG_FREE: "−", NEWLY_KEY: "▲", NO_LONGER_KEY: "▼",
                  UNCHANGED: ""}
CHANGE_TEXT = {NEWLY_DRUG_FREE: "#ffffff", LOST_DRUG_FREE: "#ffffff", NEWLY_KEY: "#1a1a1a",
               NO_LONGER_KEY: "#ffffff", UNCHANGED: "#1a1a1a"}


def _truthy(v) -> bool:
    try:
        return bool(v) and v == v
    except (TypeError, ValueError):
        return False


def _is_key(v) -> bool:
    return isinstance(v, str) and v in CLASSES


def change_frame(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``after`` (geometry, names) with ``changes`` (list) and ``change`` (the one that colours it)."""
    prev = before.set_index("code")
    out = after.copy()
    changes, primary, cat_before = [], [], []
    for code, df_now, cls_now in zip(out["code"], out["drug_free"], out["complexity_class"]):
        if code in prev.index:
            df_then, cls_then = prev.at[code, "drug_free"], prev.at[code, "complexity_class"]
            cat_before.append(prev.at[code, "category"] if "category" in prev else None)
        else:
            df_then, cls_then = False, ""
            cat_before.append(None)
        ch = []
        if _truthy(df_now) and not _truthy(df_then):
            ch.append(NEWLY_DRUG_FREE)
        if _truthy(df_then) and not _truthy(df_now):
            ch.append(LOST_DRUG_FREE)
        if _is_key(cls_now) and not _is_key(cls_then):
            ch.append(NEWLY_KEY)
        if _is_key(cls_then) and not _is_key(cls_now):
            ch.append(NO_LONGER_KEY)
        changes.append(ch)
        primary.append(next((c for c in PRIORITY if c in ch), UNCHANGED))
    out["changes"] = changes
    out["change"] = primary
    out["category_before"] = cat_before
    return out


def count_changes(frame: gpd.GeoDataFrame) -> dict[str, int]:
    """Communes per primary change (sums to the number of communes)."""
    counts = {c: 0 for c in CHANGES}
    for c in frame["change"]:
        counts[c] = counts.get(c, 0) + 1
    return counts
