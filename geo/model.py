"""The programme's data model: assessments per commune and year, routes, targets; derived values.

Terms follow Quyết định 28/2025/QĐ-TTg (criteria) and Hướng dẫn 37/HD-BCA (review procedure).
Only commune-level aggregates are held here: never data about a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from typing import Iterable, Mapping

from .i18n import t as _t

YEARS = tuple(range(2025, 2031))  # the 2025–2030 scheme
CLASSES = ("I", "II", "III")

# Map categories, in legend order. Keys are stable identifiers; labels go through i18n.
CAT_DRUG_FREE = "drug_free"
CAT_CLASS_I = "class_I"
CAT_CLASS_II = "class_II"
CAT_CLASS_III = "class_III"
CAT_OTHER = "other"
CAT_NO_DATA = "no_data"
CATEGORIES = (CAT_DRUG_FREE, CAT_CLASS_I, CAT_CLASS_II, CAT_CLASS_III, CAT_OTHER, CAT_NO_DATA)

KEY_CATEGORIES = (CAT_CLASS_I, CAT_CLASS_II, CAT_CLASS_III)  # category(a) in these <=> is_key(a)
# Labels live in geo.i18n ("cat.<key>"); use category_label(cat, lang). This (vi, en) table is derived
# from there for old callers only.
CATEGORY_LABELS = {c: (_t(f"cat.{c}", "vi"), _t(f"cat.{c}", "en")) for c in CATEGORIES}
# Class I criteria thresholds (QĐ 28/2025/QĐ-TTg): at least 3 of 5 must be met.
CLASS_I_MIN_CRITERIA = 3
RATIO_ADDICTS_USERS = 0.005  # registered addicts + users >= 0.5 % of residents
MIN_HARBOUR_PLACES = 2  # places organising or harbouring illegal use
RATIO_OFFENDERS = 0.001  # offenders arrested >= 0.1 % of residents
MIN_PLANTS = 3000
MIN_PLANT_AREA_M2 = 750.0

# Indicator columns (all non-negative integers, except plant area in m²). Labels live in geo.i18n
# ("ind.<key>"); use indicator_label(key, lang). The (vi, en) values are derived from there for old
# callers (the importer's headers use the Vietnamese text).
INDICATOR_KEYS = ("addicts", "users", "post_rehab", "spots", "harbour_places", "cases", "offenders", "plants",
                  "plant_area_m2")
INDICATORS: dict[str, tuple[str, str]] = {k: (_t(f"ind.{k}", "vi"), _t(f"ind.{k}", "en")) for k in INDICATOR_KEYS}

# User roles, ordered: each role has everything the previous one has (geo.auth, geo.config and the
# admin page should import this one tuple).
ROLES = ("viewer", "editor", "admin")


def category_label(cat: str, lang: str = "vi") -> str:
    """The label of a map category (``drug_free``, ``class_I``, …) in ``lang``; unknown keys as is."""
    return _t(f"cat.{cat}", lang) if cat in CATEGORIES else str(cat)


def indicator_label(key: str, lang: str = "vi") -> str:
    return _t(f"ind.{key}", lang)


@dataclass
class Assessment:
    """One commune in one year."""

    code: str  # 5-digit GSO code of the 2025 unit
    year: int
    drug_free: bool = False  # "địa bàn cấp xã không ma túy" recognised
    decision_no: str = ""  # e.g. "125/QĐ-UBND"
    decision_date: dt.date | None = None
    complexity_class: str = ""  # "", "I", "II", "III"
    target_year: int | None = None  # year the commune registered to become drug-free
    addicts: int = 0
    users: int = 0
    post_rehab: int = 0
    spots: int = 0
    harbour_places: int = 0
    cases: int = 0
    offenders: int = 0
    plants: int = 0
    plant_area_m2: float = 0.0
    note: str = ""
    source_ref: str = ""  # where the figures come from (report number, file)

    @property
    def is_key(self) -> bool:
        """Same as :func:`geo.model.is_key` (the one rule; kept as a property for old callers)."""
        return is_key(self)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["decision_date"] = self.decision_date.isoformat() if self.decision_date else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Assessment":
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        if isinstance(kw.get("decision_date"), str) and kw["decision_date"]:
            kw["decision_date"] = dt.date.fromisoformat(kw["decision_date"][:10])
        elif not kw.get("decision_date"):
            kw["decision_date"] = None
        kw["drug_free"] = bool(kw.get("drug_free"))
        kw["complexity_class"] = kw.get("complexity_class") or ""
        return cls(**kw)


@dataclass
class Route:
    """A priority route ("tuyến trọng điểm phức tạp về ma túy"): a line, never a list of communes."""

    id: str  # short stable id, e.g. "QL2"
    name: str
    description: str = ""
    kind: str = "road"  # road | border | river | other
    geometry_wkt: str = ""  # LineString / MultiLineString in EPSG:4326
    half_width_km: float = 2.0
    year_from: int = 2025
    year_to: int | None = None  # None = still in force

    def in_force(self, year: int) -> bool:
        return self.year_from <= year and (self.year_to is None or year <= self.year_to)


ROUTE_KINDS = ("road", "border", "river", "other")


@dataclass
class Target:
    """A yearly target: ``share`` (0–100 %) or ``count`` of drug-free units, by a scope."""

    year: int
    scope: str  # "ministry" | "national" | "province"
    share_pct: float | None = None
    count: int | None = None
    note: str = ""

    def required_units(self, total_units: int) -> int:
        import math

        if self.count is not None:
            return int(self.count)
        return math.ceil((self.share_pct or 0.0) * total_units / 100 - 1e-9)


DEFAULT_TARGETS = (
    Target(2025, "ministry", share_pct=20.0, note="Bộ Công an giao"),
    Target(2030, "national", share_pct=50.0, note="Mức sàn toàn quốc"),
    Target(2030, "province", share_pct=100.0, note="Mục tiêu tỉnh không ma túy"),
)


# --- derived ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoFlags:
    """Which parts of what a page shows are illustrative ("DỮ LIỆU MINH HỌA"), decided per item.

    ``statuses``: the year's commune assessments carry the demo flag; ``routes``: a route in force
    that year does; ``targets``: a target used for that year does."""

    statuses: bool = False
    routes: bool = False
    targets: bool = False

    @property
    def any(self) -> bool:
        return self.statuses or self.routes or self.targets

    def __bool__(self) -> bool:  # "is anything shown illustrative?"
        return self.any

    @classmethod
    def of(cls, demo) -> "DemoFlags":
        """DemoFlags from DemoFlags, a bool (old callers: True = everything illustrative) or None."""
        if isinstance(demo, DemoFlags):
            return demo
        return cls(True, True, True) if demo else cls()


def is_key(a: Assessment | None) -> bool:
    """THE definition of a key commune ("xã trọng điểm phức tạp về ma túy"): a class I/II/III that
    year. A commune cannot also be recognised drug-free that year (:func:`contradiction`)."""
    return a is not None and a.complexity_class in CLASSES and not a.drug_free


def contradiction(a: Assessment) -> str | None:
    """Vietnamese reason when ``a`` breaks QĐ 28/2025 (drug-free and key in the same year), else None."""
    if a.drug_free and a.complexity_class in CLASSES:
        return (f"vừa được công nhận không ma túy vừa là địa bàn trọng điểm phức tạp loại {a.complexity_class} "
                "trong cùng một năm — trái tiêu chí QĐ 28/2025/QĐ-TTg (Điều 6): bỏ một trong hai")
    return None


def category(a: Assessment | None) -> str:
    if a is None:
        return CAT_NO_DATA
    if a.drug_free:
        return CAT_DRUG_FREE
    if a.complexity_class in CLASSES:
        return f"class_{a.complexity_class}"
    return CAT_OTHER


def per_thousand(count: float, population: int | None) -> float | None:
    return None if not population else 1000.0 * count / population


def class_i_criteria(a: Assessment, population: int | None, on_route: bool) -> dict[str, bool]:
    """Which of the five class I criteria the figures meet."""
    pop = population or 0
    return {
        "addicts_users": pop > 0 and (a.addicts + a.users) >= RATIO_ADDICTS_USERS * pop,
        "harbour_places": a.harbour_places >= MIN_HARBOUR_PLACES,
        "offenders": pop > 0 and a.offenders >= RATIO_OFFENDERS * pop,
        "plants": a.plants >= MIN_PLANTS or a.plant_area_m2 >= MIN_PLANT_AREA_M2,
        "on_route": bool(on_route),
    }


def consistency_warnings(a: Assessment, population: int | None, on_route: bool) -> list[str]:
    """Warnings (not errors) for figures that contradict the status. Vietnamese text."""
    out = []
    crit = class_i_criteria(a, population, on_route)
    if a.drug_free and crit["addicts_users"]:
        out.append("Đã công nhận không ma túy nhưng người nghiện + người sử dụng ≥ 0,5% dân số")
    if contradiction(a):  # the store and the importer refuse it; a warning for older callers
        out.append("Vừa được công nhận không ma túy vừa là địa bàn trọng điểm phức tạp")
    if a.drug_free and (a.spots or a.harbour_places):
        out.append("Đã công nhận không ma túy nhưng còn điểm, tụ điểm hoặc nơi chứa chấp")
    if a.complexity_class == "I" and sum(crit.values()) < CLASS_I_MIN_CRITERIA:
        out.append(f"Loại I nhưng chỉ đạt {sum(crit.values())}/5 tiêu chí (cần ít nhất {CLASS_I_MIN_CRITERIA})")
    if a.drug_free and not a.decision_no:
        out.append("Đã công nhận không ma túy nhưng thiếu số quyết định")
    return out


def share_pct(n: int, total: int) -> float:
    return 100.0 * n / total if total else 0.0


def is_key_category(cat) -> bool:
    """For frames (one ``category`` per commune): the same rule as :func:`is_key`."""
    return cat in KEY_CATEGORIES


def count_by_category(assessments: Iterable[Assessment | None], total_units: int | None = None) -> dict[str, int]:
    """Units per category. With ``total_units``, the units without an assessment count as no data."""
    counts = {c: 0 for c in CATEGORIES}
    n = 0
    for a in assessments:
        counts[category(a)] += 1
        n += a is not None
    if total_units is not None:
        counts[CAT_NO_DATA] = total_units - n
    return counts


def count_categories(cats: Iterable[str]) -> dict[str, int]:
    """Units per category from a column of category keys (a status frame's ``category``)."""
    counts = {c: 0 for c in CATEGORIES}
    for c in cats:
        c = c if isinstance(c, str) and c else CAT_NO_DATA
        counts[c] = counts.get(c, 0) + 1
    return counts


def key_count(counts: Mapping[str, int]) -> int:
    """Key communes in a counts dict (:func:`count_by_category`/:func:`count_categories`)."""
    return sum(int(counts.get(c, 0)) for c in KEY_CATEGORIES)


# --- the year's KPIs ---------------------------------------------------------------------------

GOAL_YEAR = YEARS[-1]
TARGET_PRIORITY = ("ministry", "province", "national")  # which target a year's KPI is measured against
TARGET_SCOPES = ("ministry", "national", "province")


def targets_by_year(targets: Iterable[Target]) -> dict[int, dict[str, Target]]:
    out: dict[int, dict[str, Target]] = {}
    for tg in targets:
        out.setdefault(tg.year, {})[tg.scope] = tg
    return out


def target_pct(tg: Target | None, total_units: int) -> float | None:
    if tg is None:
        return None
    return float(tg.share_pct) if tg.share_pct is not None else share_pct(tg.required_units(total_units), total_units)


def year_target(targets: Iterable[Target], year: int, total_units: int):
    """(target, scope, share %, units) ``year`` is measured against (:data:`TARGET_PRIORITY`), or Nones."""
    ts = targets_by_year(targets).get(year, {})
    for scope in TARGET_PRIORITY:
        tg = ts.get(scope)
        if tg is not None:
            return tg, scope, target_pct(tg, total_units), tg.required_units(total_units)
    return None, None, None, None


def goal_units(targets: Iterable[Target], total_units: int) -> int:
    """Units the province's 2030 goal requires (100 % when no province target is set)."""
    tg = targets_by_year(targets).get(GOAL_YEAR, {}).get("province")
    return tg.required_units(total_units) if tg is not None else total_units


def year_kpis(year: int, assessments: Mapping[str, Assessment], *, total_units: int, targets: Iterable[Target],
              routes_count: int, demo: DemoFlags | None = None) -> dict:
    """THE figures of one year (every card, legend total, slide and sheet shows these).

    ``assessments``: {code: Assessment} of the year; ``total_units``: communes in the province;
    ``targets``: all targets (the one used is chosen by :func:`year_target`); ``routes_count``: routes
    in force that year. Pure: no store, no boundaries."""
    targets = list(targets)
    items = list(assessments.values())
    by_cat = count_by_category(items, total_units)
    drug_free = by_cat[CAT_DRUG_FREE]
    by_class = {c: by_cat[f"class_{c}"] for c in CLASSES}
    share = share_pct(drug_free, total_units)
    _tg, scope, tpct, tunits = year_target(targets, year, total_units)
    goal = goal_units(targets, total_units)
    need_goal = max(0, goal - drug_free)
    remaining = [y for y in YEARS if y > year]
    per_year = []
    if remaining:
        base, extra = divmod(need_goal, len(remaining))
        per_year = [{"year": y, "needed": base + (1 if i < extra else 0)} for i, y in enumerate(remaining)]
    demo = demo or DemoFlags()
    return {
        "year": year,
        "total_units": total_units,
        "with_data": len(items),
        "drug_free": drug_free,
        "share_pct": share,
        "target_scope": scope,
        "target_pct": tpct,
        "target_units": tunits,
        "target": None if scope is None else {"scope": scope, "share_pct": tpct, "units": tunits},
        "diff_points": None if tpct is None else round(share - tpct, 10),
        "key_count": key_count(by_cat),
        "by_class": by_class,
        "by_category": by_cat,
        "routes_count": int(routes_count),
        "needed_for_target": None if tunits is None else max(0, tunits - drug_free),
        "goal_2030_units": goal,
        "needed_for_2030": need_goal,
        "per_year_needed": per_year,
        # what is illustrative (see geo.maps.demo_mark.demo_text): "demo" = anything is
        "demo": demo.any,
        "demo_flags": {"statuses": demo.statuses, "routes": demo.routes, "targets": demo.targets},
    }
