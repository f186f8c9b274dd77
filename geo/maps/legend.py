"""The legend: one line per category with its COUNT, readable without colour.

Each entry has a text label and a count; each swatch also carries a symbol (✓, I, II, III, –) or
the hatch pattern (no data), so the legend reads on a black-and-white printout or for a
colour-blind reader. Optional extra entries describe lines (routes, border). A Leaflet control,
no JS or CSS from anywhere else.
"""

from __future__ import annotations

import html


from ..i18n import fmt_int, t
from ..model import CAT_NO_DATA, CATEGORIES
from .style import CATEGORY_COLOURS
from . import style
from .panel import Panel
from .tooltip import category_label


def category_entries(counts: dict[str, int], lang: str = "vi", categories=CATEGORIES) -> list[dict]:
    """Legend entries for the map categories, in legend order, with their counts."""
    out = []
    for cat in categories:
        out.append({
            "key": cat, "label": category_label(cat, lang), "count": int(counts.get(cat, 0)),
            "swatch": style.swatch_html(CATEGORY_COLOURS.get(cat), style.CATEGORY_SYMBOLS.get(cat, ""),
                                        style.SYMBOL_COLOURS.get(cat, "#1a1a1a"), hatch=cat == CAT_NO_DATA),
        })
    return out


def legend_html(title: str, entries: list[dict], lang: str = "vi", extra: list[dict] | None = None,
                total: bool = True, subtitle: str | None = None) -> str:
    """The legend's inner HTML. Labels are escaped; swatches are our own markup."""
    e = html.escape
    rows = []
    for en in entries:
        rows.append(
            f'<li data-key="{e(en["key"])}" data-count="{int(en["count"])}">{en["swatch"]}'
            f'<span class="tq-lbl">{e(en["label"])}</span>'
            f'<span class="tq-n">{e(fmt_int(en["count"], lang))}</span></li>')
    if total:
        n = sum(int(en["count"]) for en in entries)
        rows.append(f'<li class="tq-total" data-key="total" data-count="{n}">'
                    f'<span class="tq-lbl">{e(t("legend.total", lang))}</span>'
                    f'<span class="tq-n">{e(fmt_int(n, lang))}</span></li>')
    body = f"<h4>{e(title)}</h4>"
    if subtitle:
        body += f'<div class="tq-sub" style="margin:-3px 0 6px">{e(subtitle)}</div>'
    body += "<ul>" + "".join(rows) + "</ul>"
    if extra:
        lines = []
        for en in extra:
            lines.append(f'<li data-key="{e(en["key"])}">{en["swatch"]}'
                         f'<span class="tq-lbl">{e(en["label"])}</span></li>')
        body += '<ul class="tq-sub">' + "".join(lines) + "</ul>"
    return body


class Legend(Panel):
    """A Leaflet control holding :func:`legend_html`."""

    def __init__(self, inner_html: str, *, position: str = "bottomright", aria: str = "legend"):
        super().__init__(inner_html, position, "tq-panel tq-legend leaflet-control", aria=aria)
        self._name = "TqLegend"


def add_legend(m, counts: dict[str, int], lang: str = "vi", *, title: str | None = None,
               extra: list[dict] | None = None, subtitle: str | None = None,
               position: str = "bottomright") -> Legend:
    """Add the category legend with ``counts`` (category -> number of units)."""
    title = title or t("legend.title", lang)
    inner = legend_html(title, category_entries(counts, lang), lang, extra=extra, subtitle=subtitle)
    leg = Legend(inner, position=position, aria=title)
    leg.add_to(m)
    return leg
