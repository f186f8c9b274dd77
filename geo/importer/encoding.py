"""Legacy Vietnamese encodings: TCVN3 (ABC, fonts ".VnTime") and VNI (fonts "VNI-Times").

Old government spreadsheets hold text typed with legacy fonts: the characters stored are Latin-1 /
Windows-1252 glyphs that only *look* Vietnamese in that font. Read as Unicode they appear as
"X· Th­îng L©m" (TCVN3) or "Xaõ Thöôïng Laâm" (VNI) for "Xã Thượng Lâm". This module detects such
text and converts it to Unicode (NFC); text that cannot be decoded is rejected with a message.

The tables are written here by hand from the published TCVN 5712:1993 (VN3) and VNI-Windows layouts.
"""

from __future__ import annotations

import re
import unicodedata

# --- TCVN3 (ABC) -------------------------------------------------------------------------------
# The 67 lower-case Vietnamese letters, in the order of the table below.
_VI_LOWER = ("àáảãạ" "ăằắẳẵặ" "âầấẩẫậ" "èéẻẽẹ" "êềếểễệ" "ìíỉĩị" "òóỏõọ" "ôồốổỗộ" "ơờớởỡợ"
             "ùúủũụ" "ưừứửữự" "ỳýỷỹỵ" "đ")
_TCVN3_LOWER = ("µ¸¶·¹" "¨»¾¼½Æ" "©ÇÊÈÉË" "ÌÐÎÏÑ" "ªÒÕÓÔÖ" "×ÝØÜÞ" "ßãáâä" "«åèæçé" "¬êíëìî"
                "ïóñòô" "\u00adõøö÷ù" "úýûüþ" "®")
# TCVN3 has precomposed capitals only for the base letters; accented capitals were typed with the
# all-caps font (".VnTimeH") on the lower-case codes, so they come back lower case.
_VI_UPPER_BASE = "ĂÂÊÔƠƯĐ"
_TCVN3_UPPER_BASE = "¡¢£¤¥¦§"

assert len(_VI_LOWER) == len(_TCVN3_LOWER) == 67

TCVN3_TO_UNI: dict[str, str] = dict(zip(_TCVN3_LOWER + _TCVN3_UPPER_BASE, _VI_LOWER + _VI_UPPER_BASE))
UNI_TO_TCVN3: dict[str, str] = {v: k for k, v in TCVN3_TO_UNI.items()}
# Characters that never occur in Unicode Vietnamese text but fill TCVN3 text: punctuation-like
# Latin-1 symbols (·, soft hyphen, ©, ª, «, ¬, ®, µ, ¸, ¶, ¹, ¨, §, ¡…¦, », ¼, ½, ¾).
_TCVN3_SIGNS = set("¡¢£¤¥¦§¨©ª«¬\u00ad®µ¶·¸¹»¼½¾")

# --- VNI ---------------------------------------------------------------------------------------
# VNI writes most letters as a base letter followed by a mark glyph.
_VNI_MARKS_LOWER = {
    # tone marks: grave, acute, hook, tilde, dot
    "à": "aø", "á": "aù", "ả": "aû", "ã": "aõ", "ạ": "aï",
    "ă": "aê", "ằ": "aè", "ắ": "aé", "ẳ": "aú", "ẵ": "aü", "ặ": "aë",
    "â": "aâ", "ầ": "aà", "ấ": "aá", "ẩ": "aå", "ẫ": "aã", "ậ": "aä",
    "è": "eø", "é": "eù", "ẻ": "eû", "ẽ": "eõ", "ẹ": "eï",
    "ê": "eâ", "ề": "eà", "ế": "eá", "ể": "eå", "ễ": "eã", "ệ": "eä",
    "ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
    "ò": "oø", "ó": "où", "ỏ": "oû", "õ": "oõ", "ọ": "oï",
    "ô": "oâ", "ồ": "oà", "ố": "oá", "ổ": "oå", "ỗ": "oã", "ộ": "oä",
    "ơ": "ô", "ờ": "ôø", "ớ": "ôù", "ở": "ôû", "ỡ": "ôõ", "ợ": "ôï",
    "ù": "uø", "ú": "uù", "ủ": "uû", "ũ": "uõ", "ụ": "uï",
    "ư": "ö", "ừ": "öø", "ứ": "öù", "ử": "öû", "ữ": "öõ", "ự": "öï",
    "ỳ": "yø", "ý": "yù", "ỷ": "yû", "ỹ": "yõ", "ỵ": "î",
    "đ": "ñ",
}
UNI_TO_VNI: dict[str, str] = dict(_VNI_MARKS_LOWER)
for _u, _v in _VNI_MARKS_LOWER.items():
    UNI_TO_VNI[_u.upper()] = _v.upper()
VNI_TO_UNI: dict[str, str] = {v: k for k, v in UNI_TO_VNI.items()}
_VNI_KEYS = sorted(VNI_TO_UNI, key=len, reverse=True)  # longest first: "ôø" before "ô"
_VNI_RE = re.compile("|".join(re.escape(k) for k in _VNI_KEYS))
# Two-glyph sequences impossible in Unicode Vietnamese (a vowel followed by a VNI mark glyph), and
# single glyphs Vietnamese never uses (ö, ø, ï, û, ñ, å, ä, ë, ü).
_VNI_EVIDENCE = re.compile(
    r"[aAeEoOuUyYôÔöÖ][øùûõïØÙÛÕÏ]|[aAeEoO][âÂåÅäÄãÃ]|[aA][êÊèÈéÉúÚüÜëË]|[öÖñÑ]")

# Unicode letters only Vietnamese uses: if present, the text is already Unicode.
_VI_SPECIFIC = set("ăđơưĂĐƠƯ") | {chr(c) for c in range(0x1EA0, 0x1EFA)} | set("\u0300\u0301\u0303\u0309\u0323")


class LegacyEncodingError(ValueError):
    """Text or bytes in an encoding we cannot read reliably. The message is Vietnamese."""


def unicode_to_tcvn3(text: str) -> str:
    """Encode Unicode Vietnamese the way a TCVN3 font user would have typed it (for tests and fixtures).

    Accented capitals have no TCVN3 code of their own; they are written lower case."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in UNI_TO_TCVN3:
            out.append(UNI_TO_TCVN3[ch])
        elif ch.lower() in UNI_TO_TCVN3 and ch.lower() != ch:
            out.append(UNI_TO_TCVN3[ch.lower()])
        else:
            out.append(ch)
    return "".join(out)


def unicode_to_vni(text: str) -> str:
    return "".join(UNI_TO_VNI.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def tcvn3_to_unicode(text: str) -> str:
    return unicodedata.normalize("NFC", "".join(TCVN3_TO_UNI.get(ch, ch) for ch in text))


def vni_to_unicode(text: str) -> str:
    return unicodedata.normalize("NFC", _VNI_RE.sub(lambda m: VNI_TO_UNI[m.group(0)], text))


def is_unicode_vietnamese(text: str) -> bool:
    return any(ch in _VI_SPECIFIC for ch in unicodedata.normalize("NFC", text))


def detect(text: str) -> str | None:
    """'tcvn3', 'vni' or None (plain or already Unicode text)."""
    if not text or is_unicode_vietnamese(text):
        return None
    if any(ch in _TCVN3_SIGNS for ch in text):
        return "tcvn3"
    if _VNI_EVIDENCE.search(text):
        return "vni"
    return None


ENCODING_LABELS = {"tcvn3": "TCVN3 (ABC, phông .VnTime)", "vni": "VNI (phông VNI-Times)",
                   "cp1258": "Windows-1258", "utf-8": "UTF-8", "utf-8-sig": "UTF-8 có BOM"}


def fix_text(text: str) -> tuple[str, str | None]:
    """Convert legacy-font text to Unicode: returns (text, encoding found or None).

    Raises LegacyEncodingError when the text mixes both legacy encodings or still holds legacy
    glyphs after conversion (so the result would be unreliable)."""
    enc = detect(text)
    if enc is None:
        return text, None
    out = tcvn3_to_unicode(text) if enc == "tcvn3" else vni_to_unicode(text)
    leftover = [ch for ch in out if ch in _TCVN3_SIGNS or ch in "öÖñÑøØïÏ"]
    if leftover:
        raise LegacyEncodingError(
            f"Văn bản “{text}” có vẻ dùng bảng mã cũ {ENCODING_LABELS[enc]} nhưng không chuyển được "
            f"hết sang Unicode (còn ký tự “{''.join(dict.fromkeys(leftover))}”). Hãy chuyển tệp sang "
            "Unicode (ví dụ bằng công cụ chuyển mã của Unikey) rồi nhập lại.")
    return out, enc


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a text file: UTF-8 (with/without BOM), else a legacy 8-bit Vietnamese encoding.

    Returns (text, label) where label is 'utf-8-sig', 'utf-8', 'tcvn3', 'vni' or 'cp1258'. For
    'tcvn3'/'vni' the text is returned as the Latin-1 glyphs (convert cell by cell with fix_text),
    so that separators and digits are untouched."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise LegacyEncodingError(
                f"Tệp có dấu BOM UTF-8 nhưng nội dung không phải UTF-8 hợp lệ (byte thứ {exc.start + 4}). "
                "Hãy lưu lại tệp dạng “CSV UTF-8”.") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise LegacyEncodingError("Tệp UTF-16 bị hỏng. Hãy lưu lại tệp dạng “CSV UTF-8”.") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # An 8-bit file. Windows-1252 glyphs (Latin-1 for the 5 undefined bytes) are what legacy fonts
    # show; if they look like TCVN3 or VNI we keep them for conversion, else try Windows-1258.
    latin = "".join(bytes([b]).decode("cp1252", errors="strict") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
                    else chr(b) for b in data)
    enc = detect(latin)
    if enc:
        return latin, enc
    try:
        return unicodedata.normalize("NFC", data.decode("cp1258")), "cp1258"
    except UnicodeDecodeError:
        raise LegacyEncodingError(
            "Không nhận ra bảng mã của tệp (không phải UTF-8, TCVN3, VNI hay Windows-1258). "
            "Hãy mở tệp trong Excel và lưu lại dạng “CSV UTF-8”.") from None


def detect_many(texts) -> str | None:
    """The legacy encoding of a whole sheet or file, or None.

    Decided over all cells together, because some TCVN3 words ("Lòng Có" for "Lũng Cú") are made of
    ordinary Latin-1 letters only and cannot be recognised alone. A sheet that already holds Unicode
    Vietnamese anywhere is taken as Unicode (cells are then checked one by one)."""
    found = {"tcvn3": 0, "vni": 0}
    for t in texts:
        if not isinstance(t, str) or not t:
            continue
        if is_unicode_vietnamese(t):
            return None
        enc = detect(t)
        if enc:
            found[enc] += 1
    if found["tcvn3"] and not found["vni"]:
        return "tcvn3"
    if found["vni"] and not found["tcvn3"]:
        return "vni"
    if found["vni"] and found["tcvn3"]:
        raise LegacyEncodingError(
            "Tệp trộn lẫn hai bảng mã cũ TCVN3 (ABC) và VNI nên không chuyển sang Unicode được chắc chắn. "
            "Hãy chuyển toàn bộ tệp sang Unicode (ví dụ bằng công cụ chuyển mã của Unikey) rồi nhập lại.")
    return None


def convert(text: str, enc: str | None) -> str:
    """Convert one cell known to be in ``enc`` ('tcvn3', 'vni' or None = unchanged)."""
    if not enc or not isinstance(text, str):
        return text
    return tcvn3_to_unicode(text) if enc == "tcvn3" else vni_to_unicode(text)
