"""Folium map views on the real 124 communes with plain inputs (no store)."""

from __future__ import annotations

import json
import re

import folium
import pytest
import shapely

from geo import boundaries
from geo.i18n import fmt_date, fmt_int, t
from geo.maps import changes, compact, style, tooltip, views
from geo.model import CATEGORIES, CATEGORY_LABELS
from tests.map_inputs import XSS_IMG, XSS_SCRIPT, category_counts, make_routes

COUNTS = {"drug_free": 35, "class_I": 17, "class_II": 29, "class_III": 25, "other": 12, "no_data": 6}




def _layers(m):
    out, stack = {}, [m]
    while stack:
        el = stack.pop()
        if isinstance(el, compact.CompactGeoJson):
            out[el.key] = el
        stack.extend(el._children.values())
    return out


def _legend_counts(page: str) -> dict[str, int]:
    # the in-map legend (exports, app=False; the app shows the same HTML beside the map) sits in a
    # JS string: quotes are backslash-escaped there
    return {k: int(n) for k, n in re.findall(r'data-key=\\"([\w:]+)\\" data-count=\\"(\d+)\\"', page)}


def _communes_data(page: str) -> list:
    assert 'window.tqGeo.make("communes", ' in page, "commune layer not found in the page"
    return compact.layer_features(page, "communes")  # st/cat resolved from the layer's tables


def test_encoding_round_trip_is_exact_at_1e5(boundaries_gpkg):
    gdf = boundaries.communes(web=True)
    for geom in gdf.geometry.values[:20]:
        for poly in geom.geoms:
            ring = list(poly.exterior.coords)
            back = compact.decode_coords(compact.encode_coords(ring))
            assert len(back) == len(ring)
            assert max(max(abs(a - c), abs(b - d)) for (a, b), (c, d) in zip(ring, back)) < 0.5e-5
    # the encoding uses no character that JSON, HTML or JS would escape
    enc = compact.encode_coords([(105.12345, 22.54321), (104.0, 21.0), (105.99999, 23.4)])
    assert set(enc) <= set(compact.ALPHABET)


def test_overview_has_124_features_and_legend_counts(frame, routes):
    m = views.overview_map(frame, routes, year=2025, lang="vi", demo=False, counts=COUNTS, app=False)
    layers = _layers(m)
    assert layers["communes"].n_features == 124
    page = m.get_root().render()
    data = _communes_data(page)
    assert len(data) == 124
    assert sorted(f[2]["code"] for f in data) == sorted(frame["code"])
    got = _legend_counts(page)
    for cat in CATEGORIES:
        assert got[cat] == COUNTS[cat]
    assert got["total"] == sum(COUNTS.values())
    for cat in CATEGORIES:
        assert CATEGORY_LABELS[cat][0] in page  # a text label beside every swatch
    assert style.CATEGORY_SYMBOLS["class_II"] in page


def test_default_counts_come_from_the_frame(frame, routes):
    page = views.overview_map(frame, routes, year=2025, lang="vi", app=False).get_root().render()
    got = _legend_counts(page)
    assert {c: got[c] for c in CATEGORIES} == category_counts(frame)


def test_category_fills_and_hatch_for_no_data(frame, routes):
    page = views.overview_map(frame, routes, year=2025).get_root().render()
    data = {f[2]["code"]: f[2] for f in _communes_data(page)}
    for code, cat in zip(frame["code"], frame["category"]):
        fill = data[code]["st"]["fillColor"]
        assert fill == ("url(#tq-hatch)" if cat == "no_data" else style.category_fill(cat))
    assert 'id=\\"tq-hatch\\"' in page.replace("\\u003c", "<")  # the pattern travels with the layer
    assert style.category_fill("drug_free") == style.CATEGORY_COLOURS["drug_free"]  # the one palette


def test_demo_mark_present_iff_demo(frame, routes):
    with_demo = views.overview_map(frame, routes, year=2025, demo=True).get_root().render()
    without = views.overview_map(frame, routes, year=2025, demo=False).get_root().render()
    assert 'd.id = "tq-demo-mark"' in with_demo and "DỮ LIỆU MINH HỌA" in with_demo
    assert 'd.id = "tq-demo-mark"' not in without and "DỮ LIỆU MINH HỌA" not in without


def test_user_text_is_escaped_everywhere(frame, routes):
    for m in (views.overview_map(frame, routes, year=2025),
              views.route_map(frame, routes, routes[1].id, year=2025),
              views.commune_map(frame, frame["code"][0], routes=routes, year=2025)):
        page = m.get_root().render()
        assert "<img src=x" not in page and "<script>window.__xss" not in page
        # what the browser will see, once the JS string is decoded: escaped text only
        decoded = page.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
        assert "<img src=x" not in decoded and "<script>window" not in decoded
        assert "&lt;img src=x onerror=alert(1)&gt;" in decoded


def test_tooltip_content_vietnamese(frame):
    rec = frame[frame["category"] == "drug_free"].iloc[0].to_dict()
    rec["route_names"] = ["Tuyến Quốc lộ 2"]
    tip = tooltip.tooltip_html(rec, "vi")
    assert f"<b>{rec['name']}</b>" in tip
    assert "Đã công nhận không ma túy" in tip
    assert rec["decision_no"] in tip and fmt_date(rec["decision_date"], "vi") in tip
    assert fmt_int(rec["population"], "vi") in tip and "." in fmt_int(rec["population"], "vi")
    assert "Tuyến Quốc lộ 2" in tip
    key = frame[frame["category"] == "class_II"].iloc[0].to_dict()
    assert "Loại II" in tooltip.tooltip_html(key, "vi")
    assert "Class II" in tooltip.tooltip_html(key, "en")
    evil = {**rec, "name": XSS_SCRIPT, "note": XSS_IMG, "route_names": [XSS_IMG]}
    tip = tooltip.tooltip_html(evil, "vi")
    assert "<script" not in tip and "<img" not in tip and "&lt;script&gt;" in tip
    assert tooltip.code_from_text("Xã X\nMã: 00694\nDân số: 1") == "00694"
    assert tooltip.code_from_text("no code") is None


def test_no_cdn_anywhere_in_the_app_map(frame, routes):
    m = views.overview_map(frame, routes, year=2025, demo=True)
    page = m.get_root().render()
    stack, links = [m], []
    while stack:
        el = stack.pop()
        links += [u for _, u in getattr(el, "default_js", [])] + [u for _, u in getattr(el, "default_css", [])]
        stack.extend(el._children.values())
    assert links and all(u.startswith("/app/static/vendor/leaflet/") for u in links)
    assert not re.search(r"(src|href)=\"https?://", page)
    assert "//cdn" not in page.lower() and "unpkg" not in page and "jsdelivr" not in page


def test_basemap_only_when_asked(frame, routes):
    assert "tile.openstreetmap" not in views.overview_map(frame, routes, year=2025).get_root().render()
    assert "tile.openstreetmap" in views.overview_map(frame, routes, year=2025, basemap=True).get_root().render()


def test_layer_control_lists_the_layers(frame, routes):
    page = views.overview_map(frame, routes, year=2025, lang="vi").get_root().render()
    for key in ("map.communes", "map.routes", "map.border", "map.former_districts"):
        name = t(key, "vi")
        assert json.dumps(name) in page  # folium writes the names as ASCII-escaped JSON
    layers = _layers(views.overview_map(frame, routes, year=2025))
    assert layers["former_districts"].show is False  # off by default
    assert layers["routes"].n_features == 6 and layers["corridors"].n_features == 6


def test_routes_filtered_by_year(frame, routes):
    old = make_routes(xss=False)
    old[0].year_to = 2025
    assert _layers(views.overview_map(frame, old, year=2026))["routes"].n_features == 5


def test_route_map_zooms_to_the_route_and_counts_its_communes(frame, routes):
    rid = routes[0].id
    m = views.route_map(frame, routes, rid, year=2025, app=False)
    page = m.get_root().render()
    bounds = re.search(r"fitBounds\(\s*(\[\[.*?\]\])", page, re.S).group(1)
    (s, w), (n, e) = json.loads(bounds)
    x0, y0, x1, y1 = shapely.from_wkt(routes[0].geometry_wkt).bounds
    assert s < y0 and n > y1 and w < x0 and e > x1
    assert (n - s) < 2.0  # narrower than the province's 1.9° + margins
    on = [c for c, rs in zip(frame["code"], frame["routes"]) if rid in rs]
    assert _legend_counts(page)["total"] == len(on) > 0
    with pytest.raises(KeyError):
        views.route_map(frame, routes, "KHONG_CO", year=2025)


def test_key_map_legend_counts_classes(frame, routes):
    page = views.key_map(frame, routes, year=2025, counts=COUNTS, app=False).get_root().render()
    got = _legend_counts(page)
    assert got["class_I"] == 17 and got["class_II"] == 29 and got["class_III"] == 25 and got["total"] == 71
    assert "Xã trọng điểm phức tạp (71)" in page


def test_commune_map_with_neighbours(frame, routes):
    code = "00694"
    near = views.neighbours(frame, code)
    assert 2 <= len(near) <= 15 and code not in near
    page = views.commune_map(frame, code, routes=routes, year=2025, app=False).get_root().render()
    assert _legend_counts(page)["total"] == len(near) + 1
    data = {f[2]["code"]: f[2]["st"] for f in _communes_data(page)}
    assert data[code]["weight"] == style.FOCUS["weight"]
    far = next(c for c in frame["code"] if c not in near and c != code)
    assert data[far]["fillOpacity"] == style.FADED["fillOpacity"]


def test_change_map(frame, routes):
    after = frame.copy()
    i_new = after.index[after["category"] == "other"][0]
    i_lost = after.index[after["category"] == "drug_free"][0]
    after.loc[i_new, ["drug_free", "category"]] = [True, "drug_free"]
    after.loc[i_lost, ["drug_free", "category"]] = [False, "other"]
    i_key = after.index[after["category"] == "class_I"][0]
    after.loc[i_key, ["drug_free", "category", "complexity_class"]] = [True, "drug_free", ""]
    ch = changes.change_frame(frame, after)
    counts = changes.count_changes(ch)
    assert counts["newly_recognised"] == 2 and counts["lost_recognition"] == 1
    assert sum(counts.values()) == 124
    assert ch.loc[i_key, "changes"] == ["newly_recognised", "no_longer_key"]
    page = views.change_map(ch, year_from=2025, year_to=2026, routes=routes, app=False).get_root().render()
    got = _legend_counts(page)
    assert got["newly_recognised"] == 2 and got["total"] == 124
    assert "Mới được công nhận không ma túy" in page


def test_english_labels(frame, routes):
    page = views.overview_map(frame, routes, year=2025, lang="en", demo=True, app=False).get_root().render()
    assert "Recognised drug-free" in page and "Commune status" in page and "Year 2025" in page


def test_app_maps_carry_the_legend_for_beside_the_map(frame, routes):
    m = views.overview_map(frame, routes, year=2025, counts=COUNTS, demo=True)
    page = m.get_root().render()
    assert _legend_counts(page) == {}  # not inside the app map
    side = {k: int(n) for k, n in re.findall(r'data-key="([\w:]+)" data-count="(\d+)"', m.tq_legend_html)}
    assert {k: side[k] for k in COUNTS} == COUNTS
    assert "tq-demo-compact" in page  # the compact demo badge in the app map


# --- year view maps, demo per item, clicks by feature property ---------------------------------------


def test_demo_text_and_suffix_per_item():
    from geo.maps.demo_mark import demo_badge, demo_suffix, demo_text
    from geo.model import DemoFlags

    assert demo_text(DemoFlags(), "vi") is None and demo_suffix(DemoFlags()) == "" and demo_badge(False) is None
    real_routes = DemoFlags(routes=True)
    assert demo_text(real_routes, "vi") == ("Trạng thái các xã: số liệu thật; tuyến trọng điểm: MINH HỌA; "
                                            "chỉ tiêu: số liệu thật.")
    assert demo_text(real_routes, "en") == ("Commune statuses: real figures; priority routes: ILLUSTRATIVE; "
                                            "targets: real figures.")
    assert demo_badge(real_routes, "vi") == "MINH HỌA: tuyến trọng điểm"
    assert demo_suffix(real_routes) == "_tuyen-minh-hoa"
    assert demo_suffix(DemoFlags(targets=True)) == "_chi-tieu-minh-hoa"
    assert demo_suffix(DemoFlags(routes=True, targets=True)) == "_tuyen-chi-tieu-minh-hoa"
    assert demo_suffix(DemoFlags(statuses=True)) == demo_suffix(True) == "_minh-hoa"
    assert demo_badge(DemoFlags(statuses=True), "vi") == "DỮ LIỆU MINH HỌA"
    assert "không phải số liệu thật" in demo_text(True, "vi")
    assert demo_text(DemoFlags(statuses=True, routes=True), "vi").startswith("Trạng thái các xã: MINH HỌA; "
                                                                              "tuyến trọng điểm: MINH HỌA")


def test_view_map_returns_a_result_without_attributes_on_the_map(frame, routes):
    from geo import yearview
    from geo.model import DemoFlags

    yv = yearview.from_frame(frame, routes, 2025, demo=DemoFlags(routes=True))
    res = views.view_map(yv, "overview")
    assert isinstance(res.map, folium.Map) and not hasattr(res.map, "tq_legend_html")
    assert {k: int(n) for k, n in re.findall(r'data-key="(\w+)" data-count="(\d+)"', res.legend_html)
            if k in CATEGORIES} == category_counts(frame)
    assert [r.id for r in res.routes_drawn] == [r.id for r in routes]
    page = res.map.get_root().render()
    assert "MINH HỌA: tuyến trọng điểm" in page and "DỮ LIỆU MINH HỌA" not in page
    with pytest.raises(yearview.ViewError, match="Không có xã mã '99999'"):
        views.view_map(yv, "commune:99999")
    key = views.view_map(yv, "key", app=False)
    assert key.counts == {c: category_counts(frame)[c] for c in ("class_I", "class_II", "class_III")}
    assert key.title == "Xã trọng điểm phức tạp về ma túy năm 2025"


def test_click_identifies_the_commune_by_feature_property(frame, routes):
    page = views.overview_map(frame, routes, year=2025).get_root().render()
    feats = _communes_data(page)
    assert all(re.fullmatch(r"\d{5}", f[2]["code"]) for f in feats)
    clicked = {"type": "Feature", "properties": feats[3][2], "geometry": None}
    assert tooltip.code_from_click({"last_active_drawing": clicked}) == feats[3][2]["code"]
    # a click on a route (no code) or nothing: None; the old tooltip text still works as a fallback
    assert tooltip.code_from_click({"last_active_drawing": {"properties": {"rid": "QL2"}}}) is None
    assert tooltip.code_from_click(None) is None
    assert tooltip.code_from_click({"last_object_clicked_tooltip": "Xã X Mã: 00694"}) == "00694"


def test_static_basemap_is_loaded_once_per_file(boundaries_gpkg):
    from geo.maps import layers

    a, b = layers.static_basemap(), layers.static_basemap()
    assert a is b and len(a.province) >= 1 and len(a.former_districts) == 18 and a.border
    x0, y0, x1, y1 = a.extent
    from geo.crs import PROVINCE_EXTENT

    px0, py0, px1, py1 = PROVINCE_EXTENT
    assert px0 <= x0 and py0 <= y0 and x1 <= px1 and y1 <= py1  # the one extent covers the province
    assert x0 - px0 < 0.02 and px1 - x1 < 0.02 and y0 - py0 < 0.02 and py1 - y1 < 0.02


def test_labels_come_from_i18n():
    from geo.i18n import STRINGS
    from geo.model import INDICATORS, category_label, indicator_label

    for c in CATEGORIES:
        assert CATEGORY_LABELS[c] == STRINGS[f"cat.{c}"] == (category_label(c, "vi"), category_label(c, "en"))
    for k in INDICATORS:
        assert INDICATORS[k] == (indicator_label(k, "vi"), indicator_label(k, "en"))
    assert changes.change_label("newly_key", "en") == "Newly a key area"


def test_route_titles_do_not_double_the_word():
    r = make_routes(xss=False)[0]
    assert r.name.startswith("Tuyến ")
    assert views.route_title(r, 2025, "vi") == f"Tuyến trọng điểm {r.name[6:]} – năm 2025"
    assert views.route_legend_title(r, "vi") == f"Các xã trên tuyến {r.name[6:]}"
