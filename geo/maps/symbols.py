"""Symbols carried by the communes themselves, so a map reads without colour (colour-blind readers,
greyscale prints): ✓ for drug-free, I / II / III for the key-commune classes, nothing for "other"
and "no data" (their fills are plain grey and a grey hatch).

- Interactive maps (app, HTML exports, slides): :func:`add_commune_symbols` (a badge at each
  commune's pole of inaccessibility; the same element as the commune names, see geo.maps.labels,
  so symbols and names never collide). Class I is also hatched (geo.maps.style.HATCH_I_FILL).
- matplotlib sheets (geo/export/sheet.py): :func:`mpl_hatch` per category (``hatch=`` of a patch)
  and :func:`draw_symbols` (text with a white halo at the same points).

The check mark is an inline SVG path in HTML (no font needed: Debian's fonts lack some glyphs);
matplotlib's bundled DejaVu Sans has U+2713.
"""

from __future__ import annotations

import functools

from shapely.ops import polylabel

from ..model import CAT_CLASS_I, CAT_CLASS_II, CAT_CLASS_III, CAT_DRUG_FREE, CAT_NO_DATA

# category -> the symbol's text (plain, for matplotlib, tests and screen readers)
SYMBOLS = {CAT_DRUG_FREE: "✓", CAT_CLASS_I: "I", CAT_CLASS_II: "II", CAT_CLASS_III: "III"}
# matplotlib hatches: class I crossed (like the map), no data diagonal (like the map's grey hatch)
MPL_HATCHES = {CAT_CLASS_I: "\\\\\\", CAT_NO_DATA: "////"}
MPL_HATCH_COLOURS = {CAT_CLASS_I: "#e6b3b3", CAT_NO_DATA: "#6d6d6d"}

CHECK_SVG = ('<svg viewBox="0 0 12 12" width="11" height="11" aria-hidden="true" focusable="false">'
             '<path d="M2 6.4 4.8 9.2 10 3" fill="none" stroke="currentColor" stroke-width="2.2" '
             'stroke-linecap="round" stroke-linejoin="round"/></svg>')

# category -> the badge's safe HTML (our own markup only). Interactive maps write this table ONCE
# per document (geo.maps.labels' placing script) and each commune row carries only its category.
SYMBOL_HTML = {**SYMBOLS, CAT_DRUG_FREE: CHECK_SVG}


def symbol_html(cat: str) -> str:
    """Safe HTML of the badge content (our own markup only)."""
    return SYMBOL_HTML.get(str(cat), "")


def symbol(cat: str) -> str:
    """The text symbol of a category ('' when it has none)."""
    return SYMBOLS.get(str(cat), "")


def mpl_hatch(cat: str) -> str | None:
    """``hatch=`` for a matplotlib patch of this category (None: plain fill)."""
    return MPL_HATCHES.get(str(cat))


def mpl_hatch_colour(cat: str) -> str:
    """Colour of the hatch lines (matplotlib's ``hatch.color`` / the patch's edgecolor)."""
    return MPL_HATCH_COLOURS.get(str(cat), "#4d4d4d")


@functools.lru_cache(maxsize=2048)
def _anchor(geom) -> tuple[float, float]:
    parts = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
    polys = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
    if not polys:
        p = geom.representative_point()
        return p.x, p.y
    big = max(polys, key=lambda p: p.area)
    tol = max(1e-5, (big.bounds[2] - big.bounds[0]) / 200)
    p = polylabel(big, tolerance=tol)
    return p.x, p.y


def anchor(geom) -> tuple[float, float]:
    """(x, y) where a commune's symbol and name go: the pole of inaccessibility of its largest part
    (inside the polygon and far from its edges, unlike the centroid)."""
    return _anchor(geom)


def draw_symbols(ax, frame, *, fontsize: float = 7.0, codes=None, zorder: int = 15) -> int:
    """Write each commune's symbol on a matplotlib axis (frame in the axis' CRS, with ``category``).

    ``codes``: only these communes (default all). Returns the number of symbols drawn."""
    import matplotlib.patheffects as pe

    halo = [pe.withStroke(linewidth=2.2, foreground="white")]
    n = 0
    for code, cat, geom in zip(frame["code"], frame["category"], frame.geometry.values):
        s = symbol(cat)
        if not s or geom is None or geom.is_empty or (codes is not None and str(code) not in codes):
            continue
        x, y = anchor(geom)
        ax.text(x, y, s, ha="center", va="center", fontsize=fontsize, fontweight="bold", color="#111111",
                path_effects=halo, zorder=zorder, fontfamily="DejaVu Sans")
        n += 1
    return n


def add_commune_symbols(m, frame, lang: str = "vi"):
    """The symbols alone (no names) on a folium map; see geo.maps.labels.add_commune_marks."""
    from .labels import add_commune_marks

    return add_commune_marks(m, frame, lang, names=False)


__all__ = ["SYMBOLS", "SYMBOL_HTML", "symbol", "symbol_html", "mpl_hatch", "mpl_hatch_colour", "anchor", "draw_symbols",
           "add_commune_symbols", "shapely"]
