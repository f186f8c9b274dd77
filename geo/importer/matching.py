"""Find the 2025 commune a spreadsheet row means: by 5-digit code, by its 2025 name, or by a
pre-2025 name through the official mapping (the ``former_units`` of each 2025 unit).

Names compare insensitive to case, accents, spacing and the "Xã"/"Phường"/"Thị trấn" prefix
(geo.text.name_key). A 2025 name always wins over a pre-2025 one. A pre-2025 commune split between
two 2025 units, or a pre-2025 name found in several former districts (unless the district column
says which), is an ambiguity: an error listing the candidates."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field

import pandas as pd

from ..text import canonical, fold, name_key


def _accented(text: str) -> tuple[str, str]:
    """(full, without prefix) lower-case keys that keep the accents ("tân thành" != "tân thanh")."""
    s = re.sub(r"[\s_\-.,]+", " ", canonical(str(text)).strip().lower()).strip()
    for p in ("thị trấn ", "phường ", "xã ", "tt ", "p ", "x "):
        if s.startswith(p):
            return s, s[len(p):].strip()
    return s, s

_DISTRICT_PREFIXES = ("thanh pho ", "thi xa ", "huyen ", "tp ", "tx ", "h ", "quan ")


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
    via: str = ""  # "code" | "name" | "old_name"
    warning: str = ""  # e.g. old name mapped to a new unit
    error: str = ""
    suggestion: str = ""
    candidates: list[tuple[str, str]] = field(default_factory=list)  # (code, name)

    @property
    def ok(self) -> bool:
        return self.code is not None and not self.error


@dataclass
class _Old:
    code: str
    name: str
    district: str
    type: str  # full | partial
    new_code: str
    new_name: str


class CommuneMatcher:
    def __init__(self, table: pd.DataFrame):
        self.by_code: dict[str, str] = dict(zip(table["code"].astype(str), table["name"].astype(str)))
        self.by_key: dict[str, list[str]] = {}
        self.by_full: dict[str, str] = {}
        for code, name in self.by_code.items():
            self.by_key.setdefault(name_key(name), []).append(code)
            self.by_full[fold(name)] = code
        self.old: list[_Old] = []
        for code, name, fu in zip(table["code"], table["name"], table["former_units"]):
            for u in json.loads(fu) if isinstance(fu, str) else (fu or []):
                self.old.append(_Old(str(u.get("code", "")), str(u["name"]), str(u.get("district", "")),
                                     str(u.get("type", "full")), str(code), str(name)))
        self.old_by_key: dict[str, list[_Old]] = {}
        self.old_by_full: dict[str, list[_Old]] = {}
        for o in self.old:
            self.old_by_key.setdefault(name_key(o.name), []).append(o)
            self.old_by_full.setdefault(fold(o.name), []).append(o)
        self.acc_new: dict[str, list[str]] = {}
        for code, name in self.by_code.items():
            for k in set(_accented(name)):
                self.acc_new.setdefault(k, []).append(code)
        self.acc_old: dict[str, list[_Old]] = {}
        for o in self.old:
            for k in set(_accented(o.name)):
                self.acc_old.setdefault(k, []).append(o)
        self._new_keys = sorted(self.by_key)
        self._old_keys = sorted(self.old_by_key)

    @classmethod
    def from_boundaries(cls, path=None) -> "CommuneMatcher":
        from .. import boundaries

        return cls(boundaries.commune_table(path))

    # --- helpers -----------------------------------------------------------------------------
    def suggestions(self, text: str, n: int = 3) -> list[str]:
        key = name_key(text)
        if not key:
            return []
        out: list[str] = []
        for k in difflib.get_close_matches(key, self._new_keys, n=n, cutoff=0.6):
            out += [self.by_code[c] for c in self.by_key[k]]
        for k in difflib.get_close_matches(key, self._old_keys, n=n, cutoff=0.75):
            for o in self.old_by_key[k]:
                label = f"{o.name} cũ ({o.district}) → {o.new_name}"
                if label not in out and len(out) < n + 2:
                    out.append(label)
        return list(dict.fromkeys(out))[: n + 2]

    @staticmethod
    def _did_you_mean(names: list[str]) -> str:
        if not names:
            return ""
        if len(names) == 1:
            return f"Có phải là {names[0]}?"
        return "Có phải là một trong: " + "; ".join(names) + "?"

    # --- matching ----------------------------------------------------------------------------
    def match_code(self, code) -> Match:
        s = str(code).strip()
        if isinstance(code, float) and code.is_integer():
            s = str(int(code))
        if re.fullmatch(r"\d{1,5}", s):
            s = s.zfill(5)  # Excel drops leading zeros: 694 -> 00694
            if s in self.by_code:
                return Match(s, self.by_code[s], "code")
            olds = [o for o in self.old if o.code == s]
            if olds:
                return self._from_old(olds, s, label=f"Mã {s}")
            return Match(error=f"Mã xã “{code}” không có trong danh sách 124 đơn vị cấp xã của tỉnh (năm 2025).")
        return Match(error=f"Mã xã “{code}” không hợp lệ: mã gồm 5 chữ số, ví dụ 00694.")

    def match_name(self, text: str, district: str = "") -> Match:
        raw = str(text).strip()
        full, key = fold(raw), name_key(raw)
        if not key:
            return Match(error="Thiếu tên xã.")
        # 1. a 2025 name (with its prefix, or without any prefix)
        if full in self.by_full:
            c = self.by_full[full]
            return Match(c, self.by_code[c], "name")
        has_prefix = key != full
        afull, akey = _accented(raw)
        # 0. exact spelling with accents: the full 2025 name; a pre-2025 name with its own prefix
        #    ("Phường Tân Quang" is the old ward, not today's Xã Tân Quang); then without prefix.
        if len(self.acc_new.get(afull, [])) == 1:
            c = self.acc_new[afull][0]
            return Match(c, self.by_code[c], "name")
        if akey != afull and afull in self.acc_old:
            return self._from_old(self.acc_old[afull], raw, district)
        if len(self.acc_new.get(akey, [])) == 1:
            c = self.acc_new[akey][0]
            return Match(c, self.by_code[c], "name")
        if akey in self.acc_old:
            return self._from_old(self.acc_old[akey], raw, district)
        # 2. a pre-2025 name written with its own prefix ("Thị trấn Vị Xuyên", "Phường Tân Quang")
        if has_prefix and full in self.old_by_full:
            return self._from_old(self.old_by_full[full], raw, district)
        # 3. a 2025 name without (or with a different) prefix
        if key in self.by_key and len(self.by_key[key]) == 1:
            c = self.by_key[key][0]
            m = Match(c, self.by_code[c], "name")
            others = {o.new_code: o for o in self.old_by_key.get(key, []) if o.new_code != c}
            if others:
                alt = "; ".join(f"{o.name} cũ ({o.district}) → {o.new_name}" for o in others.values())
                m.warning = (f"“{raw}” được hiểu là tên mới {m.name} ({c}); nếu ý là tên cũ ({alt}) "
                             "thì hãy ghi mã xã mới.")
            return m
        # 4. a pre-2025 name without its prefix
        if key in self.old_by_key:
            return self._from_old(self.old_by_key[key], raw, district)
        sug = self.suggestions(raw)
        return Match(error=f"Không tìm thấy xã/phường “{raw}” trong danh sách tên mới (2025) hay tên cũ "
                           "(trước sắp xếp).", suggestion=self._did_you_mean(sug))

    def _from_old(self, olds: list[_Old], raw: str, district: str = "", label: str = "") -> Match:
        label = label or f"“{raw}”"
        # group by pre-2025 commune (code): one old commune may go to several new units (split)
        by_old: dict[tuple[str, str], list[_Old]] = {}
        for o in olds:
            by_old.setdefault((o.code or o.name, o.district), []).append(o)
        if len(by_old) > 1 and district:
            # the column may list several former districts ("Huyện A; Huyện B")
            dks = {district_key(d) for d in re.split(r"[;,]", district)} - {""}
            picked = {k: v for k, v in by_old.items() if district_key(k[1]) in dks}
            if len(picked) == 1:
                by_old = picked
        if len(by_old) > 1:
            cands = [(v[0].new_code, v[0].new_name) for v in by_old.values()]
            listing = "; ".join(f"{v[0].name} thuộc {v[0].district} → {v[0].new_name} ({v[0].new_code})"
                                for v in by_old.values())
            return Match(error=f"Tên cũ {label} có ở nhiều huyện cũ: {listing}. Hãy ghi mã xã mới, tên mới, "
                               "hoặc ghi huyện cũ ở cột “Huyện cũ”.",
                         suggestion=self._did_you_mean([n for _, n in dict.fromkeys(cands)]),
                         candidates=list(dict.fromkeys(cands)))
        (_, _), units = next(iter(by_old.items()))
        new = list(dict.fromkeys((u.new_code, u.new_name) for u in units))
        o = units[0]
        if len(new) > 1:
            listing = " và ".join(f"{n} ({c})" for c, n in new)
            return Match(error=f"{label} là đơn vị cũ {o.name} ({o.district}), đã được chia cho {len(new)} "
                               f"đơn vị mới: {listing}. Không thể tự chọn: hãy ghi mã hoặc tên xã mới.",
                         suggestion=self._did_you_mean([n for _, n in new]), candidates=new)
        c, n = new[0]
        return Match(c, n, "old_name",
                     warning=f"{label} là đơn vị cũ (trước 2025) {o.name}, {o.district}; "
                             f"đã nhập vào đơn vị mới {n} ({c}).")

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
                if not byname.ok and not byname.candidates:
                    m.warning = (f"Tên “{name}” không khớp với mã {m.code} ({m.name}); đã nhập theo mã. "
                                 "Hãy kiểm tra lại tên.")
            return m
        if has_name:
            return self.match_name(name, district)
        return Match(error="Thiếu cả mã xã lẫn tên xã.")
