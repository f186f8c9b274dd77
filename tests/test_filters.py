"""The Overview's filters (geo.filters): one rule, applied in the browser from the server's lists.

The browser (static/tq-live.js ``keptOf``) intersects, across filters, the unions of the ticked
values' members. These tests check that this gives :func:`geo.filters.apply_filters`' answer for
any choice, on tiny hand-built rows and on the demo year view; and that the faded styles the map
gets (live.app_fade) combine into exactly what live.app_filtered sends for that choice."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pandas as pd
import pytest

from geo import filters
from geo.maps import compact, live


def _rows():
    return pd.DataFrame({
        "code": ["a", "b", "c", "d", "e"],
        "category": ["drug_free", "class_I", "class_II", "other", "no_data"],
        "complexity_class": [None, "I", "II", None, None],
        "routes": [["R1"], ["R1", "R2"], [], None, ["R2"]],
        "old_province": ["Hà Giang", "Hà Giang", "Tuyên Quang", "Tuyên Quang", "Hà Giang"],
        "former_districts": ["Huyện A", "Huyện A; Huyện B", "Huyện B", "", "Huyện C"],
    })


ROUTES = [SimpleNamespace(id="R1", name="Tuyến 1"), SimpleNamespace(id="R2", name="Tuyến 2")]


def _browser_kept(panel: dict, chosen: dict) -> set[int]:
    """What static/tq-live.js keptOf computes from the panel's lists (every commune: no tick)."""
    lists = []
    for g in panel["groups"]:
        ticked = set(chosen.get(g["k"], []))
        if ticked:
            lists.append([compact.decode_ints(o[2]) for o in g["opts"] if o[0] in ticked])
    kept = set(range(panel["total"]))
    for per_value in lists:  # per filter with ticks: the union of its values' communes, intersected
        kept &= set().union(*map(set, per_value))
    return kept


def test_or_within_a_filter_and_across_filters():
    f = _rows()
    assert list(filters.kept(f, {"cat": ["drug_free", "class_I"]})["code"]) == ["a", "b"]
    assert list(filters.kept(f, {"cat": ["drug_free", "class_I"], "route": ["R2"]})["code"]) == ["b"]
    assert list(filters.kept(f, {"dist": ["Huyện B"]})["code"]) == ["b", "c"]  # "A; B" names both
    assert list(filters.kept(f, {"route": ["R1", "R2"], "prov": ["Hà Giang"]})["code"]) == ["a", "b", "e"]
    assert list(filters.kept(f, {})["code"]) == list("abcde")  # nothing ticked: every commune
    assert filters.kept(f, {"class": ["III"]}).empty  # a value no commune has: none


@pytest.mark.parametrize("order", [list("abcde"), list("edcba"), list("cadbe")])
def test_browser_lists_give_the_same_communes_for_every_choice(order):
    """Every choice of up to two values in each of up to three filters, with the map's communes in
    any layer order: the browser's intersection of unions == apply_filters."""
    f = _rows()
    panel = filters.panel(f, ROUTES, ["Huyện A", "Huyện B", "Huyện C"], order, "vi")
    opts = filters.options(ROUTES, ["Huyện A", "Huyện B", "Huyện C"])
    rnd = random.Random(7)
    for _ in range(300):
        chosen = {k: rnd.sample(opts[k], rnd.randint(0, min(2, len(opts[k]))))
                  for k in rnd.sample(filters.KEYS, rnd.randint(0, 3))}
        want = {order.index(c) for c in filters.kept(f, chosen)["code"]}
        assert _browser_kept(panel, chosen) == want, chosen


def test_clean_keeps_only_offered_values_in_their_order():
    opts = filters.options(ROUTES, ["Huyện A", "Huyện B"])
    got = filters.clean({"cat": ["other", "drug_free", "nope"], "route": ["R9", "R2"], "dist": "Huyện A",
                         "x": ["y"]}, opts)
    assert got == {"cat": ["drug_free", "other"], "class": [], "route": ["R2"], "prov": [], "dist": []}
    assert filters.clean(None, opts) == {k: [] for k in filters.KEYS}
    assert filters.clean(["drug_free"], opts) == {k: [] for k in filters.KEYS}


def test_panel_labels_in_both_languages():
    f = _rows()
    vi = filters.panel(f, ROUTES, ["Huyện A"], list("abcde"), "vi", swatch=lambda c: f"#{c}")
    en = filters.panel(f, ROUTES, ["Huyện A"], list("abcde"), "en")
    cats = vi["groups"][0]
    assert cats["k"] == "cat" and cats["label"] == "Tình trạng"
    assert cats["opts"][0][:2] == ["drug_free", "Đã công nhận không ma túy"] and cats["opts"][0][3] == "#drug_free"
    assert [o[1] for o in vi["groups"][1]["opts"]] == ["Loại I", "Loại II", "Loại III"]
    assert [o[1] for o in en["groups"][1]["opts"]] == ["Class I", "Class II", "Class III"]
    assert [o[1] for o in vi["groups"][2]["opts"]] == ["Tuyến 1", "Tuyến 2"]
    assert vi["showing"].format(n=3, total=5).startswith("Đang làm nổi 3/5 xã")
    assert en["title"] == "Filters" and en["clear"] == "Clear filters"
    assert vi["total"] == 5


def test_fade_table_combines_into_the_filtered_map(demo_db):
    """The map's own styles for kept communes, app_fade's for the others == app_filtered(keep):
    what the browser shows after a tick is what the server would have sent for it."""
    from geo import yearview
    from geo.store import open_store

    store = open_store(demo_db)
    try:
        yv = yearview.year_view(store, 2025)
        codes = sorted(yv.frame["code"].astype(str))
        for focus in (None, codes[2]):
            base = live.split(live.app_view(yv, "overview", focus_code=focus))
            fade = live.app_fade(yv, "overview", focus_code=focus)
            layer = next(l for l in base.layers if l["id"] == "communes")
            ids = base.ids["communes"]
            sid, fsid = compact.decode_ints(layer["sid"]), compact.decode_ints(fade["sid"])
            panel = live.app_filter_panel(yv, "overview")
            for chosen in ({"cat": ["drug_free"]}, {"class": ["I", "II"], "prov": ["Hà Giang"]},
                           {"route": [r.id for r in yv.routes][:2]}, {"dist": ["Huyện Bắc Mê"], "cat": ["other"]}):
                kept = _browser_kept(panel, chosen)
                assert {ids[i] for i in kept} == set(filters.kept(yv.frame, chosen)["code"].astype(str))
                want = live.app_filtered(yv, "overview", [ids[i] for i in kept], focus_code=focus)
                wl = next(l for l in want.layers if l["id"] == "communes")
                wstyles = [wl["styles"][k] for k in compact.decode_ints(wl["sid"])]
                got = [layer["styles"][sid[i]] if i in kept else fade["styles"][fsid[i]] for i in range(len(ids))]
                assert got == wstyles, chosen
                assert 0 < len(kept) < len(ids) or chosen.get("dist")
    finally:
        store.close()
