"""Vietnamese text helpers: canonical spelling, accent-insensitive keys for search and matching."""

from __future__ import annotations

import re
import unicodedata

# Old-style ("hoà", "thuỷ") and new-style ("hòa", "thủy") tone placement both occur in official
# lists. We canonicalise to the new style (tone mark on the main vowel) before comparing.
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
_OLD_STYLE = re.compile(r"([oO])([aAeE])([" + _TONES + r"])|(?<![qQ])([uU])([yY])([" + _TONES + r"])")

_PREFIXES = ("thi tran ", "phuong ", "xa ", "tt. ", "tt ", "p. ", "x. ")


def canonical(name: str) -> str:
    """NFC text with tone marks placed the new way: "Thuỷ" -> "Thủy", "Hoà" -> "Hòa".

    Only the two-letter clusters "oa", "oe", "uy" with nothing after them in the syllable move
    their tone mark; "Thuận", "Khuyến" and the like are untouched.
    """
    d = unicodedata.normalize("NFD", name)

    def move(m: re.Match) -> str:
        end = m.end()
        nxt = d[end] if end < len(d) else " "
        if nxt.isalpha():  # a closed syllable ("hoàn"): the mark stays on the second vowel
            return m.group(0)
        if m.group(1):
            return m.group(1) + m.group(3) + m.group(2)
        return m.group(4) + m.group(6) + m.group(5)

    return unicodedata.normalize("NFC", _OLD_STYLE.sub(move, d))


def fold(text: str) -> str:
    """Lower case, no diacritics, đ -> d, single spaces: the key for accent-insensitive search."""
    s = unicodedata.normalize("NFD", str(text).strip().lower())
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    s = s.replace("đ", "d").replace("ð", "d")
    s = re.sub(r"[\s_\-.,]+", " ", s)
    return s.strip()


def name_key(text: str) -> str:
    """fold() without the unit prefix: "Xã Thượng Lâm", "thuong lam", "X. Thượng  Lâm" -> "thuong lam"."""
    s = fold(text)
    for p in _PREFIXES:
        if s.startswith(p):
            s = s[len(p):]
            break
    return s.strip()


def short_name(full_name: str) -> str:
    """"Phường Hà Giang 1" -> "Hà Giang 1"."""
    for p in ("Thị trấn ", "Phường ", "Xã "):
        if full_name.startswith(p):
            return full_name[len(p):]
    return full_name
