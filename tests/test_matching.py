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
