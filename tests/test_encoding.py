import pytest

from geo.importer import encoding as enc

NAMES = ["Xã Thượng Lâm", "Phường Hà Giang 1", "Xã Yên Định", "Xã Hoàng Su Phì", "Xã Mèo Vạc",
         "Xã Lũng Cú", "Xã Xuân Giang", "Phường Nông Tiến", "Xã Bạch Đích", "Xã Tân Trịnh"]


def test_examples_from_the_issue():
    assert enc.tcvn3_to_unicode("X· Th\u00adîng L©m") == "Xã Thượng Lâm"
    assert enc.vni_to_unicode("Xaõ Thöôïng Laâm") == "Xã Thượng Lâm"
    assert enc.detect("X· Th\u00adîng L©m") == "tcvn3"
    assert enc.detect("Xaõ Thöôïng Laâm") == "vni"


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_own_reverse_tables(name):
    t = enc.unicode_to_tcvn3(name)
    v = enc.unicode_to_vni(name)
    assert t != name and v != name
    # TCVN3 capitals with accents are typed lower case in the legacy font: compare folded case
    assert enc.tcvn3_to_unicode(t).lower() == name.lower()
    assert enc.vni_to_unicode(v) == name
    assert enc.detect_many([enc.unicode_to_tcvn3(n) for n in NAMES]) == "tcvn3"
    assert enc.detect_many([enc.unicode_to_vni(n) for n in NAMES]) == "vni"


def test_unicode_text_is_left_alone():
    for name in NAMES + ["Hoàng", "Cô Tô", "Hà Giang"]:
        assert enc.fix_text(name) == (name, None)
    assert enc.detect_many(NAMES) is None


def test_mixed_legacy_encodings_are_rejected_with_a_message():
    with pytest.raises(enc.LegacyEncodingError, match="TCVN3.*VNI"):
        enc.detect_many([enc.unicode_to_tcvn3("Xã Thượng Lâm"), enc.unicode_to_vni("Xã Yên Định")])


def _cp1258(text):
    """Windows-1258 keeps base letters with circumflex/breve/horn and writes tones as combining marks."""
    import unicodedata

    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", d[:-1])
            out += base.encode("cp1258") + d[-1].encode("cp1258")
    return out


def test_decode_bytes():
    assert enc.decode_bytes("Mã xã,Tên\n".encode("utf-8-sig")) == ("Mã xã,Tên\n", "utf-8-sig")
    assert enc.decode_bytes("Mã xã".encode())[1] == "utf-8"
    raw = enc.unicode_to_tcvn3("Xã Thượng Lâm").encode("cp1252")
    text, label = enc.decode_bytes(raw)
    assert label == "tcvn3" and enc.convert(text, label) == "Xã Thượng Lâm"
    text, label = enc.decode_bytes(enc.unicode_to_vni("Xã Thượng Lâm").encode("cp1252"))
    assert label == "vni" and enc.convert(text, label) == "Xã Thượng Lâm"
    text, label = enc.decode_bytes(_cp1258("Xã Thượng Lâm"))
    assert label == "cp1258" and text == "Xã Thượng Lâm"
