"""The Overview's map filters: which communes a choice keeps (one rule, here).

A choice is, per filter, the values ticked: status categories, key-area classes, routes, old
provinces, former districts. A commune is kept when, for every filter with something ticked, it
matches at least one of the ticked values (AND across filters, OR within one); an empty choice
keeps every commune.

The filters run in the browser (static/tq-live.js, ``filterPanel``), so a tick fades the map at
once, without a round trip to the server. The browser does not re-implement the rule: for each
value, :func:`panel` sends the communes that :func:`apply_filters` keeps for that value alone, and
the browser intersects the unions of those lists. Because the rule is "OR within, AND across",
that gives exactly :func:`apply_filters`' answer for any choice (tests/test_filters.py checks it).
"""

from __future__ import annotations

from typing import Mapping, Sequence

from .boundaries import split_districts
from .i18n import t
from .maps.compact import encode_ints
from .model import CATEGORIES, CLASSES

# (key, i18n label) in the panel's order
GROUPS = (("cat", "filter.category"), ("class", "filter.class"), ("route", "filter.route"),
          ("prov", "field.old_province"), ("dist", "field.former_districts"))
KEYS = tuple(k for k, _ in GROUPS)
PROVINCES = ("Hà Giang", "Tuyên Quang")


def _route_ids(value) -> set[str]:
    """A row's routes: a list (or array) of route ids; none for a missing value."""
    if value is None or isinstance(value, (str, bytes, float)):
        return set()
    try:
        return {str(v) for v in value}
    except TypeError:
        return set()


def _mask(frame, flags: list[bool]):
    # a boolean Series, not a list: an empty list would select columns (none), not rows
    import pandas as pd

    return pd.Series(flags, index=frame.index, dtype=bool)


def apply_filters(frame, cats=(), classes=(), route_ids=(), provinces=(), districts=()):
    """The rows of a year view's ``frame`` that the choice keeps (an empty filter lets everything
    through)."""
    sel = frame
    if cats:
        sel = sel[sel["category"].isin(list(cats))]
    if classes:
        sel = sel[sel["complexity_class"].isin(list(classes))]
    if route_ids:
        want = set(route_ids)
        sel = sel[_mask(sel, [bool(_route_ids(rs) & want) for rs in sel["routes"]])]
    if provinces:
        sel = sel[sel["old_province"].isin(list(provinces))]
    if districts:
        want = set(districts)
        sel = sel[_mask(sel, [bool(split_districts(v) & want) for v in sel["former_districts"]])]
    return sel


def options(routes, district_names: Sequence[str]) -> dict[str, list[str]]:
    """Every value each filter offers this year (routes: the year's routes, by id)."""
    return {"cat": list(CATEGORIES), "class": list(CLASSES), "route": [r.id for r in routes],
            "prov": list(PROVINCES), "dist": list(district_names)}


def clean(chosen, opts: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """A choice as the browser sent it, kept to the values this year offers, in their order. A value
    that is not offered (a route of another year, a name from an older page) is dropped: the panel
    shows only what is applied, so nothing hidden filters the map."""
    chosen = chosen if isinstance(chosen, Mapping) else {}
    out = {}
    for key in KEYS:
        got = chosen.get(key)
        got = {str(v) for v in got} if isinstance(got, (list, tuple)) else set()
        out[key] = [v for v in opts[key] if v in got]
    return out


def kept(frame, chosen: Mapping[str, Sequence[str]]):
    """The rows ``chosen`` keeps (:func:`apply_filters` with the choice's lists)."""
    return apply_filters(frame, *(chosen.get(k, ()) for k in KEYS))


def members(frame, ids: Sequence[str], key: str, value: str) -> list[int]:
    """Indices into ``ids`` (the map's communes, in its layer order) of the communes that the
    choice "``key`` = ``value``" alone keeps."""
    codes = set(map(str, kept(frame, {key: [value]})["code"]))
    return [i for i, c in enumerate(ids) if str(c) in codes]


def label(key: str, value: str, lang: str, routes=()) -> str:
    from .maps.tooltip import category_label

    if key == "cat":
        return category_label(value, lang)
    if key == "class":
        return t("filter.class_value", lang, c=value)
    if key == "route":
        return next((r.name for r in routes if r.id == value), value)
    return value


def panel(frame, routes, district_names: Sequence[str], ids: Sequence[str], lang: str, swatch=None) -> dict:
    """The browser's filter panel for one year view: per filter its label and, per value, its
    label and its members (:func:`members`, as geo.maps.compact.encode_ints text); ``swatch(cat)``:
    the CSS of a category's legend swatch."""
    opts = options(routes, district_names)
    groups = []
    for key, label_key in GROUPS:
        rows = []
        for v in opts[key]:
            row = [v, label(key, v, lang, routes), encode_ints(members(frame, ids, key, v))]
            if key == "cat" and swatch is not None:
                row.append(swatch(v))
            rows.append(row)
        groups.append({"k": key, "label": t(label_key, lang), "opts": rows})
    return {"title": t("filter.title", lang), "clear": t("filter.clear", lang),
            "showing": t("filter.showing", lang, n="{n}", total="{total}"),
            "total": len(ids), "groups": groups}
