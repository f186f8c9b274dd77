"""Find the 2025 commune a spreadsheet row means: by 5-digit code, by its 2025 name, or by a
pre-2025 name through the official mapping (the ``former_units`` of each 2025 unit).

Never a guess across communes. Names are tried in tiers, most exact first, and the first tier
that finds anything decides:

1. the exact spelling with accents (case, spacing and tone placement aside) of a 2025 name with
   its prefix ("Xã Tân Thanh"), then of a pre-2025 name with its prefix ("Phường Tân Quang");
2. the exact spelling without the prefix: 2025 names, then pre-2025 names ("Tân Thành");
3. the folded form (no accents): with the prefix, then without.

Inside a tier, the old-district column ("Huyện cũ") keeps only the candidates of that district.
A tier whose candidates lead to more than one 2025 unit is an ambiguity error listing them and
how to resolve it (the code, the 2025 name, or the old-district column); a tier whose candidates
were all excluded by the old-district column is an error too (the name and the district
disagree). Every match that is not the exact 2025 name or the code carries ``why`` (reasons in
Vietnamese) so the dry-run report lists it for the staff to confirm.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from ..text import canonical, fold

# Prefixes as written (accented and folded), with abbreviations, mapped to the full prefix.
_ACC_PREFIXES = (("thị trấn ", "thị trấn"), ("phường ", "phường"), ("xã ", "xã"), ("tt. ", "thị trấn"),
                 ("tt ", "thị trấn"), ("p. ", "phường"), ("x. ", "xã"))
_FOLD_PREFIXES = (("thi tran ", "thi tran"), ("phuong ", "phuong"), ("xa ", "xa"), ("tt ", "thi tran"),
                  ("p ", "phuong"), ("x ", "xa"))
_DISTRICT_PREFIXES = ("thanh pho ", "thi xa ", "huyen ", "tp ", "tx ", "h ", "quan ")


def _acc(text: str) -> str:
    """Accented comparison form: NFC, new-style tone placement, lower case, single spaces."""
    s = canonical(unicodedata.normalize("NFC", str(text))).lower()
    s = re.sub(r"\s*\.\s*", ". ", s)
    s = re.sub(r"[\s_\-,]+", " ", s).strip()
    return s


def _split(s: str, prefixes) -> tuple[str, str]:
    """(full prefix or '', rest) of a comparison form."""
    for p, full in prefixes:
        if s.startswith(p) and len(s) > len(p):
            return full, s[len(p):].strip(" .")
    return "", s.strip(" .")


def district_key(text: str) -> str:
    s = fold(text or "")
    for p in _DISTRICT_PREFIXES:
        if s.startswith(p):
            return s[len(p):].strip()
    return s


@dataclass
class Match:
    code: str | None = None  # the 2025 unit, when found
    name: str = ""  # its full 2025 name
    via: str = ""  # "code" | "name" | "old_name" | "old_code"
    warning: str = ""  # something the staff should check (another unit with the same spelling…)
    error: str = ""
    suggestion: str = ""
    candidates: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    why: list[str] = field(default_factory=list)  # reasons the match is not exact (empty: exact)

    @property
    def ok(self) -> bool:
        return self.code is not None and not self.error

    @property
    def exact(self) -> bool:
        return self.ok and not self.why


@dataclass(frozen=True)
class _Entry:
    target: str  # 2025 code the name leads to
    target_name: str
    old: bool  # a pre-2025 name
    name: str  # the name as officially written
    old_code: str
    district: str  # the old district (for 2025 names: all former districts, "; "-joined)
    districts: frozenset[str]  # district keys
    partial: bool = False

    def label(self) -> str:
        if self.old:
            return f"{self.name} cũ ({self.district}) → {self.target_name} ({self.target})"
        return f"{self.name} ({self.target}, tên năm 2025)"


class CommuneMatcher:
    def __init__(self, table: pd.DataFrame):
        self.by_code: dict[str, str] = dict(zip(table["code"].astype(str), table["name"].astype(str)))
        self.entries: list[_Entry] = []
        former = {}
        for code, name, fu in zip(table["code"].astype(str), table["name"].astype(str), table["former_units"]):
            units = json.loads(fu) if isinstance(fu, str) else (fu or [])
            former[code] = units
            ds = sorted({str(u.get("district", "")) for u in units} - {""})
            self.entries.append(_Entry(code, name, False, name, code, "; ".join(ds),
                                       frozenset(district_key(d) for d in ds)))
        for code, units in former.items():
            for u in units:
                d = str(u.get("district", ""))
                self.entries.append(_Entry(code, self.by_code[code], True, str(u["name"]), str(u.get("code", "")), d,
                                           frozenset({district_key(d)}), str(u.get("type", "full")) == "partial"))
        self.old_by_code: dict[str, list[_Entry]] = {}
        self.idx: dict[str, dict[str, list[_Entry]]] = {k: {} for k in ("acc_full", "acc_key", "fold_full", "fold_key")}
        for e in self.entries:
            if e.old:
                self.old_by_code.setdefault(e.old_code, []).append(e)
            a = _acc(e.name)
            pfx, key = _split(a, _ACC_PREFIXES)
            self.idx["acc_full"].setdefault(a, []).append(e)
            self.idx["acc_key"].setdefault(key, []).append(e)
            self.idx["fold_full"].setdefault(fold(a), []).append(e)
            self.idx["fold_key"].setdefault(fold(key), []).append(e)
        self.districts = {k for e in self.entries for k in e.districts}
        self._keys = sorted(self.idx["fold_key"])

    @classmethod
    def from_boundaries(cls, path=None) -> "CommuneMatcher":
        from .. import boundaries

        return cls(boundaries.commune_table(path))

    # --- helpers -----------------------------------------------------------------------------
    def suggestions(self, text: str, n: int = 3) -> list[str]:
        _, key = _split(fold(_acc(text)), _FOLD_PREFIXES)
        if not key:
            return []
        out: list[str] = []
        for k in difflib.get_close_matches(key, self._keys, n=n, cutoff=0.6):
            for e in self.idx["fold_key"][k]:
                label = e.target_name if not e.old else f"{e.name} cũ ({e.district}) → {e.target_name}"
                if label not in out:
                    out.append(label)
        return out[: n + 2]

    @staticmethod
    def _did_you_mean(names: list[str]) -> str:
        names = list(dict.fromkeys(names))
        if not names:
            return ""
        if len(names) == 1:
            return f"Có phải là {names[0]}?"
        return "Có phải là một trong: " + "; ".join(names) + "?"

    def district_keys(self, district: str) -> set[str]:
        """The known old districts named in the district column ('' or unknown text: none)."""
        return {k for k in (district_key(d) for d in re.split(r"[;,/]|\bvà\b", district or "")) if k in self.districts}

    # --- matching ----------------------------------------------------------------------------
    def match_code(self, code) -> Match:
        s = str(code).strip()
        if isinstance(code, float) and code.is_integer():
            s = str(int(code))
        if re.fullmatch(r"\d{1,5}", s):
            s = s.zfill(5)  # Excel drops leading zeros: 694 -> 00694
            if s in self.by_code:
                return Match(s, self.by_code[s], "code")
            olds = self.old_by_code.get(s, [])
            if olds:
                m = self._decide(olds, f"Mã {s}", "")
                if m.ok:
                    m.via = "old_code"
                    m.why = [f"mã cũ {s} của {olds[0].name} ({olds[0].district}), trước sắp xếp năm 2025"]
                    m.warning = ""
                return m
            return Match(error=f"Mã xã “{code}” không có trong danh sách 124 đơn vị cấp xã của tỉnh (năm 2025).")
        return Match(error=f"Mã xã “{code}” không hợp lệ: mã gồm 5 chữ số, ví dụ 00694.")

    def _decide(self, cands: list[_Entry], label: str, raw: str) -> Match:
        """One 2025 unit from a tier's candidates, or an ambiguity error listing them."""
        targets = list(dict.fromkeys((e.target, e.target_name) for e in cands))
        if len(targets) == 1:
            c, n = targets[0]
            return Match(c, n, "old_name" if all(e.old for e in cands) else "name",
                         candidates=targets)
        olds = {(e.old_code or e.name, e.district) for e in cands}
        if len(olds) == 1 and all(e.old for e in cands):
            o = cands[0]
            listing = " và ".join(f"{n} ({c})" for c, n in targets)
            return Match(error=f"{label} là đơn vị cũ {o.name} ({o.district}), đã được chia cho {len(targets)} "
                               f"đơn vị mới: {listing}. Không thể tự chọn: hãy ghi mã hoặc tên xã mới.",
                         suggestion=self._did_you_mean([n for _, n in targets]), candidates=targets)
        listing = "; ".join(e.label() for e in cands)
        return Match(error=f"{label} ứng với nhiều đơn vị khác nhau: {listing}. Không thể tự chọn: hãy ghi mã xã "
                           "(5 chữ số), tên mới năm 2025 đầy đủ dấu, hoặc ghi huyện cũ ở cột “Huyện cũ”.",
                     suggestion=self._did_you_mean([n for _, n in targets]), candidates=targets)

    def match_name(self, text: str, district: str = "") -> Match:
        raw = " ".join(str(text).split())
        a = _acc(raw)
        apfx, akey = _split(a, _ACC_PREFIXES)
        f = fold(a)
        fpfx, fkey = _split(f, _FOLD_PREFIXES)
        if not fkey:
            return Match(error="Thiếu tên xã.")
        label = f"“{raw}”"
        dks = self.district_keys(district)
        idx = self.idx
        tiers: list[tuple[str, list[_Entry]]] = []
        if apfx:
            tiers.append(("acc_full_new", [e for e in idx["acc_full"].get(a, []) if not e.old]))
            tiers.append(("acc_full_old", [e for e in idx["acc_full"].get(a, []) if e.old]))
        tiers.append(("acc_key_new", [e for e in idx["acc_key"].get(akey, []) if not e.old]))
        tiers.append(("acc_key_old", [e for e in idx["acc_key"].get(akey, []) if e.old]))
        if apfx and akey != a:  # "Xà Phìn", "Phương Độ": a name that only looks like it has a prefix
            tiers.append(("acc_key_new", [e for e in idx["acc_key"].get(a, []) if not e.old]))
            tiers.append(("acc_key_old", [e for e in idx["acc_key"].get(a, []) if e.old]))
        if fpfx:
            tiers.append(("fold_full", idx["fold_full"].get(f, [])))
        fold_any = list(dict.fromkeys(idx["fold_key"].get(fkey, []) + idx["fold_key"].get(f, [])))
        tiers.append(("fold_key", fold_any))
        excluded: list[_Entry] = []  # candidates the district column ruled out
        for tier, cands in tiers:
            if not cands:
                continue
            exact_tier = tier.startswith("acc")
            by_district = False
            if dks:
                kept = [e for e in cands if e.districts & dks]
                if not kept:
                    excluded += cands
                    continue
                by_district = len({e.target for e in kept}) < len({e.target for e in cands})
                cands = kept
            if excluded and not exact_tier:
                # an exact spelling was ruled out by the district: a folded form must not overrule it
                break
            m = self._decide(cands, label, raw)
            if not m.ok:
                return m
            m.why = self._why(raw, a, apfx, akey, tier, cands, m, by_district, district)
            m.warning = self._also(raw, m, tier, a, fkey, f, dks)
            if m.via == "old_name":
                o = next(e for e in cands if e.target == m.code)
                m.warning = (f"{label} là đơn vị cũ (trước 2025) {o.name}, {o.district}; đã nhập vào đơn vị mới "
                             f"{m.name} ({m.code}).") + (" " + m.warning if m.warning else "")
            return m
        if excluded:
            units = "; ".join(dict.fromkeys(e.label() for e in excluded))
            return Match(error=f"Tên {label} và cột “Huyện cũ” (“{district}”) không khớp nhau: tên này là {units}. "
                               "Hãy sửa tên hoặc huyện cũ, hoặc ghi mã xã (5 chữ số).",
                         suggestion=self._did_you_mean([e.target_name for e in excluded]),
                         candidates=list(dict.fromkeys((e.target, e.target_name) for e in excluded)))
        sug = self.suggestions(raw)
        return Match(error=f"Không tìm thấy xã/phường “{raw}” trong danh sách tên mới (2025) hay tên cũ "
                           "(trước sắp xếp).", suggestion=self._did_you_mean(sug))

    def _why(self, raw, a, apfx, akey, tier, cands, m, by_district, district) -> list[str]:
        """Reasons (Vietnamese) the match is not the exact 2025 name; [] when it is."""
        why: list[str] = []
        e = next(x for x in cands if x.target == m.code)
        official = _acc(e.name)
        opfx, okey = _split(official, _ACC_PREFIXES)
        nfc = " ".join(unicodedata.normalize("NFC", raw).lower().split())
        if e.old:
            why.append(f"tên cũ trước sắp xếp: {e.name} ({e.district})")
        if tier.startswith("fold"):
            why.append("viết không dấu hoặc sai dấu")
        elif nfc != " ".join(unicodedata.normalize("NFC", e.name).lower().split()):
            if not apfx:
                why.append(f"không ghi “{opfx.capitalize()}”")
            elif apfx != opfx:
                why.append(f"ghi “{apfx.capitalize()}” thay cho “{opfx.capitalize()}”")
            elif not nfc.startswith(opfx):
                why.append("tiền tố viết tắt")
            if akey == okey and _split(nfc, _ACC_PREFIXES)[1] != unicodedata.normalize("NFC", okey):
                why.append("cách đặt dấu thanh khác (hoà/hòa)")
        if tier.startswith("fold") and not e.old and not _split(fold(a), _FOLD_PREFIXES)[0]:
            why.append(f"không ghi “{opfx.capitalize()}”")
        if by_district:
            why.append(f"chọn theo cột “Huyện cũ” ({district})")
        return list(dict.fromkeys(why))

    def _also(self, raw, m, tier, a, fkey, f, dks) -> str:
        """Other units written the same way (accents aside) that the match did not take."""
        if tier.startswith("acc_full"):
            pool = [e for e in self.idx["acc_full"].get(a, [])]
        else:
            pool = self.idx["fold_key"].get(fkey, []) + self.idx["fold_key"].get(f, [])
        if dks:
            pool = [e for e in pool if e.districts & dks]
        others = list(dict.fromkeys(e.label() for e in pool if e.target != m.code))
        if not others:
            return ""
        return (f"“{raw}” được hiểu là {m.name} ({m.code}); cùng cách viết còn có: {'; '.join(others)}. "
                "Nếu ý là đơn vị khác, hãy ghi mã xã hoặc huyện cũ ở cột “Huyện cũ”.")

    def match(self, code=None, name=None, district: str = "") -> Match:
        """By code when given (the name, when also given, must agree), else by name."""
        has_code = code is not None and str(code).strip() != ""
        has_name = name is not None and str(name).strip() != ""
        if has_code:
            m = self.match_code(code)
            if m.ok and has_name:
                byname = self.match_name(name, district)
                if byname.ok and byname.code != m.code:
                    return Match(error=f"Mã {m.code} là {m.name} nhưng tên ghi là “{name}” "
                                       f"({byname.name}, mã {byname.code}). Hãy sửa mã hoặc tên cho khớp.",
                                 suggestion=self._did_you_mean([m.name, byname.name]),
                                 candidates=[(m.code, m.name), (byname.code, byname.name)])
                if not byname.ok and byname.candidates and m.code not in {c for c, _ in byname.candidates}:
                    return Match(error=f"Mã {m.code} là {m.name} nhưng tên ghi là “{name}”, là tên của: "
                                       + "; ".join(f"{n} ({c})" for c, n in byname.candidates)
                                       + ". Hãy sửa mã hoặc tên cho khớp.",
                                 suggestion=self._did_you_mean([m.name] + [n for _, n in byname.candidates]),
                                 candidates=[(m.code, m.name), *byname.candidates])
                if not byname.ok and not byname.candidates:
                    m.warning = (f"Tên “{name}” không khớp với mã {m.code} ({m.name}); đã nhập theo mã. "
                                 "Hãy kiểm tra lại tên.")
                    m.why = m.why + [f"tên “{name}” không khớp, theo mã {m.code}"]
            return m
        if has_name:
            return self.match_name(name, district)
        return Match(error="Thiếu cả mã xã lẫn tên xã.")
