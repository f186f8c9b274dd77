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
    """TCVN3 glyphs to Unicode (NFC). Accented capitals were typed with the all-caps font on the
    lower-case codes: a word whose plain letters are all capitals ("NG¦êI") is upper-cased."""
    out = unicodedata.normalize("NFC", "".join(TCVN3_TO_UNI.get(ch, ch) for ch in text))
    if any(ch in TCVN3_TO_UNI for ch in text):
        plain = [c for c in text if "A" <= c <= "Z" or "a" <= c <= "z"]
        if len(plain) >= 3 and all(c.isupper() for c in plain):
            return out.upper()  # the whole cell in the caps font

        def caps(m: re.Match) -> str:
            w = m.group(0)
            plain = [c for c in w if "A" <= c <= "Z" or "a" <= c <= "z"]
            return w.upper() if len(plain) >= 2 and all(c.isupper() for c in plain) else w
        out = re.sub(r"[^\s\d.,;:()\[\]/\\\"'!?\-]+", caps, out)
    return out


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
    """Convert one legacy-font cell to Unicode when a legacy reading makes strictly more Vietnamese
    syllables than the text as written: returns (text, encoding found or None)."""
    enc = better_reading(text)
    if enc is None:
        return text, None
    return convert(text, enc), enc


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
    # show; the reading (TCVN3, VNI or Windows-1258) that makes most Vietnamese syllables wins.
    latin = "".join(bytes([b]).decode("cp1252", errors="strict") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
                    else chr(b) for b in data)
    try:
        cp1258 = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        cp1258 = None
    score = evidence([latin])
    if cp1258 is not None:
        score["cp1258"] = sum(1 for w in _words(cp1258) if is_syllable(w))
    best = max(score.values())
    if best > 0:
        if cp1258 is not None and score["cp1258"] == best:
            return cp1258, "cp1258"
        for r in ("tcvn3", "vni"):
            if score[r] == best and score[r] > score[None]:
                return latin, r
    if cp1258 is not None:
        return cp1258, "cp1258"
    raise LegacyEncodingError(
        "Không nhận ra bảng mã của tệp (không phải UTF-8, TCVN3, VNI hay Windows-1258). "
        "Hãy mở tệp trong Excel và lưu lại dạng “CSV UTF-8”.")


# --- evidence: how many words are Vietnamese syllables under each reading ----------------------
_INITIALS = sorted("ngh ng gh gi kh nh ph qu th tr ch b c d đ g h k l m n p r s t v x".split(), key=len,
                   reverse=True) + [""]
_NUCLEI = set("""a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui
uô uơ uy ưa ưi ươ ưu yê iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyê uyu""".split())
_FINALS = ("ng", "nh", "ch", "c", "m", "n", "p", "t", "")
_OPEN_ONLY = set("ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu iêu yêu oai oay oao oeo uây uôi ươi ươu "
                 "uya uyu".split())  # end in a semivowel: no final consonant
_NEEDS_FINAL = set("ă â iê yê uô ươ uâ oă uyê".split())
_PALATAL_FINAL_AFTER = set("a ê i y oa uy uê".split())  # -nh, -ch
_FRONT = ("e", "ê", "i", "y")


def _syllable_parts(base: str) -> bool:
    for ini in _INITIALS:
        if not base.startswith(ini):
            continue
        rest = base[len(ini):]
        if ini == "gi" and (not rest or rest[0] not in "aăâeêoôơuưy"):
            rest = "i" + rest  # "gì", "gìn": the i is the vowel
            ini = "gi-"
        for fin in _FINALS:
            if fin and not rest.endswith(fin):
                continue
            nuc = rest[: len(rest) - len(fin)] if fin else rest
            if nuc not in _NUCLEI:
                continue
            if fin and nuc in _OPEN_ONLY:
                continue
            if not fin and nuc in _NEEDS_FINAL:
                continue
            if fin in ("nh", "ch") and nuc not in _PALATAL_FINAL_AFTER:
                continue
            if fin in ("ng", "c") and nuc in ("i", "y", "ê", "uy", "uê"):
                continue
            if ini in ("c", "g", "ng") and nuc.startswith(_FRONT):
                continue  # written k, gh, ngh before e, ê, i
            if ini in ("k", "gh", "ngh") and not nuc.startswith(_FRONT):
                continue
            return True
    return False


_TONE_MARKS = set("\u0300\u0301\u0303\u0309\u0323")
_WORD_SPLIT = re.compile(r"[\s\d,;:()\[\]/\\\"'!?.\-–]+")
MAX_EVIDENCE_WORDS = 20_000


def is_syllable(word: str) -> bool:
    """A plausible Vietnamese syllable (initial, vowel nucleus, final; at most one tone mark)."""
    d = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in d if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONE_MARKS))
    return _syllable_parts(base)


def _words(text: str):
    for w in _WORD_SPLIT.split(text):
        if w and not w.isascii():
            yield w


READINGS = (None, "tcvn3", "vni")


def evidence(texts, limit: int = MAX_EVIDENCE_WORDS) -> dict:
    """For each reading (None = as written, 'tcvn3', 'vni'): how many non-ASCII words become
    Vietnamese syllables. Words are counted over all cells (at most ``limit``)."""
    score = {r: 0 for r in READINGS}
    n = 0
    for t in texts:
        if not isinstance(t, str) or not t:
            continue
        for w in _words(t):
            n += 1
            if n > limit:
                return score
            for r in READINGS:
                if is_syllable(convert(w, r) if r else w):
                    score[r] += 1
    return score


def decide(score: dict) -> str | None:
    """The reading with the most evidence; as written (None) on a tie with it."""
    best = max(score.values())
    if best == 0 or score[None] == best:
        return None
    winners = [r for r in ("tcvn3", "vni") if score[r] == best]
    if len(winners) > 1:
        raise LegacyEncodingError(
            "Không xác định được bảng mã cũ của tệp (TCVN3 hay VNI). Hãy chuyển toàn bộ tệp sang Unicode "
            "(ví dụ bằng công cụ chuyển mã của Unikey) rồi nhập lại.")
    return winners[0]


def detect_many(texts) -> str | None:
    """The legacy encoding of a whole sheet or file ('tcvn3', 'vni') or None (as written).

    Decided by evidence over all cells together: the reading under which most words are Vietnamese
    syllables wins ("HuyÖn (cò)" is "Huyện (cũ)" in TCVN3, although "Ö" is also a VNI glyph and
    "cò" a Vietnamese word). Some TCVN3 words ("Lòng Có" for "Lũng Cú") are ordinary Latin-1
    words and cannot be recognised alone; the rest of the sheet decides."""
    return decide(evidence(t for t in texts if isinstance(t, str) and t and not is_unicode_vietnamese(t)))


def better_reading(text: str) -> str | None:
    """For one cell of a Unicode sheet: a legacy reading that makes strictly more syllables, else None."""
    if not isinstance(text, str) or not text or is_unicode_vietnamese(text):
        return None
    try:
        return decide(evidence([text]))
    except LegacyEncodingError:
        return None


def convert(text: str, enc: str | None) -> str:
    """Convert one cell known to be in ``enc`` ('tcvn3', 'vni' or None = unchanged)."""
    if not enc or not isinstance(text, str):
        return text
    return tcvn3_to_unicode(text) if enc == "tcvn3" else vni_to_unicode(text)
