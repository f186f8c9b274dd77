import pytest

from geo.importer.matching import CommuneMatcher


@pytest.fixture(scope="module")
def m(boundaries_gpkg):
    return CommuneMatcher.from_boundaries(boundaries_gpkg)


@pytest.mark.parametrize("text", ["Xã Thượng Lâm", "thuong lam", "XÃ THƯỢNG LÂM", "X. Thượng  Lâm", "Thượng Lâm"])
def test_new_names_any_spelling(m, text):
    r = m.match(name=text)
    assert r.ok and r.code == "02269" and r.name == "Xã Thượng Lâm" and not r.warning


def test_by_code_with_or_without_leading_zeros(m):
    assert m.match(code="00694").name == "Phường Hà Giang 1"
    assert m.match(code=694).code == "00694"
    assert "5 chữ số" in m.match(code="abc").error
    assert m.match(code="99999").error


def test_old_name_mapped_with_warning(m):
    r = m.match(name="Thị trấn Vị Xuyên")
    assert r.ok and r.code == "00913" and r.via == "old_name"
    assert "Xã Vị Xuyên" in r.warning and "tên cũ" not in r.error
    # the old ward, not today's commune with the same short name
    r = m.match(name="Phường Tân Quang")
    assert r.ok and r.via == "old_name" and r.name != "Xã Tân Quang"


def test_split_old_commune_is_ambiguous_listing_both(m):
    r = m.match(name="Phường Quang Trung")
    assert not r.ok
    assert {c for c, _ in r.candidates} == {"00691", "00694"}
    assert "Phường Hà Giang 1" in r.error and "Phường Hà Giang 2" in r.error
    assert "Có phải là" in r.suggestion


def test_old_name_in_two_districts_needs_the_district(m):
    r = m.match(name="Tả Lủng")
    assert not r.ok and len(r.candidates) == 2 and "Huyện Đồng Văn" in r.error and "Huyện Mèo Vạc" in r.error
    r = m.match(name="Tả Lủng", district="Huyện Mèo Vạc")
    assert r.ok and r.name == "Xã Mèo Vạc"
    r = m.match(name="Tân Thành", district="Bắc Quang")
    assert r.ok and r.code == "01171"


def test_unknown_name_gets_suggestions(m):
    r = m.match(name="Thuong Lamm")
    assert not r.ok and "Không tìm thấy" in r.error
    assert r.suggestion.startswith("Có phải là") and "Xã Thượng Lâm" in r.suggestion


def test_code_and_name_disagree(m):
    r = m.match(code="00694", name="Xã Thượng Lâm")
    assert not r.ok and "00694" in r.error and "Xã Thượng Lâm" in r.error


# --- issue 11: never a status on the wrong commune ------------------------------------------------
import json
import unicodedata


def _fold(s: str) -> str:
    """Written here, not imported: lower case, no diacritics, đ -> d, single spaces."""
    s = unicodedata.normalize("NFD", s.lower())
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").replace("đ", "d")
    return " ".join(s.split())


def _strip(s: str) -> str:
    for p in ("Thị trấn ", "Phường ", "Xã "):
        if s.startswith(p):
            return s[len(p):]
    return s


@pytest.mark.parametrize("district", ["", "Huyện Hàm Yên", "Hàm Yên", "Huyện Bắc Quang", "Huyện Sơn Dương"])
@pytest.mark.parametrize("text", ["Xã Tân Thành", "Tân Thành", "xa tan thanh", "Tan Thanh", "TÂN THÀNH"])
def test_tan_thanh_never_goes_to_tan_thanh_02578(m, text, district):
    r = m.match(name=text, district=district)
    accented_old = "Thành" in text or "THÀNH" in text
    if accented_old:
        assert r.code != "02578", (text, district, r)
    if r.ok and r.code == "02578":
        # only an unaccented spelling told to be in Sơn Dương may be today's Xã Tân Thanh
        assert district == "Huyện Sơn Dương" and not accented_old and r.why
    if district in ("Huyện Hàm Yên", "Hàm Yên"):
        assert r.ok and r.code == "02374" and r.why, r
    if district == "Huyện Bắc Quang":
        assert r.ok and r.code == "01171" and r.why, r
    if not district:
        assert not r.ok and {"01171", "02374"} <= {c for c, _ in r.candidates}, r
        assert "Huyện cũ" in r.error and "mã xã" in r.error


def test_exact_2025_name_wins_and_its_district_must_agree(m):
    r = m.match(name="Xã Tân Thanh")
    assert r.ok and r.code == "02578" and r.exact
    r = m.match(name="Xã Tân Thanh", district="Huyện Hàm Yên")
    assert not r.ok and "không khớp" in r.error  # the accents say Tân Thanh, the district says Hàm Yên
    r = m.match(code="02578", name="Xã Tân Thành")
    assert not r.ok and "02578" in r.error


def _pairs(table):
    """Every (written form, intended 2025 unit, old district or '') among 2025 and pre-2025 names
    whose folded forms collide, built from the official table only."""
    units = []  # (official name, target code, district, is_old, split)
    olds: dict[tuple, set] = {}
    for code, name, fu in zip(table["code"], table["name"], table["former_units"]):
        units.append((name, code, "", False))
        for u in json.loads(fu):
            olds.setdefault((u["name"], u["district"], u.get("code")), set()).add(code)
    for (name, district, _), targets in olds.items():
        units.append((name, ",".join(sorted(targets)), district, True))
    by_key: dict[str, list] = {}
    for u in units:
        by_key.setdefault(_fold(_strip(u[0])), []).append(u)
    return {k: v for k, v in by_key.items() if len({t for _, t, _, _ in v}) > 1}


def test_every_folded_collision_resolves_to_an_error_or_the_right_unit(m, boundaries_gpkg):
    from geo import boundaries

    table = boundaries.commune_table(boundaries_gpkg)
    new_names = dict(zip(table["name"], table["code"]))
    collisions = _pairs(table)
    assert "tan thanh" in collisions and len(collisions) >= 8
    checked = 0
    for key, units in collisions.items():
        for name, target, district, is_old in units:
            forms = {name, _strip(name), _fold(name), _fold(_strip(name)), name.upper()}
            for form in forms:
                for d in ("", district) if is_old else ("",):
                    r = m.match(name=form, district=d)
                    checked += 1
                    if not r.ok:
                        assert r.candidates or "Không tìm thấy" in r.error, (form, d, r)
                        continue
                    exact_new = unicodedata.normalize("NFC", form).lower() in {n.lower() for n in new_names}
                    if r.code in target.split(","):
                        if not exact_new:
                            assert r.why, (form, d, r)  # listed for the staff to confirm
                        continue
                    # another unit: only the exact 2025 name (or its accented short form), never silently
                    assert _fold(form) == _fold(r.name) or _fold(_strip(r.name)) == _fold(form), (form, d, r)
                    assert not form.isascii() or form == form.upper(), ("a folded form chose", form, r)
                    assert r.warning and any(t in r.warning for t in target.split(",")), (form, d, r)
                    if d:
                        raise AssertionError(("district given but another unit chosen", form, d, r))
    assert checked > 50
