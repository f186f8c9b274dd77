"""The commune tooltip: name, code, category, class, decision number and date, population, routes.

Every value is passed through :func:`html.escape` (names, decision numbers, notes and route names
come from imported spreadsheets and GIS files and may hold anything). The markup around them is
ours.

A click identifies the commune by the ``code`` property of the clicked feature (every commune
feature carries ``code``; see geo.maps.layers.add_communes): :func:`code_from_click` on the dict
``st_folium`` returns reads ``last_active_drawing.properties.code``. :func:`code_from_text` (the
code in the tooltip's text, "Mã: 00694") stays as a fallback for old callers.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re

from ..i18n import fmt_date, fmt_int, t
from ..model import CLASSES
from ..model import category_label as _category_label

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
    """Same as :func:`geo.model.category_label` (labels from geo.i18n ``cat.<key>``)."""
    return _category_label(cat, lang)


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
    """The commune code in a tooltip's text (streamlit-folium returns it on click), or None.
    Prefer :func:`code_from_click`."""
    if not text:
        return None
    m = _CODE_RE.search(text)
    return m.group(1) if m else None


_CODE_OK = re.compile(r"\d{5}")


def code_from_feature(feature) -> str | None:
    """The ``code`` property of a clicked GeoJSON feature (a dict), or None (route, border…)."""
    if not isinstance(feature, dict):
        return None
    code = (feature.get("properties") or {}).get("code")
    return str(code) if code is not None and _CODE_OK.fullmatch(str(code)) else None


def code_from_click(out) -> str | None:
    """The commune a click on a map chose, from ``st_folium``'s returned dict: the clicked
    feature's ``code`` property (``last_active_drawing``), else the tooltip text (fallback)."""
    out = out or {}
    return code_from_feature(out.get("last_active_drawing")) or code_from_text(out.get("last_object_clicked_tooltip"))
