"""The commune tooltip: name, code, category, class, decision number and date, population, routes.

Every value is passed through :func:`html.escape` (names, decision numbers, notes and route names
come from imported spreadsheets and GIS files and may hold anything). The markup around them is
ours. The code appears as "Mã: 00694" so a click can be traced back to the commune
(:func:`code_from_text` on streamlit-folium's ``last_object_clicked_tooltip``).
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re

from ..i18n import fmt_date, fmt_int, t
from ..model import CATEGORY_LABELS, CLASSES

NOTE_MAX = 240


def _blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        import pandas as pd

        if v is pd.NaT or (not isinstance(v, (list, tuple, str)) and pd.isna(v)):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(v, str) and not v.strip()


def _date(v, lang: str) -> str:
    if _blank(v):
        return ""
    if hasattr(v, "date") and not isinstance(v, dt.date):
        v = v.date()
    elif isinstance(v, dt.datetime):
        v = v.date()
    try:
        return fmt_date(v if isinstance(v, dt.date) else str(v), lang)
    except ValueError:
        return str(v)


def category_label(cat: str, lang: str = "vi") -> str:
    vi, en = CATEGORY_LABELS.get(cat, (cat, cat))
    return en if lang == "en" else vi


def _list(v) -> list[str]:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return []
    if isinstance(v, str):
        return [v] if v.strip() else []
    try:
        return [str(x) for x in v]
    except TypeError:
        return []


def tooltip_html(row, lang: str = "vi") -> str:
    """Safe HTML for one commune (``row``: a dict or pandas row of the status frame)."""
    get = row.get if hasattr(row, "get") else (lambda k, d=None: row[k] if k in row else d)
    e = html.escape
    k = lambda key: f'<span class="tq-k">{e(t(key, lang))}:</span> '  # noqa: E731
    lines = [f"<b>{e(str(get('name', '')))}</b>"]
    lines.append(k("field.code") + e(str(get("code", ""))))
    cat = get("category")
    if not _blank(cat):
        lines.append(k("map.tip.category") + e(category_label(str(cat), lang)))
    cls = get("complexity_class")
    cls = "" if _blank(cls) else str(cls)
    lines.append(k("map.tip.class") + (e(t("map.tip.class_n", lang, n=cls)) if cls in CLASSES
                                         else e(cls) if cls else "–"))
    dec_no = get("decision_no")
    dec_no = "" if _blank(dec_no) else str(dec_no)
    dec_date = _date(get("decision_date"), lang)
    if dec_no or dec_date:
        txt = e(dec_no) + (f" {e(t('map.tip.dated', lang))} {e(dec_date)}" if dec_date else "")
        lines.append(k("map.tip.decision") + txt.strip())
    pop = get("population")
    lines.append(k("field.population") + (e(fmt_int(pop, lang)) if not _blank(pop) else "–"))
    routes = _list(get("route_names")) or _list(get("routes"))
    lines.append(k("map.tip.routes") + (e(", ".join(routes)) if routes else "–"))
    note = get("note")
    if not _blank(note):
        note = str(note)
        if len(note) > NOTE_MAX:
            note = note[:NOTE_MAX - 1] + "…"
        lines.append(k("map.tip.note") + e(note))
    return "<br>".join(lines)


_CODE_RE = re.compile(r"(?:Mã|Code):\s*(\d{5})")


def code_from_text(text: str | None) -> str | None:
    """The commune code in a tooltip's text (streamlit-folium returns it on click), or None."""
    if not text:
        return None
    m = _CODE_RE.search(text)
    return m.group(1) if m else None
