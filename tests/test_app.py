"""Every page rendered with streamlit.testing.v1.AppTest on the real demo store."""

from __future__ import annotations

import re

import pytest
from geo import status
from geo.i18n import fmt_int, fmt_pct, fmt_points
from geo.store import open_store
from tests.app_pages import cached_html_parts as _cached_html
from tests.app_pages import component_payloads, html_bodies, open_page

PAGES = ["tong_quan", "tuyen", "xa_trong_diem", "ho_so_xa", "tien_do", "nguon_du_lieu"]


@pytest.fixture()
def demo_env(demo_db, monkeypatch):
    monkeypatch.setenv("TQMAP_DB", str(demo_db))
    monkeypatch.setenv("TQMAP_PUBLIC_DEMO", "1")


@pytest.fixture()
def app(demo_env):
    return open_page()


def _html(at) -> str:
    return "\n".join([str(m.value) for m in at.markdown] + html_bodies(at) + _cached_html(at))


def _texts(at) -> str:
    parts = [str(e.value) for kind in ("markdown", "title", "caption", "subheader", "error", "info", "warning")
             for e in getattr(at, kind)]
    return "\n".join(parts)


def _kpis(at) -> dict[str, str]:
    """The overview's KPI strip (ui.layout.strip_html): label -> "value" or "value · sub"."""
    html = _html(at)
    items = re.findall(r'<span class="v">(.*?)</span><span class="l">(.*?)</span>(?:<span class="s">(.*?)</span>)?',
                       html)
    return {label: value + (f" · {sub}" if sub else "") for value, label, sub in items}


@pytest.mark.parametrize("name", ["tong_quan", "tuyen", "xa_trong_diem", "ho_so_xa", "tien_do"])
def test_a_map_pages_map_is_the_one_its_page_hint_names(demo_env, monkeypatch, name):
    """ui/nav.py names each page's map (PageSpec.map) for the server's page hint (ui/hints.py):
    the key the page gives its map is that one, and the map's geometry files are noted under it."""
    from geo.maps import live
    from ui import nav

    monkeypatch.setattr(live, "SHOWN", {})
    at = open_page(name).run()
    assert not at.exception
    maps = component_payloads(at, "tq_livemap")
    assert [m["name"] for m in maps] == [nav.BY_NAME[name].map]
    urls = {layer["url"] for layer in maps[0]["fix"]["layers"]}
    assert set(live.SHOWN[nav.BY_NAME[name].map]) == urls and all(u.endswith(".json") for u in urls)


def _parts(msg) -> list[dict]:
    """The parts of one livemap.cached_html payload, its year variants' included."""
    if not isinstance(msg, dict):
        return msg
    return msg["parts"] + [p for v in msg.get("var", {}).values() for p in v]


@pytest.mark.parametrize("page", PAGES + ["trinh_chieu", "tuong"])
def test_a_pages_first_run_sends_each_component_what_it_shows(demo_env, page):
    """In a session's first run each of our components gets every part of HTML it shows (and the
    filter panel its lists), never a hash that only another component of the same run carries: the
    browser mounts a page's components in its own order, and one that came first asked for the part
    again, a second run of the whole page (livemap._sent_once; in the browser:
    tests/test_e2e_app.py::test_a_fresh_open_runs_the_page_once). The next run sends hashes only."""
    at = open_page(page).run()
    assert not at.exception, at.exception
    first = component_payloads(at, "tq_cached_html")
    assert first
    for msg in first:  # (a part twice in one payload, say in two years' variants, travels once in it)
        carried = {p["h"] for p in _parts(msg) if p["html"] is not None}
        assert {p["h"] for p in _parts(msg)} <= carried
    for panel in component_payloads(at, "tq_filters"):
        assert panel["spec"] is not None
    at.run()
    assert not at.exception, at.exception
    again = component_payloads(at, "tq_cached_html")
    assert len(again) == len(first)
    for msg in again:
        assert all(p["html"] is None for p in _parts(msg))
    for panel in component_payloads(at, "tq_filters"):
        assert panel["spec"] is None


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_demo_mark(demo_env, page):
    at = open_page(page).run()
    assert not at.exception, at.exception
    assert at.title, page
    assert "DỮ LIỆU MINH HỌA" in _html(at), page


def test_overview_kpis_equal_the_store(app, demo_db):
    at = app.run()
    k = status.kpis(open_store(demo_db), 2025)
    kp = _kpis(at)
    assert kp["Xã không ma túy"] == f"{k['drug_free']}/124 · {fmt_pct(k['share_pct'])}" == "35/124 · 28,2%"
    assert kp["Xã trọng điểm"].split(" · ")[0] == fmt_int(k["key_count"]) == "71"
    assert kp["Tuyến trọng điểm"] == "6"
    assert kp["Còn phải đạt đến 2030"].split(" · ")[0] == fmt_int(k["needed_for_2030"])
    assert fmt_points(k["diff_points"]) in _html(at) and fmt_points(k["diff_points"]).startswith("+8,2")
    # the legend beside the map counts the same as the store
    legend = dict(re.findall(r'data-key="(\w+)" data-count="(\d+)"', _html(at)))
    assert {c: int(legend[c]) for c in k["by_category"]} == k["by_category"]


def _year_control(at) -> dict:
    """The sidebar's year control (livemap.year_select) as the page sent it."""
    return component_payloads(at, "tq_year")[0]


def test_year_change_changes_kpis(app, demo_db):
    """The year the session holds is the one the page shows (a pick of the sidebar's control sets
    it: tests/test_e2e_app.py picks it in a browser, AppTest cannot)."""
    at = app.run()
    ctl = _year_control(at)
    assert ctl["years"] == [2025, 2026] and ctl["year"] == 2025 and ctl["label"] == "Năm"
    at.session_state["year"] = 2026
    at.run()
    assert not at.exception
    assert _year_control(at)["year"] == 2026
    k = status.kpis(open_store(demo_db), 2026)
    assert _kpis(at)["Xã không ma túy"] == f"{k['drug_free']}/124 · {fmt_pct(k['share_pct'])}"
    assert k["drug_free"] != 35


def test_english_switch(app):
    at = app.run()
    # the sidebar's choice (livemap.choice) sets this; e2e tests pick it in a browser, AppTest cannot
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Tuyên Quang drug-free communes map"
    assert _kpis(at)["Drug-free"] == "35/124 · 28.2%"

    at = open_page("tien_do")
    at.query_params["lang"] = "en"  # ?lang=en preselects English
    at.run()
    assert at.title[0].value == "Progress towards 2030"


def test_search_is_accent_insensitive(app):
    at = app.run()
    at.session_state["q"] = {"q": "ha giang 1"}  # the search box's state, as the browser sends it
    at.run()
    assert not at.exception
    radio = at.radio(key="q_choice")
    assert radio.value == "00694"


def test_search_box_state_that_is_not_a_short_text_is_not_believed(app):
    """The search box's state comes from the browser: anything but text is no search, and a long
    text is cut (livemap.SEARCH_MAX) before it is searched or shown back."""
    at = app.run()
    at.session_state["q"] = {"q": 12345}
    at.run()
    assert not at.exception and not at.info and not [r for r in at.radio if r.key == "q_choice"]
    at.session_state["q"] = {"q": "<b>zz</b>" * 2000}
    at.run()
    assert not at.exception
    shown = " ".join(i.value for i in at.info)
    assert "Không tìm thấy" in shown and len(shown) < 200, shown
    assert "<b>zz" not in _html(at)


def test_profile_deep_link(app):
    at = app
    at.query_params["xa"] = "00694"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Phường Hà Giang 1"
    text = _texts(at)
    assert any("<table" in p and "<td>Phường Nguyễn Trãi</td>" in p for p in _cached_html(at))  # a former commune
    assert "00694" in text


def test_profile_bad_deep_link_is_explained(app):
    app.query_params["xa"] = "<script>x</script>"
    at = app.run()  # /?xa=… on the overview forwards to the profile page
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Không tìm thấy xã" in errors and "?xa=" in errors
    assert "<script>" not in errors  # escaped


def test_bad_year_parameter_is_explained(app):
    app.query_params["nam"] = "1999"
    at = app.run()
    assert not at.exception
    errors = " ".join(e.value for e in at.sidebar.error)
    assert "Tham số năm" in errors and "1999" in errors
    assert _kpis(at)["Xã không ma túy"] == "35/124 · 28,2%"  # falls back to 2025


def test_bad_route_parameter_is_explained(demo_env):
    at = open_page("tuyen")
    at.query_params["tuyen"] = "QL999"
    at.run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Không có tuyến «QL999»" in errors and "QL2" in errors


def test_routes_page_figures(demo_env):
    at = open_page("tuyen").run()
    assert not at.exception
    sel = at.selectbox(key="route_choice")
    assert len(sel.options) == 6
    sel.set_value("QL2").run()
    assert not at.exception
    strip = _kpis(at)  # the route's figures: one compact strip above the map (look)
    assert strip["Xã trên tuyến"] == "24" and "Chiều dài" in strip


def test_key_page_counts_with_the_year_view(demo_env, demo_db):
    """The key-communes page: its metric, its table and the year's KPIs agree (one rule, geo.model)."""
    from geo.yearview import year_view

    k = year_view(open_store(demo_db), 2025).kpis
    at = open_page("xa_trong_diem").run()
    assert not at.exception
    strip = _kpis(at)  # the page's figures: one compact strip above the map (look)
    assert strip["Xã trọng điểm phức tạp"] == fmt_int(k["key_count"]) == "71"
    table = next(p for p in _cached_html(at) if '<table class="tq-table">' in p)
    assert table.count("<tr>") - 1 == k["key_count"]  # every class selected by default (one head row)
    assert [strip[f"Loại {c}"] for c in ("I", "II", "III")] == [fmt_int(k["by_class"][c]) for c in ("I", "II", "III")]


def test_side_table_escapes_formats_and_marks_numbers():
    """ui/layout.table_html: every text escaped, numbers in the page's language with their value
    kept for sorting, an empty cell for a missing value, a column head's long name on hover."""
    import pandas as pd

    from ui import layout

    df = pd.DataFrame({"Tên": ["<img src=x onerror=alert(1)>", "Xã B"], "SD/1.000": [10.5123, None],
                       "Dân số": [33100, 9824]})
    html = layout.table_html(df, lang="vi", titles={"SD/1.000": "Người nghiện và sử dụng / 1.000 dân"},
                             formats={"Dân số": lambda v: fmt_int(v, "vi")})
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<td class="n" data-v="10.5123">10,51</td>' in html and "<td></td>" in html
    assert '<td class="n" data-v="33100.0">33.100</td>' in html
    assert html.count('<th scope="col" class="n"') == 2  # both number columns right-aligned, sorted as numbers
    assert 'title="Người nghiện và sử dụng / 1.000 dân — ' in html
    assert ">10.51</td>" in layout.table_html(df, lang="en")  # English decimals


def test_downloads_row_offers_its_files_to_this_session_only(app):
    """The Overview's downloads are one element of ours (livemap.downloads): HTML, PDF, PNG with
    their names, each at this session's download address, the paper size (A4 first) and the print
    button; the files are kept, unmade, in ui.downloads.REGISTRY under the session's token, and
    making one there gives the file (a PDF on A3 here) and an audit entry."""
    from ui import downloads

    at = app.run()
    assert not at.exception
    rows = component_payloads(at, "tq_downloads")
    assert len(rows) == 1
    row = rows[0]
    assert [i["label"] for i in row["items"]] == ["Bản đồ HTML (dùng không cần mạng)", "Tờ trình PDF", "Tờ trình PNG"]
    assert [i["name"] for i in row["items"]] == ["ban-do_overview_2025_minh-hoa.html",
                                                 "to-trinh_overview_2025_{paper}_minh-hoa.pdf",
                                                 "to-trinh_overview_2025_{paper}_minh-hoa.png"]
    assert [i["paper"] for i in row["items"]] == [False, True, True]
    token = at.session_state["_tq_dl_token"]
    assert all(i["url"] == f"/_tq/dl/{token}/{i['id']}" for i in row["items"])
    assert row["paper"]["options"] == [["a4", "A4"], ["a3", "A3"]] and row["paper"]["value"] == "a4"
    assert row["print"] == "In trang này"
    assert row["off"]  # AppTest has no ui/asgi.py: the buttons say why they are off
    pdf = row["items"][1]["id"]
    store = open_store()
    before = len(store.audit_entries(limit=None))
    offer, paper, data, _ = downloads.make_file(downloads.REGISTRY, token, pdf, "paper=a3")
    assert (paper, offer.file_name(paper), data[:5]) == ("a3", "to-trinh_overview_2025_a3_minh-hoa.pdf", b"%PDF-")
    entries = store.audit_entries(limit=None)
    assert len(entries) == before + 1
    with pytest.raises(downloads.DownloadError) as e:  # another session's token
        downloads.make_file(downloads.REGISTRY, downloads.new_token(), pdf, "")
    assert e.value.status == 404 and "hết hạn" in e.value.message
    store.close()


