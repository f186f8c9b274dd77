"""Printable briefing sheet (PDF or PNG, A4 or A3 landscape), drawn with matplotlib.

Why matplotlib and not Chromium printing the HTML map: the sheet must come out the same on an
air-gapped desk computer and in CI, with no browser, no tiles and no timing of map rendering; the
map is drawn from the full-detail boundaries in UTM 48N, so the scale bar is true, and text uses
DejaVu Sans, which matplotlib ships and which covers every Vietnamese diacritic. PDF text stays
text (Type 42 fonts), so it can be searched and copied.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import geopandas as gpd
import matplotlib
import pandas as pd
from shapely import wkt

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.patheffects as pe  # noqa: E402
from matplotlib.legend_handler import HandlerPatch  # noqa: E402
from matplotlib.patches import FancyArrow, Patch, Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from .. import boundaries, sources  # noqa: E402
from ..crs import METRIC_CRS, WGS84  # noqa: E402
from ..escape import mpl_text  # noqa: E402
from ..i18n import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_points, t  # noqa: E402
from ..maps import style, symbols  # noqa: E402
from ..model import CATEGORIES, CAT_NO_DATA, CLASSES, category_label, indicator_label  # noqa: E402
from ..model import INDICATOR_KEYS  # noqa: E402

UTM = METRIC_CRS  # old name
PAPER_MM = {"a4": (297, 210), "a3": (420, 297)}  # landscape
FONT = "DejaVu Sans"
OUTLINE = "#4d4d4d"  # commune outlines
# Dash patterns: style.ROUTE_DASHES are SVG dash arrays in screen pixels for a 4.5 px line; on paper
# one pixel of those becomes DASH_PT points (matplotlib scales dashes by the line width, see _dashes).
DASH_PT = 0.5
BORDER_DASH = "10 4 2 4"  # dash-dot, as geo.maps.border draws it

matplotlib.rcParams["pdf.fonttype"] = 42
matplotlib.rcParams["ps.fonttype"] = 42
matplotlib.rcParams["text.usetex"] = False  # data text must never be read as TeX


def _label(cat: str, lang: str) -> str:
    return category_label(cat, lang)


def points(x: float, lang: str = "vi", decimals: int = 1) -> str:
    """A difference in percentage points: "+8,2 điểm phần trăm" / "+8.2 percentage points"
    (geo.i18n.fmt_points, the one style)."""
    return fmt_points(x, lang, decimals)


def _dashes(dash: str | None, lw: float):
    """matplotlib ``linestyle`` for an SVG dash array (``None``: solid) on a line ``lw`` points wide."""
    if not dash:
        return "-"
    seq = [float(x) * DASH_PT for x in dash.split()]
    seq = [max(v, lw) if i % 2 == 0 else v for i, v in enumerate(seq)]  # dots stay visible on paper
    return (0, tuple(v / lw for v in seq))


def _route_styles(yv) -> dict[str, tuple[str, str | None]]:
    """Route id -> (colour, SVG dash) as on the app maps and HTML exports (geo.maps.routes numbers
    the year's routes that have a line, in order), so a route looks the same on every surface."""
    drawn = [r for r in yv.routes if r.geometry_wkt]
    n_col, n_dash = len(style.ROUTE_COLOURS), len(style.ROUTE_DASHES)
    return {r.id: (style.ROUTE_COLOURS[i % n_col], style.ROUTE_DASHES[i % n_dash]) for i, r in enumerate(drawn)}


def _fit_row(label, value, renderer, gap: float) -> None:
    """Shrink a figures-box row (its value first, then its label, to 60%) until label and value no
    longer meet: "20,0% (+8,2 điểm phần trăm)" or a long commune status stays on its line."""
    for t_ in (value, label):
        size0 = t_.get_fontsize()
        while (label.get_window_extent(renderer).x1 + gap > value.get_window_extent(renderer).x0
               and t_.get_fontsize() > 0.6 * size0):
            t_.set_fontsize(t_.get_fontsize() * 0.94)


def _overlaps(box, boxes, pad: float = 1.5) -> bool:
    return any(box.x0 < b.x1 + pad and b.x0 < box.x1 + pad and box.y0 < b.y1 + pad and b.y0 < box.y1 + pad
               for b in boxes)


def _place_names(ax, part, names: dict, symbol_artists, sym_size: float, scale: float, first=None) -> list:
    """Commune names with a white halo next to their symbol (below, else above, right, left), larger
    communes first (the sheet's own commune before all); a name that would overlap a symbol or a
    name already placed, or leave the map, is left out (its symbol stays). Returns the names placed."""
    import matplotlib.patheffects as pe

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    frame_box = ax.get_window_extent(renderer)
    taken = [a.get_window_extent(renderer) for a in symbol_artists]
    halo = [pe.withStroke(linewidth=2.0 * scale, foreground="white")]
    d = 0.75 * sym_size
    order = sorted(zip(part["code"], part["category"], part.geometry),
                   key=lambda r: (r[0] != first, -r[2].area))
    placed = []
    for code, cat, geom in order:
        text = mpl_text(names.get(code, ""))
        if not text:
            continue
        x, y = symbols.anchor(geom)
        tries = ([((0, -d), "center", "top"), ((0, d), "center", "bottom"), ((d, 0), "left", "center"),
                  ((-d, 0), "right", "center")] if symbols.symbol(cat) else
                 [((0, 0), "center", "center"), ((0, -d), "center", "top"), ((0, d), "center", "bottom")])
        for off, ha, va in tries:
            a = ax.annotate(text, (x, y), xytext=off, textcoords="offset points", fontsize=6.5 * scale, ha=ha,
                            va=va, zorder=12, color="#111111", path_effects=halo, annotation_clip=False)
            box = a.get_window_extent(renderer)
            inside = (box.x0 >= frame_box.x0 and box.x1 <= frame_box.x1 and box.y0 >= frame_box.y0
                      and box.y1 <= frame_box.y1)
            if inside and not _overlaps(box, taken):
                taken.append(box)
                placed.append(a)
                break
            a.remove()
    ax._tq_names = placed
    return placed


class _SymbolSwatch(HandlerPatch):
    """A legend swatch carrying the category's symbol (✓ / I / II / III) drawn as on the map (dark
    text with a white halo, see symbols.draw_symbols), so it reads over the class I hatch too."""

    def __init__(self, cat: str):
        super().__init__()
        self.cat = cat

    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans):
        artists = super().create_artists(legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans)
        sym = symbols.symbol(self.cat)
        if sym:
            artists.append(Text(width / 2 - xdescent, height / 2 - ydescent, sym, ha="center", va="center",
                                fontsize=fontsize * 0.85, fontweight="bold", fontfamily=FONT, transform=trans,
                                color="#111111",
                                path_effects=[pe.withStroke(linewidth=2.0, foreground="white")]))
        return artists

def _scale_bar(ax, length_km: float):
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x = x0 + (x1 - x0) * 0.05
    y = y0 + (y1 - y0) * 0.04
    seg = length_km * 1000 / 2
    for i in range(2):
        ax.add_patch(Rectangle((x + i * seg, y), seg, (y1 - y0) * 0.008,
                               facecolor="black" if i % 2 == 0 else "white", edgecolor="black", lw=0.6, zorder=20))
    for i, label in enumerate(("0", f"{length_km / 2:g}", f"{length_km:g} km")):
        ax.text(x + i * seg, y + (y1 - y0) * 0.014, label, ha="center", va="bottom", zorder=20,
                fontsize=7 * ax.figure.get_figwidth() * 25.4 / 297)  # grows with the paper, like all text


def _north_arrow(ax):
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x = x1 - (x1 - x0) * 0.06
    y = y1 - (y1 - y0) * 0.12
    h = (y1 - y0) * 0.07
    ax.add_patch(FancyArrow(x, y, 0, h, width=h * 0.18, head_width=h * 0.45, head_length=h * 0.45,
                            length_includes_head=True, color="black", zorder=20))
    ax.text(x, y + h * 1.08, "B" if ax.figure._tq_lang == "vi" else "N", ha="center", va="bottom",
            fontsize=11 * ax.figure.get_figwidth() * 25.4 / 297, fontweight="bold", zorder=20)


@functools.lru_cache(maxsize=2)
def _static(path: str, mtime: int):
    """Full-detail communes, province outline and border in UTM (static data, per file identity)."""
    p = Path(path)
    communes = boundaries.communes(web=False, path=p)[["code", "short_name", "geometry"]].to_crs(UTM)
    web = boundaries.communes(web=True, path=p)[["code", "geometry"]].to_crs(UTM)
    province = boundaries.layer("province", p).to_crs(UTM)
    border = boundaries.layer("border_cn", p).to_crs(UTM)
    return communes, web, province, border


def _static_layers():
    from ..paths import boundaries_path

    p = Path(boundaries_path())
    boundaries.layer("province", p)  # BoundariesMissing with its message when not built
    return _static(str(p), p.stat().st_mtime_ns)


def _title(yv, fc, lang: str) -> str:
    from ..maps.views import route_title

    kind = fc.view.kind
    if kind == "overview":
        return t("sheet.title", lang, year=yv.year)
    if kind == "key":
        return t("export.title.key", lang, year=yv.year)
    if kind == "route":
        return route_title(fc.route, yv.year, lang)
    return t("export.title.commune", lang, name=fc.name, year=yv.year)


def _figures(yv, fc, lang: str) -> list[tuple[str, str]]:
    """(label, value) rows of the figures box: the view's own figures."""
    from ..status import route_figures

    k = yv.kpis
    kind = fc.view.kind
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    if kind == "route":
        f = route_figures(yv, fc.route)
        return [(t("sheet.route.communes", lang), n(f["communes"])),
                (t("sheet.route.key", lang), n(f["key"])),
                (t("sheet.route.key_classes", lang), " / ".join(n(f[f"class_{c}"]) for c in CLASSES)),
                (t("sheet.route.drug_free", lang), n(f["drug_free"])),
                (t("sheet.route.length", lang), f"{fmt_num(f['length_km'], 1, lang)} km"),
                (t("sheet.route.population", lang), n(f["population"]))]
    if kind == "commune":
        row = yv.row(fc.code)
        cls = row.get("complexity_class") or ""
        dec = row.get("decision_no") or ""
        if dec and row.get("decision_date") is not None and str(row.get("decision_date")) not in ("NaT", "None"):
            dec = f"{dec} ({fmt_date(row['decision_date'], lang)})"
        # route ids here (their names are in the legend)
        routes = ", ".join(yv.membership.get(fc.code, ())) or t("sheet.none", lang)
        out = [(t("sheet.commune.status", lang), category_label(row["category"], lang)),
               (t("sheet.commune.class", lang), t("map.tip.class_n", lang, n=cls) if cls in CLASSES else "–"),
               (t("sheet.commune.population", lang), n(row.get("population"))),
               (t("sheet.commune.decision", lang), dec or "–"),
               (t("sheet.commune.routes", lang), routes)]
        out = [(k, v if len(v) <= 42 else v[:41] + "…") for k, v in out]
        for key in INDICATOR_KEYS:
            v = row.get(key)
            blank = v is None or (isinstance(v, float) and v != v) or str(v) in ("<NA>", "nan")
            out.append((indicator_label(key, lang),
                        "–" if blank else fmt_num(float(v), 1, lang) if key == "plant_area_m2" else n(v)))
        return out
    rows = [(t("kpi.drug_free", lang), f"{n(k['drug_free'])}/{n(k['total_units'])} = {fmt_pct(k.get('share_pct'), lang)}")]
    if k.get("target_pct") is not None:
        rows.append((t("kpi.target", lang), f"{fmt_pct(k['target_pct'], lang)} ({points(k['diff_points'], lang)})"))
    rows.append((t("kpi.key", lang), n(k["key_count"])))
    if kind == "key":
        rows.append((t("sheet.route.key_classes", lang), " / ".join(n(k["by_category"][f"class_{c}"]) for c in CLASSES)))
    rows.append((t("kpi.routes", lang), n(k["routes_count"])))
    if k.get("needed_for_2030") is not None:
        rows.append((t("kpi.needed_2030", lang), n(k["needed_for_2030"])))
    return rows


def draw_sheet(yv=None, view="overview", *, lang: str = "vi", paper: str = "a4", title: str | None = None,
               date: dt.date | None = None, dpi: int = 150, **legacy):
    """The figure of ``view`` (:class:`geo.yearview.View` or its text) for the year view ``yv``.

    The chosen communes stay in full colour and the map zooms to them (a route: its whole line and
    corridor); the figures box shows the view's own figures (province KPIs; the route's communes,
    key communes by class and drug-free; the commune's status, class, population and indicators);
    the legend lists only what is drawn, with the counts of the communes in focus. Every data text
    goes through :func:`geo.escape.mpl_text` (a ``$`` in a route name never starts mathtext).

    Old keyword call: ``draw_sheet(frame=…, routes=…, year=…, kpis=…, demo=…, view=…)``."""
    from ..maps.demo_mark import demo_badge, demo_text
    from ..yearview import View, from_frame

    if yv is None:  # old keyword call
        yv = from_frame(legacy.pop("frame"), legacy.pop("routes"), legacy.pop("year"), kpis=legacy.pop("kpis"),
                        demo=legacy.pop("demo", False))
    if legacy:
        raise TypeError(f"draw_sheet: unexpected arguments {sorted(legacy)}")
    if paper not in PAPER_MM:
        raise ValueError(f"Khổ giấy không hợp lệ: {paper!r} (chọn a4 hoặc a3)")
    view = View.parse(view)
    fc = yv.focus(view)  # ViewError (a ValueError, Vietnamese) for an unknown route or commune
    focus = set(fc.codes) if fc.codes is not None else None
    w_mm, h_mm = PAPER_MM[paper]
    scale = w_mm / 297
    date = date or dt.date.today()
    title = title or _title(yv, fc, lang)
    plt.rcParams["font.family"] = FONT
    fig = plt.figure(figsize=(w_mm / 25.4, h_mm / 25.4), dpi=dpi)
    fig._tq_lang = lang

    full, web, province, border = _static_layers()
    # Whole-province views use the web geometry (its largest displacement, ~144 m, is about 0.1 mm
    # on A4); zoomed views use the full detail, where that would show.
    geo = web if view.kind in ("overview", "key") else full[["code", "geometry"]]
    data = geo.merge(pd.DataFrame(yv.frame.drop(columns="geometry")), on="code", how="left")
    data["category"] = data["category"].fillna(CAT_NO_DATA)
    faded = ~data["code"].isin(focus) if focus is not None else pd.Series(False, index=data.index)

    ax = fig.add_axes([0.02, 0.04, 0.60, 0.84])
    ax.set_axis_off()
    # the palette, hatches and symbols of every map (geo.maps.style / symbols): class I is hatched and
    # each commune carries ✓ / I / II / III, so the sheet reads without colour and on a greyscale print
    plt.rcParams["hatch.linewidth"] = 0.4 * scale
    for cat in CATEGORIES:
        for dim in (False, True):
            part = data[(data["category"] == cat) & (faded == dim)]
            if part.empty:
                continue
            part.plot(ax=ax, facecolor=style.CATEGORY_COLOURS[cat], edgecolor=OUTLINE, linewidth=0.25 * scale,
                      hatch=symbols.mpl_hatch(cat), hatchcolor=symbols.mpl_hatch_colour(cat), zorder=2,
                      alpha=0.25 if dim else 1.0)
    if view.kind == "commune":
        data[data["code"] == fc.code].boundary.plot(ax=ax, color="#111111", linewidth=2.6 * scale, zorder=8)
    sym_size = (6.0 if focus is None else 8.0) * scale
    n_before = len(ax.texts)
    symbols.draw_symbols(ax, data, fontsize=sym_size, codes=focus, zorder=11)
    symbol_artists = ax.texts[n_before:]
    province.boundary.plot(ax=ax, color="#1a1a1a", linewidth=1.1 * scale, zorder=5)

    # routes drawn: all in force (overview, key), the one route, or those crossing the commune's group;
    # colours and dashes as on the app maps (style.ROUTE_COLOURS / ROUTE_DASHES), over a white casing
    from ..maps.routes import label_point, short_label

    look = _route_styles(yv)
    if view.kind == "route":
        drawn = [fc.route]
    elif view.kind == "commune":
        crossing = {rid for c in focus for rid in yv.membership.get(c, ())}
        drawn = [r for r in yv.routes if r.id in crossing]
    else:
        drawn = list(yv.routes)
    route_lw = 1.8 * scale
    route_handles, lines = [], []
    for r in drawn:
        if not r.geometry_wkt:
            continue
        colour, dash = look.get(r.id, (style.ROUTE_COLOURS[0], None))
        g = gpd.GeoSeries([wkt.loads(r.geometry_wkt)], crs=WGS84).to_crs(UTM)
        lines.append(g.iloc[0])
        g.plot(ax=ax, color=style.ROUTE_CASING, linewidth=route_lw * 2.2, zorder=7, capstyle="round")
        g.plot(ax=ax, color=colour, linewidth=route_lw, linestyle=_dashes(dash, route_lw), zorder=7.5)
        route_handles.append(plt.Line2D([], [], color=colour, lw=2 * scale, linestyle=_dashes(dash, 2 * scale),
                                        label=mpl_text(r.name or r.id)))
        if view.kind in ("overview", "key"):  # label each route on the province map (short Vietnamese name)
            pt = label_point(g.iloc[0])
            ax.text(pt.x, pt.y, mpl_text(short_label(r)), fontsize=6.5 * scale, ha="center", va="center",
                    zorder=13, color=colour, fontweight="bold",
                    bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": colour, "pad": 1.0, "lw": 0.6})
    if view.kind == "route" and fc.route.geometry_wkt:
        from ..corridors import corridor_metric

        colour = look.get(fc.route.id, (style.ROUTE_COLOURS[0], None))[0]
        gpd.GeoSeries([corridor_metric(fc.route)], crs=UTM).plot(ax=ax, facecolor=colour, alpha=0.12,
                                                                 edgecolor=colour, linewidth=0.6, zorder=6)

    if focus is not None:
        boxes = [data.loc[~faded].total_bounds] if (~faded).any() else []
        if view.kind == "route" and lines:
            from ..corridors import corridor_metric

            boxes.append(corridor_metric(fc.route).bounds)  # the whole route, not only its communes
        x0 = min(b[0] for b in boxes)
        y0 = min(b[1] for b in boxes)
        x1 = max(b[2] for b in boxes)
        y1 = max(b[3] for b in boxes)
    else:
        x0, y0, x1, y1 = data.total_bounds
    pad = 0.06 * max(x1 - x0, y1 - y0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    # grow the shorter side to the axes' shape, so the equal-aspect map shows all of the box
    bbox = ax.get_position(original=True)
    ratio = (bbox.width * fig.get_figwidth()) / (bbox.height * fig.get_figheight())
    if (x1 - x0) / (y1 - y0) < ratio:
        cx, half = (x0 + x1) / 2, (y1 - y0) * ratio / 2
        x0, x1 = cx - half, cx + half
    else:
        cy, half = (y0 + y1) / 2, (x1 - x0) / ratio / 2
        y0, y1 = cy - half, cy + half
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    border_shown = bool(border.intersects(gpd.GeoSeries.from_xy([x0, x1], [y0, y1]).union_all().envelope).any())
    border_lw = 2.0 * scale
    border.plot(ax=ax, color=style.BORDER_COLOUR, linewidth=border_lw, linestyle=_dashes(BORDER_DASH, border_lw),
                zorder=6)
    if focus is not None and len(focus) <= 40:  # name the communes a zoomed sheet is about
        _place_names(ax, data[data["code"].isin(focus)], dict(zip(full["code"], full["short_name"])),
                     symbol_artists, sym_size, scale, first=fc.code if view.kind == "commune" else None)
    span_km = (x1 - x0) / 1000
    _scale_bar(ax, 40 if span_km > 150 else 20 if span_km > 60 else 10 if span_km > 25 else 4)
    _north_arrow(ax)

    # header
    title_txt = fig.text(0.02, 0.955, mpl_text(title), fontweight="bold", va="center",
                         fontsize=(17 if len(title) <= 62 else 14 if len(title) <= 80 else 12) * scale)
    sub = (f"{t('sheet.year', lang)} {yv.year}  ·  {t('sheet.date', lang)} {fmt_date(date, lang)}  ·  "
           f"{t('app.subtitle', lang)}")
    fig.text(0.02, 0.915, mpl_text(sub), fontsize=9 * scale, va="center", color="#333333")
    badge = demo_badge(yv.demo, lang)
    if badge:
        badge_txt = fig.text(0.98, 0.925, mpl_text(badge), fontsize=13 * scale, fontweight="bold", color="#b71c1c",
                             ha="right", va="center", bbox={"facecolor": "#fff3e0", "edgecolor": "#b71c1c", "lw": 1.5})
        # a long title (an English route name) and a wide badge: the title shrinks rather than run into it
        r = fig.canvas.get_renderer()
        badge_box = badge_txt.get_window_extent(r).padded(6 * fig.dpi / 72)  # its frame: pad 4 pt + line
        size0 = title_txt.get_fontsize()
        while (title_txt.get_window_extent(r).x1 + 8 * scale > badge_box.x0
               and title_txt.get_window_extent(r).y0 < badge_box.y1
               and title_txt.get_fontsize() > 0.6 * size0):
            title_txt.set_fontsize(title_txt.get_fontsize() * 0.95)
        fig.text(0.98, 0.889, mpl_text(demo_text(yv.demo, lang)), fontsize=6.5 * scale, color="#b71c1c",
                 ha="right", va="center", wrap=True)
    if yv.demo.statuses:
        ax.text(0.5, 0.5, "DỮ LIỆU MINH HỌA", transform=ax.transAxes, fontsize=40 * scale, color="#b71c1c",
                alpha=0.13, rotation=30, ha="center", va="center", fontweight="bold", zorder=30)

    # figures box: the view's own figures
    rows = _figures(yv, fc, lang)
    step = 0.052 if len(rows) <= 6 else 0.031
    size = 11 if len(rows) <= 6 else 8.5
    kx, ky = 0.65, 0.83
    box_h = step * len(rows) + 0.02
    fig.add_artist(Rectangle((kx - 0.01, ky + 0.03 - box_h), 0.35, box_h, transform=fig.transFigure,
                             facecolor="#f1f4f2", edgecolor="#9e9e9e", lw=0.8))
    renderer = fig.canvas.get_renderer()
    pairs = []
    for i, (k, v) in enumerate(rows):
        lt = fig.text(kx, ky - i * step, mpl_text(k), fontsize=(9 if len(rows) <= 6 else 7.5) * scale,
                      color="#333333", va="top")
        vt = fig.text(kx + 0.33, ky - i * step, mpl_text(v), fontsize=size * scale, fontweight="bold", va="top",
                      ha="right")
        _fit_row(lt, vt, renderer, gap=6 * scale * fig.dpi / 72)
        pairs.append((lt, vt))
    fig._tq_figures = pairs

    # legend: only what is drawn, with the counts of the communes in focus
    counts = fc.counts
    handles, handler_map = [], {}
    for c in CATEGORIES:
        if counts.get(c, 0):
            h = Patch(facecolor=style.CATEGORY_COLOURS[c], edgecolor=OUTLINE, hatch=symbols.mpl_hatch(c),
                      hatchcolor=symbols.mpl_hatch_colour(c),
                      label=mpl_text(f"{_label(c, lang)}: {fmt_int(counts.get(c, 0), lang)}"))
            handles.append(h)
            handler_map[h] = _SymbolSwatch(c)
    if border_shown:
        handles.append(plt.Line2D([], [], color=style.BORDER_COLOUR, lw=2 * scale,
                                  linestyle=_dashes(BORDER_DASH, 2 * scale), label=mpl_text(t("map.border", lang))))
    leg = fig.legend(handles=handles + route_handles, loc="upper left", bbox_to_anchor=(0.64, ky + 0.01 - box_h),
                     fontsize=7.5 * scale, frameon=False, title=t("sheet.legend", lang),
                     title_fontproperties={"weight": "bold", "size": 9 * scale}, alignment="left",
                     handler_map=handler_map, handleheight=1.1)
    leg._legend_box.align = "left"
    fs = 7.5 * scale
    while leg.get_window_extent(fig.canvas.get_renderer()).x1 > fig.bbox.x1 * 0.995 and fs > 5.5 * scale:
        fs *= 0.94  # long route names: a smaller legend rather than one running off the sheet
        for txt in leg.get_texts():
            txt.set_fontsize(fs)

    # sources
    credits = t("sheet.sources", lang) + ": " + sources.ATTRIBUTION
    fig.text(0.02, 0.012, mpl_text(credits), fontsize=5.5 * scale, color="#555555", wrap=True, va="bottom")
    fig._tq_title = title
    return fig


def write_sheet(path: str | Path, fmt: str, yv=None, view="overview", *, lang: str = "vi", paper: str = "a4",
                date: dt.date | None = None, dpi: int = 150, title: str | None = None, **legacy) -> Path:
    """Write the sheet of ``view`` for the year view ``yv`` as ``fmt`` ('pdf' or 'png').

        write_sheet(out, "pdf", year_view(store, 2025), "route:QL2", lang="vi", paper="a3")

    Old keyword call (``frame=…, routes=…, year=…, kpis=…, demo=…, view=…``) still works."""
    if fmt not in ("pdf", "png"):
        raise ValueError(f"Định dạng không hợp lệ: {fmt!r} (chọn pdf hoặc png)")
    path = Path(path)
    if yv is None:
        view = legacy.pop("view", view)
    fig = draw_sheet(yv, view, lang=lang, paper=paper, title=title, date=date, dpi=dpi, **legacy)
    try:
        fig.savefig(path, format=fmt, dpi=fig.dpi, metadata=None if fmt == "png" else {
            "Title": fig._tq_title, "Creator": "Bản đồ xã không ma túy Tuyên Quang"})
    finally:
        plt.close(fig)
    return path
