"""Layout pieces that make a map page fit one screen (look helper's module).

- :func:`kpi_items` / :func:`strip_html` / :func:`compact_kpi_strip`: the year's headline figures
  as one compact strip (instead of five tall cards), every text escaped.
- :func:`map_height_for_viewport`: the map height that fills what is left of a viewport.
- :func:`page_fit`: the options with which the page's map (the persistent map, ``.tq-live``) sizes
  itself and the side panel to the space left in the browser window (and again on every resize),
  so the map is the hero at 1024×768 as at 1920×1080 and 4K. The server does not know the window
  height; the browser does.
- :func:`print_button`: a visible "print this page" button (the browser's print dialog).
- :func:`hide_chrome` and :func:`wall_html`: the wall view (pages/tuong.py): one screen, no
  Streamlit chrome, a KPI strip, the map, the legend beside it, the date and the demo mark.
"""

from __future__ import annotations

import datetime as dt

from geo.escape import html_attr, html_text, json_script
from geo.i18n import fmt_datetime, fmt_int, fmt_pct, fmt_points, t

STRIP_CSS = """
.tq-strip {display:flex;flex-wrap:wrap;gap:.3rem .45rem;margin:.1rem 0 .4rem;align-items:stretch}
.tq-strip .tq-si {display:grid;grid-template-columns:auto auto;grid-template-rows:auto auto;column-gap:.45rem;
  align-items:center;border:1px solid #d0d7d2;border-left:5px solid #1b5e20;border-radius:4px;padding:.12rem .55rem;
  background:#fbfcfb;min-width:0;line-height:1.15}
.tq-strip .tq-si .v {grid-row:1 / 3;font-size:1.4em;font-weight:700;font-variant-numeric:tabular-nums;color:#111;white-space:nowrap}
.tq-strip .tq-si .l {font-size:.84em;color:#333;white-space:nowrap}
.tq-strip .tq-si .s {font-size:.78em;color:#555;white-space:nowrap}
.tq-strip .tq-si.key {border-left-color:#d9660b} .tq-strip .tq-si.route {border-left-color:#2127cd}
.tq-strip .tq-si.warn {border-left-color:#8b1a1a}
"""
# Streamlit gives a heading's text box a margin of -1rem below, made for its own 1rem of padding
# under the title; our compact heads (COMPACT_CSS, MAP_PAGE_CSS) make that padding small, and the
# margin then pulled the next element (the demo banner) over the title's lower part: the dots under
# Vietnamese vowels ("trọng", "phức tạp", "độ") were hidden. Both heads undo it.
HEADING_CSS = ('[data-testid="stMainBlockContainer"] [data-testid="stHeading"] > [data-testid="stMarkdownContainer"]'
               ' {margin-bottom:0 !important}\n')
# A compact page head where the strip is used (the map gets the height saved).
COMPACT_CSS = """
[data-testid="stMainBlockContainer"] {padding-top:2.2rem !important; padding-bottom:1rem !important}
[data-testid="stMainBlockContainer"] h1 {font-size:clamp(1.35rem, 1.1rem + .8vw, 2.1rem) !important; padding:.1rem 0 .25rem !important}
.tq-demo-banner {margin:.1rem 0 .4rem 0 !important; padding:.3rem .7rem !important}
""" + HEADING_CSS


def kpi_items(k: dict, year: int, lang: str = "vi") -> list[tuple[str, str, str, str]]:
    """(label, value, sub, kind) of the strip from ``yearview``/``status.kpis`` figures. The class
    breakdown is plain text (never a metric delta with an arrow)."""
    items = [(t("wall.drug_free", lang), f"{fmt_int(k['drug_free'], lang)}/{fmt_int(k['total_units'], lang)}",
              fmt_pct(k["share_pct"], lang), "free"),
             (t("wall.key", lang), fmt_int(k["key_count"], lang),
              " · ".join(f"{c}: {fmt_int((k.get('by_class') or {}).get(c, 0), lang)}" for c in ("I", "II", "III")),
              "key"),
             (t("wall.routes", lang), fmt_int(k["routes_count"], lang), "", "route")]
    if k.get("target_pct") is not None:
        items.append((t("wall.target", lang, pct=fmt_pct(k["target_pct"], lang)),
                      fmt_points(k["diff_points"], lang), "", "free" if k["diff_points"] >= 0 else "warn"))
    need = k.get("needed_for_target")
    if need:
        items.append((t("wall.needed", lang, year=year), fmt_int(need, lang), "", "warn"))
    if k.get("needed_for_2030") is not None:
        items.append((t("wall.needed_2030", lang), fmt_int(k["needed_for_2030"], lang),
                      t("wall.goal_2030", lang, n=fmt_int(k.get("goal_2030_units"), lang)),
                      "warn" if k["needed_for_2030"] else "free"))
    return items


def strip_html(items) -> str:
    """The strip's HTML (escaped text; ``data-kpi`` names each item for tests)."""
    cells = []
    for label, value, sub, kind in items:
        sub_html = f'<span class="s">{html_text(sub)}</span>' if sub else ""
        cells.append(f'<div class="tq-si {html_attr(kind)}" data-kpi="{html_attr(kind)}"><span class="v">'
                     f'{html_text(value)}</span><span class="l">{html_text(label)}</span>{sub_html}</div>')
    return f'<div class="tq-strip" role="group">{"".join(cells)}</div>'


def map_height_for_viewport(viewport_h: int, above_px: int, below_px: int = 0, *, minimum: int = 320,
                            margin: int = 12) -> int:
    """Height of a map that starts ``above_px`` from the top of a ``viewport_h`` window and leaves
    ``below_px`` under it (downloads row): never below ``minimum`` (then the page scrolls)."""
    return max(minimum, int(viewport_h) - int(above_px) - int(below_px) - margin)


# A map page: a compact head (title, notices, KPI strip), then ONE row — the map on the left, a
# side panel on the right (the page's controls, its table, the legend, the downloads and the print
# button) — sized by the map itself (page_fit, static/tq-live.js pageFit) to what the window
# leaves, so the page itself never scrolls. The side panel scrolls inside itself when its content
# is longer than the map is tall; the legend gives way first (it folds when there is no room) and
# the downloads stay at its foot.
MAP_PAGE_CSS = """
[data-testid="stMainBlockContainer"] {padding:2.4rem 1rem .4rem 1rem !important; max-width:none !important}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] {gap:.4rem !important}
[data-testid="stMainBlockContainer"] h1 {font-size:clamp(1.2rem, .95rem + .7vw, 2rem) !important;
  padding:0 0 .1rem !important; line-height:1.2 !important}
[data-testid="stMainBlockContainer"] [data-testid="stHeaderActionElements"] {display:none}
[data-testid="stMainBlockContainer"] [data-testid="stAlertContainer"] {padding:.3rem .7rem !important}
[data-testid="stMainBlockContainer"] [data-testid="stAlertContainer"] p {font-size:.86rem; line-height:1.3}
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] p {margin:0}
.tq-public {padding:.3rem .7rem !important; font-size:.86rem !important; line-height:1.3 !important; margin:0 !important}
.tq-public svg {width:16px; height:16px; margin-top:0}
.tq-demo-banner {margin:0 !important; padding:.2rem .6rem !important; font-size:.86rem !important; line-height:1.3}
.st-key-tq_demo_banner .tq-cached {display:flex; flex-direction:column; gap:.4rem}
.tq-strip {margin:0 !important}
[data-testid="stMarkdownContainer"]:has(> .tq-strip), [data-testid="stMarkdownContainer"]:has(> .tq-demo-banner),
[data-testid="stMarkdownContainer"]:has(> details.tq-legend-fold) {margin-bottom:0 !important}
[class*="st-key-tq_maprow"][class*="st-key-tq_maprow"] > div > [data-testid="stHorizontalBlock"] {flex-wrap:nowrap !important; gap:.6rem !important;
  align-items:flex-start}
[class*="st-key-tq_maprow"][class*="st-key-tq_maprow"] > div > [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
  flex:1 1 0 !important; width:auto !important; min-width:0 !important}
[class*="st-key-tq_maprow"][class*="st-key-tq_maprow"] > div > [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:has(.st-key-tq_side) {
  flex:0 0 var(--tq-side, clamp(220px, 25%, 460px)) !important}
.st-key-tq_maprow_wide {--tq-side: clamp(330px, 44%, 760px)}
[data-testid="stLayoutWrapper"]:has(> .st-key-tq_side) {flex:0 0 auto !important}
.st-key-tq_side {flex:0 0 auto !important; overflow-y:auto; overflow-x:hidden; gap:.4rem !important; flex-wrap:nowrap !important;
  padding-right:2px; box-sizing:border-box}
.st-key-tq_side > [data-testid="stElementContainer"], .st-key-tq_side > div {flex:0 0 auto}
.st-key-tq_side > .tq-grow, .st-key-tq_side > [data-testid="stElementContainer"]:has(.tq-legend-fold) {flex:0 1 auto; min-height:2.4rem;
  overflow:auto}
.st-key-tq_side > [data-testid="stLayoutWrapper"]:has(> .st-key-tq_grow, > .st-key-tq_growscroll) {flex:1 1 0 !important; min-height:100px;
  display:flex; flex-direction:column; overflow:hidden}
.st-key-tq_grow {flex:1 1 0 !important; min-height:0; height:100%; overflow:hidden}
.st-key-tq_grow > [data-testid="stElementContainer"] {flex:1 1 0; min-height:0}
.st-key-tq_growscroll {flex:1 1 0 !important; min-height:0; overflow-y:auto; overflow-x:hidden; flex-wrap:nowrap !important}
.st-key-tq_growscroll > * {flex:0 0 auto !important}
.st-key-tq_grow [data-testid="stFullScreenFrame"], .st-key-tq_grow [data-testid="stDataFrame"] {height:100% !important}
.st-key-tq_side [data-testid="stHorizontalBlock"] {flex-wrap:wrap !important; gap:.3rem !important}
.st-key-tq_side [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {flex:1 1 calc(50% - .3rem) !important;
  width:auto !important; min-width:calc(50% - .3rem) !important}
.st-key-tq_side .st-key-tq_print .tq-print {width:100% !important; min-height:2.1rem;
  padding:.2rem .5rem !important; font-size:.86rem !important; line-height:1.2}
.st-key-tq_side [data-testid="stMarkdownContainer"], .st-key-tq_side [data-testid="stCaptionContainer"] {margin-bottom:0 !important}
.st-key-tq_side [data-testid="stMarkdownContainer"] p {margin-bottom:0}
.st-key-tq_side .tq-plain {max-height:4.2em; overflow:auto}
details.tq-legend-fold {border:1px solid #ccc; border-radius:4px; background:#fafafa}
details.tq-legend-fold > summary {cursor:pointer; padding:.25rem .6rem; font-weight:700; font-size:.9rem; color:#102a43}
details.tq-legend-fold > .tq-legend {border:0 !important; box-shadow:none; padding:2px 10px 8px !important; background:none;
  max-width:none !important; min-width:0 !important; max-height:none; overflow:visible; font-size:13px}
details.tq-legend-fold > .tq-legend h4 {display:none}
@media (min-width: 2500px) { html {font-size:25px} details.tq-legend-fold, .st-key-tq_print .tq-print {zoom:1.6} }
""" + HEADING_CSS

# The compact head of a map page: common.page_setup(MAP_PAGE_STYLE), in the page's head element.
MAP_PAGE_STYLE = f"<style>{STRIP_CSS}{MAP_PAGE_CSS}</style>"


def map_row(wide: bool = False):
    """(map column, side panel) of a map page: the side panel is a container the fit script sizes
    to the map's height. ``wide``: a wider side panel (a table beside the map)."""
    import streamlit as st

    row = st.container(key="tq_maprow_wide" if wide else "tq_maprow_n")
    with row:
        left, right = st.columns([3, 1], gap="small")
    # both keys carry the shared class through a wrapping container
    side = right.container(key="tq_side")
    return left, side


def _legend_parts(res, lang: str) -> list[str] | None:
    from geo.maps import style

    html_ = getattr(res, "legend_html", None)
    if not html_:
        return None
    return [f"<style>{style.CSS}</style>",
            f"<details class='tq-legend-fold' open><summary>{html_text(t('ui.legend', lang))}</summary>"
            f"<div class='tq-panel tq-legend tq-legend-side' role='region' "
            f"aria-label='{html_attr(t('ui.legend', lang))}'>{html_}</div></details>"]


def side_legend(res, lang: str = "vi", variants: dict | None = None) -> None:
    """The map's legend in the side panel, foldable (a <details>; folded when there is no room).
    Its stylesheet and its text each reach the browser once per session and content
    (livemap.cached_html): a filter change that leaves the counts as they were sends neither.
    ``variants``: ``{year: map}`` of the page's other years (shown at once when one is picked)."""
    from livemap import cached_html

    parts = _legend_parts(res, lang)
    if not parts:
        return
    other = {y: p for y, p in ((y, _legend_parts(m, lang)) for y, m in (variants or {}).items()) if p}
    cached_html(parts, key="tq_legend", variants=other or None)


def page_fit(*, fold_legend: bool = False, minimum: int = 260) -> dict:
    """A map page's window fit, for mapview.show(..., fit=…): the map and the side panel take the
    window's height left (at least ``minimum`` px) and the view's bounds are fitted with a small
    padding whenever the size changes (static/tq-live.js ``pageFit``); ``fold_legend``: start with the
    legend folded (pages where a table needs the room)."""
    return {"min": int(minimum), "fold": bool(fold_legend)}


# --- tables beside the map ----------------------------------------------------------------------
# An HTML table (through livemap.cached_html), not st.dataframe: Streamlit's data grid brings
# ~1.6 MB of script to a page's first visit (on this machine's loopback the open time did not
# change; on a slow line it is seconds), draws on a canvas (a printed page showed only the visible
# rows) and a screen reader reads no table. Every cell is escaped; a click on a column's head sorts by it (static/tq-live.js,
# tqSortTable); numbers sort as numbers. The Excel downloads keep every column and number.
TABLE_CSS = """
.tq-table-wrap {overflow-x:auto; max-width:100%}
.st-key-tq_grow:has(.tq-table), .st-key-tq_growscroll .tq-table-wrap {overflow-y:auto !important}
table.tq-table {border-collapse:collapse; width:100%; font-size:.84rem; line-height:1.25; font-variant-numeric:tabular-nums}
table.tq-table th, table.tq-table td {border-bottom:1px solid #e2e6e3; padding:.2rem .4rem; text-align:left; vertical-align:top}
table.tq-table th {position:sticky; top:0; z-index:1; background:#f1f4f2; font-weight:700; color:#102a43; cursor:pointer;
  white-space:nowrap; user-select:none}
table.tq-table th[aria-sort=ascending]::after {content:" \\25B2"; font-size:.7em}
table.tq-table th[aria-sort=descending]::after {content:" \\25BC"; font-size:.7em}
table.tq-table td.n, table.tq-table th.n {text-align:right; white-space:nowrap}
table.tq-table tbody tr:nth-child(even) {background:#fafbfa}
@media print {table.tq-table th {position:static} .st-key-tq_grow:has(.tq-table) {overflow:visible !important; height:auto !important}}
"""


def table_html(df, *, formats=None, lang: str = "vi", label: str | None = None, titles=None) -> str:
    """``df`` as an HTML table (every text escaped). Numbers are right-aligned and sort as numbers;
    ``formats``: per column, a function giving a value's text (else numbers as geo.i18n.fmt_num
    with no decimals for integers, two otherwise). ``label``: the table's accessible name;
    ``titles``: per column, what a short column head stands for (shown on hover)."""
    import math
    import numbers

    from geo.i18n import fmt_num

    formats, titles = formats or {}, titles or {}
    cols = list(df.columns)

    def missing(v) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ == "NAType"

    def numeric(v) -> bool:
        return isinstance(v, numbers.Number) and not isinstance(v, bool) and not missing(v)

    def cell(col, v) -> str:
        if missing(v):
            return "<td></td>"
        if col in formats:
            text = formats[col](v)
        elif numeric(v):
            text = fmt_num(float(v), 0 if float(v).is_integer() else 2, lang)
        else:
            text = str(v)
        if numeric(v):
            return f'<td class="n" data-v="{float(v)!r}">{html_text(text)}</td>'
        return f"<td>{html_text(text)}</td>"

    kinds = {c: len(df) > 0 and all(numeric(v) or missing(v) for v in df[c].tolist()) for c in cols}
    hint = t("ui.sort_hint", lang)
    head = "".join('<th scope="col"' + (' class="n"' if kinds[c] else "") + ' tabindex="0" aria-sort="none" '
                   f'title="{html_attr(titles[c] + " — " + hint if c in titles else hint)}">{html_text(str(c))}</th>'
                   for c in cols)
    rows = "".join("<tr>" + "".join(cell(c, v) for c, v in zip(cols, r)) + "</tr>"
                   for r in df.itertuples(index=False, name=None))
    # one handler for the head (a click, or Enter / space on a focused column head)
    sort = ('onclick="window.tqSortTable&&tqSortTable(event)" '
            'onkeydown="(event.key===\'Enter\'||event.key===\' \')&&window.tqSortTable&&tqSortTable(event)"')
    aria = f' aria-label="{html_attr(label)}"' if label else ""
    return (f'<div class="tq-table-wrap" role="region"{aria} tabindex="0"><table class="tq-table">'
            f"<thead {sort}><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>")


def table(df, *, key: str, formats=None, lang: str = "vi", label: str | None = None, titles=None) -> None:
    """Show :func:`table_html` in the page (its stylesheet and each table sent once per session)."""
    from livemap import cached_html

    cached_html([f"<style>{TABLE_CSS}</style>",
                 table_html(df, formats=formats, lang=lang, label=label, titles=titles)], key=key)


STRIP_STYLE = f"<style>{STRIP_CSS}{COMPACT_CSS}</style>"


def strip_parts(items) -> list[str]:
    """The KPI strip as livemap.cached_html parts: its stylesheet (sent once per session) and its
    figures (sent again only when they change). Shown alone (:func:`compact_kpi_strip`) or under
    the demo banner in the banner's element (ui.common.demo_banner ``then``)."""
    return [STRIP_STYLE, strip_html(items)]


def compact_kpi_strip(items, variants: dict | None = None) -> None:
    """The KPI strip in a Streamlit page. ``variants``: ``{year: items}`` of the page's other years
    (shown at once when the year control picks one; livemap.cached_html)."""
    from livemap import cached_html

    cached_html(strip_parts(items), key="tq_strip",
                variants={y: strip_parts(v) for y, v in (variants or {}).items()} or None)


def print_button(lang: str = "vi") -> None:
    """A visible print button (the browser prints the page as shown)."""
    from livemap import cached_html

    label = html_text(t("ui.print", lang))
    # through our component (sent once per session), not st.html: fewer scripts on a first open
    cached_html([f'<button type="button" class="tq-print" onclick="(window.parent||window).print()" '
                 f'style="font:inherit;padding:.35rem .8rem;border:1px solid #888;border-radius:4px;background:#fff;'
                 f'cursor:pointer">{label}</button>'], key="tq_print")


CHROME_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"], footer,
[data-testid="stSidebarNav"] {display:none !important}
html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {overflow:hidden !important}
[data-testid="stMainBlockContainer"], .block-container {padding:0 !important;max-width:none !important}
[data-testid="stVerticalBlock"] {gap:0 !important}
.st-key-tq_wall {position:fixed !important; inset:0; z-index:999990; background:#f4f1ea}
.st-key-tq_wall iframe {display:block;width:100vw !important;height:100vh !important;border:0}
.st-key-tq_wall_watch {display:none}
</style>
"""


def hide_chrome() -> None:
    """No Streamlit chrome (header, sidebar, toolbar, paddings): the wall view is one screen."""
    import streamlit as st

    st.markdown(CHROME_CSS, unsafe_allow_html=True)


WALL_CSS = """
html, body {margin:0; height:100%; overflow:hidden; background:#f4f1ea;}
.tq-wall .leaflet-container {background:#f4f1ea;}
body.tq-wall {display:grid; grid-template-rows:auto minmax(0,1fr); grid-template-columns:minmax(0,1fr) auto;
  height:100vh; width:100vw; font-family:%(font)s; color:#1a1a1a;}
.tq-wall-head {grid-column:1 / 3; display:flex; flex-wrap:wrap; align-items:center; gap:.3rem 1.2rem;
  padding:.45rem .9rem .35rem; background:#ffffff; border-bottom:1px solid #c9c9c9;}
.tq-wall-head h1 {margin:0; font-size:clamp(15px, 1.05vw + .5vh, 44px); line-height:1.2; font-weight:700; color:#102a43;
  flex:1 1 22rem; min-width:0;}
.tq-wall-meta {font-size:clamp(11px, .6vw + .35vh, 26px); color:#333; white-space:nowrap;}
.tq-wall-demo {font-size:clamp(11px, .6vw + .35vh, 26px); color:#8b1a1a; font-weight:800; letter-spacing:.03em; border:2px solid #8b1a1a; padding:0 .4rem; border-radius:3px;
  white-space:nowrap;}
.tq-wall-notice {flex:1 1 100%; color:#8b1a1a; font-weight:700;}
.tq-wall .tq-strip {flex:1 1 100%; margin:0; font-size:clamp(11px, .55vw + .45vh, 30px);}
.tq-wall .tq-strip .tq-si .v {font-size:1.7em;} .tq-wall .tq-strip .tq-si .l {font-size:1em;}
.tq-wall .tq-strip .tq-si .s {font-size:.92em;}
.tq-wall .folium-map {grid-column:1; grid-row:2; position:relative !important; width:100% !important; height:100% !important;
  min-height:0;}
.tq-wall-aside {grid-column:2; grid-row:2; overflow:hidden; padding:.5rem .6rem; box-sizing:border-box;
  width:clamp(230px, 19vw, 900px); background:#f4f1ea;}
.tq-wall-aside .tq-legend {max-width:none; min-width:0; max-height:none; overflow:visible;}
@media (min-width: 1800px) { .tq-wall-aside .tq-legend, .tq-wall .leaflet-control-container {zoom:1.15;} }
@media (min-width: 2500px) { .tq-wall-aside .tq-legend, .tq-wall .leaflet-control-container {zoom:1.9;} }
@media (max-height: 800px) { .tq-wall-aside .tq-legend {font-size:12px;} .tq-wall-aside .tq-legend li {margin:1px 0;} }
"""

def _fit_element(bounds):
    """Refit the wall map to the province whenever the window changes size (a MacroElement, so its
    script runs after the map's own)."""
    from branca.element import MacroElement
    from folium.template import Template

    class WallFit(MacroElement):
        _template = Template("""
            {% macro script(this, kwargs) %}
            (function (map, b) {
              // after the refit the vector renderers redraw for the new size (moveend), even when
              // the view did not move: otherwise the part of a larger window they did not cover stays blank
              function fit() { map.invalidateSize(); map.fitBounds(b, {padding: [8, 8]}); map.fire("moveend"); }
              window.addEventListener("resize", fit);
              map.whenReady(function () { setTimeout(fit, 0); });
              window.tqWallFit = fit;
            })({{ this._parent.get_name() }}, {{ this.bounds_json }});
            {% endmacro %}
        """)

        def __init__(self):
            super().__init__()
            self._name = "TqWallFit"
            self.bounds_json = json_script(bounds)

    return WallFit()


def wall_html(m, items, *, year: int, lang: str = "vi", demo: bool = False, updated: dt.datetime | None = None,
              bounds=None, data_version: int | None = None, notice: str | None = None,
              legend_html: str | None = None, demo_text: str | None = None) -> str:
    """The wall view as one HTML document: head (title, strip, date, demo mark), the map, the legend
    beside it. ``m``: an app map (``views.overview_map(app=True)``, legend kept outside the map)."""
    from branca.element import Element

    from geo.maps import style

    style.apply(m)
    root = m.get_root()
    root.header.add_child(Element(f"<style>{STRIP_CSS}{WALL_CSS.replace('%(font)s', style.FONT)}</style>"),
                          name="tq_wall_css")
    meta = f'{html_text(t("wall.updated", lang))}: {html_text(fmt_datetime(updated or dt.datetime.now(), lang))}'
    demo_html = (f'<span class="tq-wall-demo" role="note">{html_text(demo_text or t("wall.demo_short", lang))}</span>'
                 if demo else "")
    head = (f'<header class="tq-wall-head" data-version="{html_attr(data_version if data_version is not None else "")}">'
            f'<h1>{html_text(t("wall.title", lang, year=year))}</h1>{demo_html}'
            f'<div class="tq-wall-meta">{meta}</div>'
            + (f'<div class="tq-wall-notice" role="alert">{html_text(notice)}</div>' if notice else "")
            + f'{strip_html(items)}</header>')
    root.html.add_child(Element(head), name="tq_wall_head", index=0)
    legend_inner = legend_html if legend_html is not None else (getattr(m, "tq_legend_html", "") or "")
    aside = (f'<aside class="tq-wall-aside"><div class="tq-panel tq-legend" role="region" '
             f'aria-label="{html_attr(t("legend.title", lang))}">{legend_inner}</div></aside>')
    root.html.add_child(Element(aside), name="tq_wall_aside")
    if bounds is not None:
        _fit_element(bounds).add_to(m)
    page = root.render()
    return page.replace("<body>", '<body class="tq-wall">', 1)
