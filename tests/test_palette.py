"""The palette rules (geo.maps.style) hold for the colours actually written into the HTML export:
categories stay ≥ 20 ΔE (CIE76) apart for normal vision and after simulating protanopia and
deuteranopia (Machado 2009, colorspacious), drug-free and class I differ by ≥ 20 L*, route lines
stay apart from each other and from the categories."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import numpy as np
import pytest

colorspacious = pytest.importorskip("colorspacious")

from geo.export.html import export_view  # noqa: E402
from geo.maps import compact, style  # noqa: E402
from tests.map_inputs import make_frame, make_routes  # noqa: E402

VISIONS = (None, "protanomaly", "deuteranomaly")  # severity 100 = protanopia / deuteranopia


def _rgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)])


def _lab(rgb, vision=None) -> np.ndarray:
    if vision:
        rgb = np.clip(colorspacious.cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100},
                                                   "sRGB1"), 0, 1)
    return colorspacious.cspace_convert(rgb, "sRGB1", "CIELab")


def _as_drawn(hex_colour: str, opacity: float) -> np.ndarray:
    return opacity * _rgb(hex_colour) + (1 - opacity) * _rgb(style.BACKGROUND)


@pytest.fixture(scope="module")
def export_colours(boundaries_gpkg):
    routes = make_routes(xss=False)
    frame = make_frame(routes, xss=False)
    page = export_view(frame, routes, "overview", year=2025, date=dt.date(2026, 2, 4))
    text = page.replace("\\u003c", "<").replace("\\u003e", ">").replace('\\"', '"')
    m = re.search(r'window\.tqGeo\.make\("communes", (\[.*?\]), \{"pane"', page, re.S)
    feats = compact.layer_features(page, "communes")  # st/cat resolved from the layer's tables
    fills = {f[2]["cat"]: f[2]["st"]["fillColor"] for f in feats}
    opacity = float(re.search(r'"fillOpacity":\s*([\d.]+)', m.group(0) + page[m.end():m.end() + 400]).group(1))
    cats = {}
    for cat, fill in fills.items():
        if fill.startswith("url(#"):  # a pattern: its base colour is the rect it paints first
            pid = fill[5:-1]
            pat = re.search(r'<pattern id="%s".*?<rect [^>]*fill="(#[0-9a-fA-F]{6})"' % re.escape(pid), text, re.S)
            assert pat, f"pattern {pid} not in the export"
            fill = pat.group(1)
        cats[cat] = fill
    route_cols = [f[2]["st"]["color"] for f in compact.layer_features(page, "routes")]
    border_m = re.search(r'window\.tqGeo\.make\("border", .*?"color":"(#[0-9a-fA-F]{6})"', page, re.S)
    return {"cats": cats, "opacity": opacity, "routes": route_cols, "border": border_m.group(1)}


def test_export_uses_the_palette(export_colours):
    assert set(export_colours["cats"]) == set(style.CATEGORY_COLOURS)
    assert export_colours["cats"] == style.CATEGORY_COLOURS
    assert export_colours["routes"] == list(style.ROUTE_COLOURS)


@pytest.mark.parametrize("vision", VISIONS)
def test_categories_distinct_for_normal_protan_and_deutan_vision(export_colours, vision):
    a = export_colours["opacity"]
    labs = {c: _lab(_as_drawn(h, a), vision) for c, h in export_colours["cats"].items()}
    worst = min((float(np.linalg.norm(labs[x] - labs[y])), x, y) for x, y in itertools.combinations(labs, 2))
    assert worst[0] >= 20, f"{vision or 'normal'}: {worst[1]} vs {worst[2]} only ΔE {worst[0]:.1f}"


def test_drug_free_and_class_i_apart_in_greyscale(export_colours):
    a = export_colours["opacity"]
    for opacity in (a, 1.0):  # as drawn on the map and as printed at full strength
        l_free = _lab(_as_drawn(export_colours["cats"]["drug_free"], opacity))[0]
        l_one = _lab(_as_drawn(export_colours["cats"]["class_I"], opacity))[0]
        assert abs(l_free - l_one) >= 20, (l_free, l_one)


@pytest.mark.parametrize("vision", VISIONS)
def test_routes_distinct_from_each_other_and_from_categories(export_colours, vision):
    lines = export_colours["routes"] + [export_colours["border"]]
    floor = 20 if vision is None else 18  # lines also differ by dash pattern and label
    labs = [_lab(_rgb(c), vision) for c in lines]
    for (i, x), (j, y) in itertools.combinations(enumerate(labs), 2):
        assert np.linalg.norm(x - y) >= floor, (vision, lines[i], lines[j])
    cats = [_lab(_as_drawn(h, export_colours["opacity"]), vision) for h in export_colours["cats"].values()]
    for i, x in enumerate(labs):
        for y in cats:
            assert np.linalg.norm(x - y) >= floor, (vision, lines[i])


def test_route_dashes_differ_where_colours_are_closest():
    dashes = [d or "solid" for d in style.ROUTE_DASHES]
    assert len(set(dashes)) >= len(dashes) - 1  # at most one repeated pattern among six routes


def test_symbol_colour_contrast_on_swatches():
    for cat, fill in style.CATEGORY_COLOURS.items():
        txt = style.SYMBOL_COLOURS[cat]
        lum = [0.2126 * c + 0.7152 * g + 0.0722 * b for c, g, b in
               [[(v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4) for v in _rgb(x)] for x in (fill, txt)]]
        hi, lo = max(lum), min(lum)
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, cat
