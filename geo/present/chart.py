"""The progress chart of the presentation: bars of the drug-free share by year and the target
series (Ministry, national, province), as inline SVG (no script, no font, no request)."""

from __future__ import annotations

from ..escape import html_attr, html_text
from ..i18n import fmt_pct, t

TARGET_STYLES = {  # scope -> (colour, dash, marker)
    "ministry": ("#b71c1c", "10 7", "square"),
    "national": ("#6a1b9a", "3 6", "diamond"),
    "province": ("#0d47a1", "", "circle"),
}
BAR = "#2e7d32"


def pct_text(x: float | None, lang: str) -> str:
    """28,2% / 20% (no ",0" on whole numbers); "–" when unknown."""
    if x is None or x != x:
        return "–"
    return fmt_pct(x, lang, decimals=0) if abs(x - round(x)) < 1e-9 else fmt_pct(x, lang)


# The chart's text, in the SVG's own units (it scales with its box): one stylesheet for the
# presentation (geo.present.deck) and the app's progress page (pages/tien_do.py).
CHART_CSS = """
.tq-chart { width:100%; height:100%; }
.tq-c-ax { font-size:22px; fill:#333; } .tq-c-yr { font-size:26px; font-weight:700; fill:#111; }
.tq-c-val { font-size:28px; font-weight:800; } .tq-c-tv { font-size:23px; font-weight:700; }
.tq-c-lg { font-size:22px; fill:#111; }
"""

LEGEND_ROW = 36  # SVG units per legend line


def _legend_rows(items, left: float, right: float) -> list[list[tuple[float, tuple]]]:
    """The legend's items laid out in lines: an item whose text (~11.5 units a letter at 22 px)
    would end after ``right`` starts a new line."""
    rows: list[list[tuple[float, tuple]]] = [[]]
    lx = left
    for item in items:
        w = 60 + 12.5 * len(item[3])
        if rows[-1] and lx + 44 + 11.5 * len(item[3]) > right:
            rows.append([])
            lx = left
        rows[-1].append((lx, item))
        lx += w
    return rows


def progress_svg(prog, lang: str = "vi", *, width: int = 1240, height: int = 720) -> str:
    """``prog`` is :func:`geo.status.progress` (one row per year: has_data, share_pct,
    target_<scope>_pct). Every value is labelled in the language's format and has a tooltip (SVG
    ``title``); the legend wraps to the width; the SVG scales to its box (``viewBox``,
    ``preserveAspectRatio``): a slide draws it at 1240 × 720, the progress page's side panel at
    640 × 460 (text styles: :data:`CHART_CSS`)."""
    years = [int(y) for y in prog["year"]]
    series = []  # (scope, colour, dash, marker, [(i, value)])
    for scope, (colour, dash, marker) in TARGET_STYLES.items():
        col = prog[f"target_{scope}_pct"]
        pts = [(i, float(v)) for i, v in enumerate(col) if v is not None and v == v]
        if pts:
            series.append((scope, colour, dash, marker, pts))
    legend = [("bar", BAR, "", t("progress.actual", lang))]
    legend += [(marker, colour, dash, t(f"progress.target_{scope}", lang)) for scope, colour, dash, marker, _ in series]
    ml, mb = 96, 78
    mr = 40 if width >= 900 else 70  # narrow: room for the last year's target value on the right
    rows = _legend_rows(legend, ml, width - 8)
    mt = 56 + LEGEND_ROW * len(rows)
    pw, ph = width - ml - mr, height - mt - mb
    step = pw / max(1, len(years))

    def x(i: int) -> float:
        return ml + step * (i + 0.5)

    def y(v: float) -> float:
        return mt + ph * (1 - v / 100)

    out = [f'<svg class="tq-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'preserveAspectRatio="xMidYMid meet" role="img" aria-label="{html_attr(t("present.chart.aria", lang))}">']
    for v in range(0, 101, 20):
        out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#d0d4da" stroke-width="1.5"/>')
        out.append(f'<text x="{ml - 14}" y="{y(v) + 8:.1f}" text-anchor="end" class="tq-c-ax">'
                   f'{html_text(pct_text(v, lang))}</text>')
    out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{y(0)}" y2="{y(0)}" stroke="#333" stroke-width="2"/>')
    bw = min(110, step * 0.5)
    actual = t("progress.actual", lang)
    for i, (yr, has, share) in enumerate(zip(years, prog["has_data"], prog["share_pct"])):
        out.append(f'<text x="{x(i):.1f}" y="{mt + ph + 40}" text-anchor="middle" class="tq-c-yr">{yr}</text>')
        if has and share == share:
            top = y(float(share))
            tip = html_text(f"{yr} · {actual}: {fmt_pct(float(share), lang)}")
            out.append(f'<rect class="tq-c-bar" data-year="{yr}" x="{x(i) - bw / 2:.1f}" y="{top:.1f}" '
                       f'width="{bw:.1f}" height="{y(0) - top:.1f}" fill="{BAR}"><title>{tip}</title></rect>')
            out.append(f'<text x="{x(i):.1f}" y="{top - 12:.1f}" text-anchor="middle" class="tq-c-val" '
                       f'fill="#1b5e20">{html_text(fmt_pct(float(share), lang))}</text>')
    for scope, colour, dash, marker, pts in series:
        name = t(f"progress.target_{scope}", lang)
        if len(pts) > 1:
            d = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in pts)
            out.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="4" '
                       f'stroke-dasharray="{dash}"/>')
        for i, v in pts:
            out.append(_marker(marker, x(i), y(v), colour, scope, years[i],
                               f"{years[i]} · {name}: {pct_text(v, lang)}"))
            out.append(f'<text x="{x(i) + bw / 2 + 10:.1f}" y="{y(v) + 8:.1f}" '
                       f'class="tq-c-tv" fill="{colour}">{html_text(pct_text(v, lang))}</text>')
    for r, row in enumerate(rows):
        cy = 34 + LEGEND_ROW * r
        for lx, (kind, colour, dash, label) in row:
            if kind == "bar":
                out.append(f'<rect x="{lx}" y="{cy - 12}" width="30" height="24" fill="{colour}"/>')
            else:
                out.append(f'<line x1="{lx - 4}" x2="{lx + 34}" y1="{cy}" y2="{cy}" stroke="{colour}" '
                           f'stroke-width="4" stroke-dasharray="{dash}"/>' + _marker(kind, lx + 15, cy, colour, "", 0))
            out.append(f'<text x="{lx + 44}" y="{cy + 8}" class="tq-c-lg">{html_text(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _marker(kind: str, cx: float, cy: float, colour: str, scope: str, year: int, tip: str = "") -> str:
    attrs = (f'fill="{colour}" stroke="#fff" stroke-width="2" class="tq-c-pt" data-scope="{html_attr(scope)}" '
             f'data-year="{year}"')
    tag, geom = (("rect", f'x="{cx - 9:.1f}" y="{cy - 9:.1f}" width="18" height="18"') if kind == "square" else
                 ("path", f'd="M{cx:.1f},{cy - 12:.1f} L{cx + 12:.1f},{cy:.1f} L{cx:.1f},{cy + 12:.1f} '
                          f'L{cx - 12:.1f},{cy:.1f} Z"') if kind == "diamond" else
                 ("circle", f'cx="{cx:.1f}" cy="{cy:.1f}" r="10"'))
    return (f"<{tag} {geom} {attrs}><title>{html_text(tip)}</title></{tag}>" if tip
            else f"<{tag} {geom} {attrs}/>")
