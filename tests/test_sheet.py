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
