"""Printable briefing sheet: paper size and orientation, text and Vietnamese diacritics, PNG size."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PIL import Image

from geo import boundaries
from geo.export.sheet import write_sheet
from geo.model import CATEGORIES, Route

KPIS = dict(drug_free=35, total_units=124, share_pct=100 * 35 / 124, target_pct=20.0,
            diff_points=100 * 35 / 124 - 20, key_count=71, routes_count=1, needed_for_2030=89)


@pytest.fixture(scope="module")
def frame(boundaries_gpkg):
    f = boundaries.communes(web=True, path=boundaries_gpkg)
    f["category"] = [CATEGORIES[i % len(CATEGORIES)] for i in range(len(f))]
    return f


@pytest.fixture(scope="module")
def routes(boundaries_gpkg):
    road = boundaries.layer("roads", boundaries_gpkg).set_index("name").loc["Quốc lộ 2"]
    return [Route(id="QL2", name="Tuyến Quốc lộ 2", geometry_wkt=road.geometry.wkt)]


def _pdf_text(path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed: .ci/run installs it"
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _pdf_size_pts(path) -> tuple[float, float]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("Page size:"))
    w, _, h = line.split(":", 1)[1].split()[:3]
    return float(w), float(h)


@pytest.mark.parametrize("paper,size_pts", [("a4", (841.89, 595.28)), ("a3", (1190.55, 841.89))])
def test_pdf_paper_landscape_and_text(tmp_path, frame, routes, paper, size_pts):
    out = write_sheet(tmp_path / f"sheet_{paper}.pdf", "pdf", frame=frame, routes=routes, year=2025,
                      kpis=KPIS, demo=True, paper=paper)
    w, h = _pdf_size_pts(out)
    assert w > h  # landscape
    assert abs(w - size_pts[0]) < 1 and abs(h - size_pts[1]) < 1
    text = _pdf_text(out)
    assert "Tình hình xây dựng xã không ma túy năm 2025" in text  # title, diacritics intact
    assert "DỮ LIỆU MINH HỌA" in text
    assert "Chú giải" in text and "Đã công nhận không ma túy: 21" in text  # legend with counts
    assert "28,2%" in text and "+8,2 điểm phần trăm" in text
    assert "thanglequoc" in text  # sources
    assert "Trọng điểm phức tạp loại III" in text


def test_no_demo_mark_on_real_data(tmp_path, frame, routes):
    out = write_sheet(tmp_path / "real.pdf", "pdf", frame=frame, routes=routes, year=2025, kpis=KPIS,
                      demo=False, paper="a4")
    assert "MINH HỌA" not in _pdf_text(out)


def test_english_sheet(tmp_path, frame, routes):
    out = write_sheet(tmp_path / "en.pdf", "pdf", frame=frame, routes=routes, year=2025, kpis=KPIS,
                      demo=True, paper="a4", lang="en")
    text = _pdf_text(out)
    assert "Drug-free communes, 2025" in text and "28.2%" in text and "Legend" in text


@pytest.mark.parametrize("paper,dpi,expected", [("a4", 100, (1169, 827)), ("a3", 100, (1654, 1169))])
def test_png_dimensions(tmp_path, frame, routes, paper, dpi, expected, artifacts_dir):
    out = write_sheet(tmp_path / f"sheet_{paper}.png", "png", frame=frame, routes=routes, year=2025,
                      kpis=KPIS, demo=True, paper=paper, dpi=dpi)
    with Image.open(out) as im:
        assert abs(im.size[0] - expected[0]) <= 2 and abs(im.size[1] - expected[1]) <= 2
    shutil.copyfile(out, artifacts_dir / f"sheet_{paper}.png")


def test_bad_paper_and_format(tmp_path, frame, routes):
    with pytest.raises(ValueError, match="Khổ giấy"):
        write_sheet(tmp_path / "x.pdf", "pdf", frame=frame, routes=routes, year=2025, kpis=KPIS, paper="letter")
    with pytest.raises(ValueError, match="Định dạng"):
        write_sheet(tmp_path / "x.svg", "svg", frame=frame, routes=routes, year=2025, kpis=KPIS)


@pytest.mark.parametrize("view,title", [
    ("route:QL2", "Tuyến trọng điểm Quốc lộ 2 (cửa khẩu Thanh Thủy"),
    ("key", "Xã trọng điểm phức tạp về ma túy năm 2025"),
    ("commune:00694", "Phường Hà Giang 1 – năm 2025"),
])
def test_cli_sheet_views_from_the_demo_store(demo_db, tmp_path, view, title):
    import os
    import sys

    from geo.paths import REPO_ROOT

    out = tmp_path / "sheet.pdf"
    r = subprocess.run([sys.executable, "-m", "geo", "export", "pdf", "--year", "2025", "--view", view,
                        "--paper", "a3", "--out", str(out)], cwd=REPO_ROOT, capture_output=True, text=True,
                       env={**os.environ, "TQMAP_DB": str(demo_db)}, timeout=300)
    assert r.returncode == 0, r.stderr
    text = _pdf_text(out)
    assert title in " ".join(text.split()) and "DỮ LIỆU MINH HỌA" in text
    w, h = _pdf_size_pts(out)
    assert abs(w - 1190.55) < 1 and abs(h - 841.89) < 1


@pytest.mark.parametrize("args,message", [
    (["--view", "route:XYZ"], "Không có tuyến 'XYZ'"),
    (["--view", "commune:99999"], "Không có xã mã '99999'"),
    (["--view", "tong-quan"], "Kiểu bản đồ không hợp lệ"),
    (["--year", "1999"], "không có số liệu năm 1999"),
])
def test_cli_sheet_bad_input_writes_nothing(demo_db, tmp_path, args, message):
    import os
    import sys

    from geo.paths import REPO_ROOT

    out = tmp_path / "sheet.pdf"
    base = ["--year", "2025"] if "--year" not in args else []
    r = subprocess.run([sys.executable, "-m", "geo", "export", "pdf", *base, *args, "--out", str(out)],
                       cwd=REPO_ROOT, capture_output=True, text=True, env={**os.environ, "TQMAP_DB": str(demo_db)},
                       timeout=300)
    assert r.returncode == 1 and message in r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


# --- year view sheets: own figures, hostile text, demo per item --------------------------------------


@pytest.fixture(scope="module")
def demo_yv(tmp_path_factory, boundaries_gpkg):
    from geo import yearview
    from geo.demo import build_demo
    from geo.store import open_store

    s = open_store(tmp_path_factory.mktemp("sheet") / "app.db")
    build_demo(s)
    yield yearview.year_view(s, 2025)
    s.close()


@pytest.mark.parametrize("fmt", ["pdf", "png"])
def test_dollar_and_markup_in_route_name_do_not_break_sheets(tmp_path, frame, routes, fmt):
    from geo import yearview

    evil = [Route(id="QL2$", name=r"Tuyến $x^2$ \frac{1}{0} $$ 50$ <b>&", geometry_wkt=routes[0].geometry_wkt)]
    f = frame.copy()
    f["routes"] = [[] for _ in range(len(f))]
    yv = yearview.from_frame(f, evil, 2025, kpis=KPIS)
    for view in ("overview", "route:QL2$") if fmt == "pdf" else ("route:QL2$",):
        out = write_sheet(tmp_path / f"s.{fmt}", fmt, yv, view, dpi=60)
        assert out.stat().st_size > 10_000
        if fmt == "pdf":
            text = " ".join(_pdf_text(out).split())
            assert r"Tuyến $x^2$ \frac{1}{0} $$ 50$ <b>&" in text  # printed as typed


@pytest.mark.slow  # full-detail geometry of a zoomed sheet: seconds of CPU
def test_route_sheet_has_its_own_figures_and_legend(tmp_path, demo_yv):
    from geo import status

    fig = status.route_summary(demo_yv).set_index("id").loc["QL2"]
    text = " ".join(_pdf_text(write_sheet(tmp_path / "r.pdf", "pdf", demo_yv, "route:QL2")).split())
    assert "Tuyến trọng điểm Quốc lộ 2 (cửa khẩu" in text and "Tuyến trọng điểm Tuyến" not in text
    assert f"Xã, phường trên tuyến {fig['communes']}" in text
    assert f"Trong đó trọng điểm phức tạp {fig['key']}" in text
    assert f"Loại I / II / III {fig['class_I']} / {fig['class_II']} / {fig['class_III']}" in text
    assert f"Trong đó không ma túy {fig['drug_free']}" in text
    assert "Xã không ma túy 35/124" not in text  # not the province's box
    others = [r.name for r in demo_yv.routes if r.id != "QL2"]
    assert not any(n in text for n in others)  # the legend lists only the route drawn
    assert "điểm %" not in text


@pytest.mark.slow
def test_commune_sheet_has_its_own_figures(tmp_path, demo_yv):
    row = demo_yv.row("00694")
    text = " ".join(_pdf_text(write_sheet(tmp_path / "c.pdf", "pdf", demo_yv, "commune:00694")).split())
    assert "Phường Hà Giang 1 – năm 2025" in text
    assert f"Dân số {row['population']:,}".replace(",", ".") in text
    assert "Người nghiện có hồ sơ quản lý" in text and "Số đối tượng bị bắt" in text
    assert "Xã không ma túy 35/124" not in text


def test_demo_per_item_on_sheets(tmp_path, frame, routes):
    from geo import yearview
    from geo.model import DemoFlags

    real = yearview.from_frame(frame, routes, 2025, kpis=KPIS, demo=DemoFlags(routes=True))
    text = " ".join(_pdf_text(write_sheet(tmp_path / "d.pdf", "pdf", real, "overview")).split())
    assert "MINH HỌA: tuyến trọng điểm" in text
    assert "Trạng thái các xã: số liệu thật; tuyến trọng điểm: MINH HỌA; chỉ tiêu: số liệu thật." in text
    assert "DỮ LIỆU MINH HỌA" not in text


# --- greyscale print and hatch: class I must not look like drug-free without colour ----------------


def _lstar_from_grey(g):
    """CIE L* of 8-bit grey levels (sRGB transfer curve, D65 white)."""
    import numpy as np

    c = np.asarray(g, dtype=float) / 255
    y = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    f = np.where(y > (6 / 29) ** 3, np.cbrt(y), y / (3 * (6 / 29) ** 2) + 4 / 29)
    return 116 * f - 16


def _interior_lstar(yv, fig, grey, cat):
    """(code, L* of the greyscale pixels) inside the largest commune of ``cat``: 1 km in from its
    outline, away from its symbol (4 km) and from every route line and its white casing (2.5 km)."""
    import geopandas as gpd
    import numpy as np
    from shapely import contains_xy, wkt
    from shapely.geometry import Point

    from geo.crs import METRIC_CRS, WGS84
    from geo.maps import symbols

    fr = yv.frame.to_crs(METRIC_CRS)
    part = fr[fr["category"] == cat]
    assert len(part), f"the demo year has no commune of {cat}"
    big = part.loc[part.area.idxmax()]
    lines = gpd.GeoSeries([wkt.loads(r.geometry_wkt) for r in yv.routes if r.geometry_wkt], crs=WGS84)
    away = lines.to_crs(METRIC_CRS).union_all().buffer(2500)
    inner = big.geometry.buffer(-1000).difference(Point(*symbols.anchor(big.geometry)).buffer(4000)).difference(away)
    x0, y0, x1, y1 = inner.bounds
    xs, ys = (a.ravel() for a in np.meshgrid(np.arange(x0, x1, 200), np.arange(y0, y1, 200)))
    keep = contains_xy(inner, xs, ys)
    px = fig.axes[0].transData.transform(np.c_[xs[keep], ys[keep]])  # the map axes (display: y up)
    rows = np.round(grey.shape[0] - px[:, 1]).astype(int)
    cols = np.round(px[:, 0]).astype(int)
    assert len(rows) >= 100, f"too few interior pixels sampled in {big['code']}"
    return big["code"], _lstar_from_grey(grey[rows, cols])


def test_greyscale_sheet_keeps_drug_free_and_class_I_apart_and_class_I_is_hatched(demo_yv):
    """Printed in greyscale (the PNG converted to grey levels, Rec. 601 luma as PIL does), the inside
    of a drug-free commune and of a class I commune stay ≥ 20 L* apart, both for the plain fill
    (median pixel) and for the average grey the hatched area gives from a distance (mean pixel);
    class I patches and their legend swatch carry the hatch, drug-free ones none."""
    import io

    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import to_rgba

    from geo.export.sheet import draw_sheet
    from geo.maps import style, symbols
    from geo.model import CAT_CLASS_I, CAT_DRUG_FREE

    fig = draw_sheet(demo_yv, "overview", dpi=100)
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=fig.dpi)
        grey = np.asarray(Image.open(buf).convert("L"))
        # one PNG pixel per display unit (the figure's fractional pixel is dropped at the edge)
        assert all(abs(n - v) < 1 for n, v in zip(grey.shape[::-1], fig.bbox.size))

        free_code, free = _interior_lstar(demo_yv, fig, grey, CAT_DRUG_FREE)
        one_code, one = _interior_lstar(demo_yv, fig, grey, CAT_CLASS_I)
        msg = f"drug-free {free_code}: {np.median(free):.1f}/{free.mean():.1f}, class I {one_code}: " \
              f"{np.median(one):.1f}/{one.mean():.1f} (median/mean L*)"
        assert np.median(free) - np.median(one) >= 20, msg
        assert free.mean() - one.mean() >= 20, msg
        # the hatch is printed: light lines over the dark class I fill; none on drug-free
        assert (one >= 50).mean() >= 0.05 and (one <= 35).mean() >= 0.5, msg
        assert (free < 45).mean() < 0.02, msg

        # every class I patch collection carries the symbols' hatch and hatch colour; drug-free none
        rgb = lambda c: tuple(np.round(np.asarray(to_rgba(c))[:3], 3))  # noqa: E731
        by_fill = {}
        for coll in fig.axes[0].collections:
            fc = coll.get_facecolor()
            if len(fc):
                by_fill.setdefault(tuple(np.round(fc[0][:3], 3)), []).append(coll)
        ones = by_fill.get(rgb(style.CATEGORY_COLOURS[CAT_CLASS_I]), [])
        frees = by_fill.get(rgb(style.CATEGORY_COLOURS[CAT_DRUG_FREE]), [])
        assert ones and frees
        assert symbols.mpl_hatch(CAT_CLASS_I)
        assert all(c.get_hatch() == symbols.mpl_hatch(CAT_CLASS_I) for c in ones)
        assert all(rgb(np.atleast_2d(c.get_hatchcolor())[0]) == rgb(symbols.mpl_hatch_colour(CAT_CLASS_I))
                   for c in ones)
        assert not any(c.get_hatch() for c in frees)
        # and so does its legend swatch
        swatches = {h.get_label(): h for h in fig.legends[0].legend_handles}
        one_swatch = next(h for lab, h in swatches.items() if lab.startswith("Trọng điểm phức tạp loại I:"))
        assert one_swatch.get_hatch() == symbols.mpl_hatch(CAT_CLASS_I)
    finally:
        plt.close(fig)



@pytest.mark.parametrize("lang,want", [("vi", "+8,2 điểm phần trăm"), ("en", "+8.2 percentage points")])
def test_figures_box_rows_fit(frame, routes, lang, want):
    """The longer "+8,2 điểm phần trăm" stays on its row: label and value never meet, both inside the
    figures box."""
    import matplotlib.pyplot as plt

    from geo import yearview
    from geo.export.sheet import draw_sheet

    yv = yearview.from_frame(frame, routes, 2025, kpis=KPIS)
    fig = draw_sheet(yv, "overview", lang=lang, dpi=100)
    try:
        r = fig.canvas.get_renderer()
        box = next(a for a in fig.artists if a.get_facecolor()[:3] != (1, 1, 1)).get_window_extent(r)
        assert any(want in v.get_text() for _, v in fig._tq_figures)
        for label, value in fig._tq_figures:
            lb, vb = label.get_window_extent(r), value.get_window_extent(r)
            assert lb.x1 < vb.x0, (label.get_text(), value.get_text())
            assert box.x0 <= lb.x0 and vb.x1 <= box.x1, (label.get_text(), value.get_text())
    finally:
        plt.close(fig)


def test_fit_row_shrinks_a_value_that_would_meet_its_label():
    import matplotlib.pyplot as plt

    from geo.export.sheet import _fit_row

    fig = plt.figure(figsize=(4, 1), dpi=100)
    try:
        r = fig.canvas.get_renderer()
        label = fig.text(0.02, 0.5, "Chỉ tiêu năm của Bộ Công an", fontsize=9)
        value = fig.text(0.98, 0.5, "20,0% (+8,2 điểm phần trăm)", fontsize=11, ha="right", fontweight="bold")
        assert label.get_window_extent(r).x1 > value.get_window_extent(r).x0  # they meet at full size
        _fit_row(label, value, r, gap=6)
        assert label.get_window_extent(r).x1 + 6 <= value.get_window_extent(r).x0
        assert value.get_fontsize() < 11
    finally:
        plt.close(fig)
