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


def progress_svg(prog, lang: str = "vi", *, width: int = 1240, height: int = 720) -> str:
    """``prog`` is :func:`geo.status.progress` (one row per year: has_data, share_pct,
    target_<scope>_pct). Every value is labelled in the language's format; the SVG scales to its
    box (``viewBox``, ``preserveAspectRatio``)."""
    ml, mr, mt, mb = 96, 40, 92, 78
    pw, ph = width - ml - mr, height - mt - mb
    years = [int(y) for y in prog["year"]]
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
    for i, (yr, has, share) in enumerate(zip(years, prog["has_data"], prog["share_pct"])):
        out.append(f'<text x="{x(i):.1f}" y="{mt + ph + 40}" text-anchor="middle" class="tq-c-yr">{yr}</text>')
        if has and share == share:
            top = y(float(share))
            out.append(f'<rect class="tq-c-bar" data-year="{yr}" x="{x(i) - bw / 2:.1f}" y="{top:.1f}" '
                       f'width="{bw:.1f}" height="{y(0) - top:.1f}" fill="{BAR}"/>')
            out.append(f'<text x="{x(i):.1f}" y="{top - 12:.1f}" text-anchor="middle" class="tq-c-val" '
                       f'fill="#1b5e20">{html_text(fmt_pct(float(share), lang))}</text>')
    legend = [("bar", BAR, "", t("progress.actual", lang))]
    for scope, (colour, dash, marker) in TARGET_STYLES.items():
        col = prog[f"target_{scope}_pct"]
        pts = [(i, float(v)) for i, v in enumerate(col) if v is not None and v == v]
        if not pts:
            continue
        legend.append((marker, colour, dash, t(f"progress.target_{scope}", lang)))
        if len(pts) > 1:
            d = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in pts)
            out.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="4" '
                       f'stroke-dasharray="{dash}"/>')
        for i, v in pts:
            out.append(_marker(marker, x(i), y(v), colour, scope, years[i]))
            out.append(f'<text x="{x(i) + bw / 2 + 10:.1f}" y="{y(v) + 8:.1f}" '
                       f'class="tq-c-tv" fill="{colour}">{html_text(pct_text(v, lang))}</text>')
    lx = ml
    for kind, colour, dash, label in legend:
        if kind == "bar":
            out.append(f'<rect x="{lx}" y="22" width="30" height="24" fill="{colour}"/>')
        else:
            out.append(f'<line x1="{lx - 4}" x2="{lx + 34}" y1="34" y2="34" stroke="{colour}" stroke-width="4" '
                       f'stroke-dasharray="{dash}"/>' + _marker(kind, lx + 15, 34, colour, "", 0))
        out.append(f'<text x="{lx + 44}" y="42" class="tq-c-lg">{html_text(label)}</text>')
        lx += 60 + 12.5 * len(label)
    out.append("</svg>")
    return "".join(out)


def _marker(kind: str, cx: float, cy: float, colour: str, scope: str, year: int) -> str:
    attrs = (f'fill="{colour}" stroke="#fff" stroke-width="2" class="tq-c-pt" data-scope="{html_attr(scope)}" '
             f'data-year="{year}"')
    if kind == "square":
        return f'<rect x="{cx - 9:.1f}" y="{cy - 9:.1f}" width="18" height="18" {attrs}/>'
    if kind == "diamond":
        return (f'<path d="M{cx:.1f},{cy - 12:.1f} L{cx + 12:.1f},{cy:.1f} L{cx:.1f},{cy + 12:.1f} '
                f'L{cx - 12:.1f},{cy:.1f} Z" {attrs}/>')
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="10" {attrs}/>'
