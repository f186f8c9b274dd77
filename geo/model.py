"""The programme's data model: assessments per commune and year, routes, targets; derived values.

Terms follow Quyết định 28/2025/QĐ-TTg (criteria) and Hướng dẫn 37/HD-BCA (review procedure).
Only commune-level aggregates are held here: never data about a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from typing import Iterable

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

CATEGORY_LABELS = {  # (vi, en)
    CAT_DRUG_FREE: ("Đã công nhận không ma túy", "Recognised drug-free"),
    CAT_CLASS_I: ("Trọng điểm phức tạp loại I", "Key complex area, class I"),
    CAT_CLASS_II: ("Trọng điểm phức tạp loại II", "Key complex area, class II"),
    CAT_CLASS_III: ("Trọng điểm phức tạp loại III", "Key complex area, class III"),
    CAT_OTHER: ("Chưa đạt", "Not yet drug-free"),
    CAT_NO_DATA: ("Chưa có dữ liệu", "No data"),
}
def __getattr__(name):  # the palette lives in geo.maps.style (look helper); kept here as an alias
    if name == "CATEGORY_COLOURS":
        from .maps.style import CATEGORY_COLOURS
        return CATEGORY_COLOURS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Class I criteria thresholds (QĐ 28/2025/QĐ-TTg): at least 3 of 5 must be met.
CLASS_I_MIN_CRITERIA = 3
RATIO_ADDICTS_USERS = 0.005  # registered addicts + users >= 0.5 % of residents
MIN_HARBOUR_PLACES = 2  # places organising or harbouring illegal use
RATIO_OFFENDERS = 0.001  # offenders arrested >= 0.1 % of residents
MIN_PLANTS = 3000
MIN_PLANT_AREA_M2 = 750.0

# Indicator columns (all non-negative integers, except plant area in m²), with (vi, en) labels.
INDICATORS: dict[str, tuple[str, str]] = {
    "addicts": ("Người nghiện có hồ sơ quản lý", "Registered addicts"),
    "users": ("Người sử dụng trái phép chất ma túy", "Illegal drug users"),
    "post_rehab": ("Người sau cai nghiện", "Post-rehabilitation persons"),
    "spots": ("Điểm, tụ điểm", "Drug spots and hotspots"),
    "harbour_places": ("Nơi tổ chức, chứa chấp sử dụng", "Places organising/harbouring use"),
    "cases": ("Số vụ", "Cases"),
    "offenders": ("Số đối tượng bị bắt", "Offenders arrested"),
    "plants": ("Số cây có chất ma túy", "Narcotic plants (count)"),
    "plant_area_m2": ("Diện tích cây có chất ma túy (m²)", "Narcotic plants (m²)"),
}


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
        """A key commune ("xã trọng điểm phức tạp về ma túy") is one with a class."""
        return self.complexity_class in CLASSES

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
    if a.drug_free and a.is_key:
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


def count_by_category(assessments: Iterable[Assessment | None]) -> dict[str, int]:
    counts = {c: 0 for c in CATEGORIES}
    for a in assessments:
        counts[category(a)] += 1
    return counts
