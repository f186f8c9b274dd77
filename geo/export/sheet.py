"""Printable briefing sheet (PDF or PNG, A4 or A3 landscape), drawn with matplotlib.

Why matplotlib and not Chromium printing the HTML map: the sheet must come out the same on an
air-gapped desk computer and in CI, with no browser, no tiles and no timing of map rendering; the
map is drawn from the full-detail boundaries in UTM 48N, so the scale bar is true, and text uses
DejaVu Sans, which matplotlib ships and which covers every Vietnamese diacritic. PDF text stays
text (Type 42 fonts), so it can be searched and copied.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import matplotlib
import pandas as pd
from shapely import wkt

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrow, Patch, Rectangle  # noqa: E402

from .. import boundaries, sources  # noqa: E402
from ..i18n import fmt_date, fmt_int, fmt_pct, fmt_points, t  # noqa: E402
from ..model import CATEGORIES, CATEGORY_COLOURS, CATEGORY_LABELS, CAT_NO_DATA  # noqa: E402

UTM = "EPSG:32648"
PAPER_MM = {"a4": (297, 210), "a3": (420, 297)}  # landscape
FONT = "DejaVu Sans"
ROUTE_COLOURS = ("#6a1b9a", "#1565c0", "#00838f", "#4e342e", "#ad1457", "#283593", "#37474f")
HATCH = "////"

matplotlib.rcParams["pdf.fonttype"] = 42
matplotlib.rcParams["ps.fonttype"] = 42


def _label(cat: str, lang: str) -> str:
    vi, en = CATEGORY_LABELS[cat]
    return en if lang == "en" else vi


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
        ax.text(x + i * seg, y + (y1 - y0) * 0.014, label, ha="center", va="bottom", fontsize=7, zorder=20)


def _north_arrow(ax):
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x = x1 - (x1 - x0) * 0.06
    y = y1 - (y1 - y0) * 0.12
    h = (y1 - y0) * 0.07
    ax.add_patch(FancyArrow(x, y, 0, h, width=h * 0.18, head_width=h * 0.45, head_length=h * 0.45,
                            length_includes_head=True, color="black", zorder=20))
    ax.text(x, y + h * 1.08, "B" if ax.figure._tq_lang == "vi" else "N", ha="center", va="bottom",
            fontsize=11, fontweight="bold", zorder=20)


def _view_focus(frame, routes, view: str, lang: str, year: int):
    """(codes in full colour or None for all, extent polygon or None, default title) of a view."""

    from ..corridors import corridor_polygon
    from ..maps.views import neighbours
    from .html import parse_view

    kind, arg = parse_view(view)
    codes = frame["code"].astype(str)
    if kind == "overview":
        return None, None, None
    if kind == "key":
        keyed = set(codes[frame["category"].isin(["class_I", "class_II", "class_III"])])
        return keyed, None, t("export.title.key", lang, year=year)
    if kind == "route":
        route = next((r for r in routes if r.id == arg), None)
        if route is None:
            raise ValueError(f"Không có tuyến {arg!r}. Các tuyến có: {', '.join(r.id for r in routes) or '(chưa có)'}.")
        on = {c for c, rs in zip(codes, frame["routes"]) if arg in (rs or [])}
        return on, corridor_polygon(route), t("export.title.route", lang, name=route.name, year=year)
    if arg not in set(codes):
        raise ValueError(f"Không có xã mã {arg!r} (mã gồm 5 chữ số, ví dụ 00694).")
    group = {arg, *neighbours(frame, arg)}
    name = str(frame.loc[codes == arg, "name"].iloc[0])
    return group, None, t("export.title.commune", lang, name=name, year=year)


def draw_sheet(frame: gpd.GeoDataFrame, routes, *, year: int, kpis: dict, lang: str = "vi",
               demo: bool = False, paper: str = "a4", title: str | None = None,
               date: dt.date | None = None, dpi: int = 150, view: str = "overview"):
    """The figure; ``frame`` is a status frame (``category`` per commune, as geo.status builds it).

    ``view``: overview | key | route:ID | commune:CODE (as the HTML export): the chosen communes
    stay in full colour and the map zooms to them; the legend counts them."""
    if paper not in PAPER_MM:
        raise ValueError(f"Khổ giấy không hợp lệ: {paper!r} (chọn a4 hoặc a3)")
    focus, extent, view_title = _view_focus(frame, routes, view, lang, year)
    w_mm, h_mm = PAPER_MM[paper]
    scale = w_mm / 297
    date = date or dt.date.today()
    title = title or view_title or t("sheet.title", lang, year=year)
    plt.rcParams["font.family"] = FONT
    fig = plt.figure(figsize=(w_mm / 25.4, h_mm / 25.4), dpi=dpi)
    fig._tq_lang = lang

    # Whole-province views use the web geometry (its largest displacement, ~144 m, is about 0.1 mm
    # on A4); zoomed views use the full detail, where that would show.
    full = boundaries.communes(web=focus is None or view == "key")[["code", "geometry"]]
    data = full.merge(frame.drop(columns="geometry"), on="code", how="left").to_crs(UTM)
    data["category"] = data["category"].fillna(CAT_NO_DATA)
    faded = ~data["code"].isin(focus) if focus is not None else pd.Series(False, index=data.index)

    ax = fig.add_axes([0.02, 0.04, 0.60, 0.84])
    ax.set_axis_off()
    ax.set_aspect("equal")
    for cat in CATEGORIES:
        for dim in (False, True):
            part = data[(data["category"] == cat) & (faded == dim)]
            if part.empty:
                continue
            part.plot(ax=ax, facecolor=CATEGORY_COLOURS[cat], edgecolor="#4d4d4d", linewidth=0.25 * scale,
                      hatch=HATCH if cat == CAT_NO_DATA else None, zorder=2, alpha=0.25 if dim else 1.0)
    if view.startswith("commune:"):
        data[data["code"] == view.split(":", 1)[1]].boundary.plot(ax=ax, color="#111111", linewidth=2.6 * scale,
                                                                 zorder=8)
    if focus is not None and len(focus) <= 40:  # name the communes a zoomed sheet is about
        names = boundaries.commune_table().set_index("code")["short_name"]
        for code, geom in zip(data["code"], data.geometry):
            if code in focus:
                pt = geom.representative_point()
                ax.text(pt.x, pt.y, names.get(code, ""), fontsize=6.5 * scale, ha="center", va="center",
                        zorder=9, color="#111111",
                        bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 0.6})
    province = boundaries.layer("province").to_crs(UTM)
    province.boundary.plot(ax=ax, color="#1a1a1a", linewidth=1.1 * scale, zorder=5)
    border = boundaries.layer("border_cn").to_crs(UTM)
    border.plot(ax=ax, color="#b71c1c", linewidth=2.2 * scale, linestyle=(0, (4, 2)), zorder=6)
    route_handles = []
    for i, r in enumerate(routes):
        colour = ROUTE_COLOURS[i % len(ROUTE_COLOURS)]
        g = gpd.GeoSeries([wkt.loads(r.geometry_wkt)], crs="EPSG:4326").to_crs(UTM)
        g.plot(ax=ax, color=colour, linewidth=1.8 * scale, zorder=7)
        route_handles.append(plt.Line2D([], [], color=colour, lw=2, label=r.name))
    if focus is not None:
        box = data.loc[~faded].total_bounds
        if extent is not None:
            ext = gpd.GeoSeries([extent], crs="EPSG:4326").to_crs(UTM).total_bounds
            box = [min(box[0], ext[0]), min(box[1], ext[1]), max(box[2], ext[2]), max(box[3], ext[3])]
        pad = 0.06 * max(box[2] - box[0], box[3] - box[1])
        ax.set_xlim(box[0] - pad, box[2] + pad)
        ax.set_ylim(box[1] - pad, box[3] + pad)
    span_km = (ax.get_xlim()[1] - ax.get_xlim()[0]) / 1000
    _scale_bar(ax, 40 if span_km > 150 else 20 if span_km > 60 else 10 if span_km > 25 else 4)
    _north_arrow(ax)

    # header
    fig.text(0.02, 0.955, title, fontsize=(17 if len(title) <= 62 else 13 if len(title) <= 85 else 11) * scale,
             fontweight="bold", va="center")
    sub = (f"{t('sheet.year', lang)} {year}  ·  {t('sheet.date', lang)} {fmt_date(date, lang)}  ·  "
           f"{t('app.subtitle', lang)}")
    fig.text(0.02, 0.915, sub, fontsize=9 * scale, va="center", color="#333333")
    if demo:
        fig.text(0.98, 0.915, t("demo.mark", lang), fontsize=13 * scale, fontweight="bold", color="#b71c1c",
                 ha="right", va="center", bbox={"facecolor": "#fff3e0", "edgecolor": "#b71c1c", "lw": 1.5})
        ax.text(0.5, 0.5, "DỮ LIỆU MINH HỌA", transform=ax.transAxes, fontsize=40 * scale, color="#b71c1c",
                alpha=0.13, rotation=30, ha="center", va="center", fontweight="bold", zorder=30)

    # KPI box
    kx, ky = 0.65, 0.86
    fig.add_artist(Rectangle((kx - 0.01, 0.60), 0.35, 0.29, transform=fig.transFigure,
                             facecolor="#f1f4f2", edgecolor="#9e9e9e", lw=0.8))
    rows = [
        (t("kpi.drug_free", lang), f"{fmt_int(kpis['drug_free'], lang)}/{fmt_int(kpis['total_units'], lang)} "
                                   f"= {fmt_pct(kpis['share_pct'], lang)}"),
    ]
    if kpis.get("target_pct") is not None:
        rows.append((t("kpi.target", lang), f"{fmt_pct(kpis['target_pct'], lang)} "
                                            f"({fmt_points(kpis['diff_points'], lang)})"))
    rows.append((t("kpi.key", lang), fmt_int(kpis["key_count"], lang)))
    rows.append((t("kpi.routes", lang), fmt_int(kpis["routes_count"], lang)))
    if kpis.get("needed_for_2030") is not None:
        rows.append((t("kpi.needed_2030", lang), fmt_int(kpis["needed_for_2030"], lang)))
    for i, (k, v) in enumerate(rows):
        fig.text(kx, ky - i * 0.052, k, fontsize=9 * scale, color="#333333", va="top")
        fig.text(kx + 0.33, ky - i * 0.052, v, fontsize=11 * scale, fontweight="bold", va="top", ha="right")

    # legend with counts (labels, not colour alone)
    counts = data.loc[~faded, "category"].value_counts().to_dict()
    handles = [Patch(facecolor=CATEGORY_COLOURS[c], edgecolor="#4d4d4d", hatch=HATCH if c == CAT_NO_DATA else None,
                     label=f"{_label(c, lang)}: {counts.get(c, 0)}") for c in CATEGORIES]
    handles.append(plt.Line2D([], [], color="#b71c1c", lw=2, linestyle=(0, (4, 2)), label=t("map.border", lang)))
    leg = fig.legend(handles=handles + route_handles, loc="upper left", bbox_to_anchor=(0.64, 0.585),
                     fontsize=7.5 * scale, frameon=False, title=t("sheet.legend", lang),
                     title_fontproperties={"weight": "bold", "size": 9 * scale}, alignment="left")
    leg._legend_box.align = "left"

    # sources
    credits = t("sheet.sources", lang) + ": " + sources.ATTRIBUTION
    fig.text(0.02, 0.012, credits, fontsize=5.5 * scale, color="#555555", wrap=True, va="bottom")
    return fig


def write_sheet(path: str | Path, fmt: str, **kwargs) -> Path:
    """Write the sheet as ``fmt`` ('pdf' or 'png')."""
    if fmt not in ("pdf", "png"):
        raise ValueError(f"Định dạng không hợp lệ: {fmt!r} (chọn pdf hoặc png)")
    path = Path(path)
    fig = draw_sheet(**kwargs)
    try:
        fig.savefig(path, format=fmt, dpi=fig.dpi, metadata=None if fmt == "png" else {
            "Title": kwargs.get("title") or t("sheet.title", kwargs.get("lang", "vi"), year=kwargs["year"]),
            "Creator": "Bản đồ xã không ma túy Tuyên Quang"})
    finally:
        plt.close(fig)
    return path
