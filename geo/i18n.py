"""One ``t()`` helper for every label: Vietnamese first, English second; Vietnamese number formats.

    >>> t("kpi.drug_free", "vi")
    'Xã không ma túy'
    >>> fmt_pct(28.2258, "vi"), fmt_pct(28.2258, "en")
    ('28,2%', '28.2%')

Strings live in :data:`STRINGS` as key -> (vi, en). A missing English text falls back to the
Vietnamese one; a missing key raises, so typos are caught by tests.
"""

from __future__ import annotations

import datetime as dt

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

STRINGS: dict[str, tuple[str, str]] = {
    "app.title": ("Bản đồ xã không ma túy tỉnh Tuyên Quang", "Tuyên Quang drug-free communes map"),
    "app.subtitle": ("124 đơn vị hành chính cấp xã (từ 01/07/2025)",
                     "124 commune-level units (from 1 July 2025)"),
    "demo.mark": ("DỮ LIỆU MINH HỌA", "DỮ LIỆU MINH HỌA (illustrative data)"),
    "demo.notice": ("Dữ liệu trạng thái trên bản đồ là dữ liệu minh họa do máy sinh ra, không phải số liệu thật.",
                    "The status data shown is machine-generated illustrative data, not real figures."),
    "lang.label": ("Ngôn ngữ", "Language"),
    "map.communes": ("Xã, phường", "Communes and wards"),
    "map.province": ("Ranh giới tỉnh", "Province boundary"),
    "map.border": ("Biên giới Việt – Trung (suy ra từ bản đồ hành chính)",
                   "Vietnam–China border (derived from the administrative map)"),
    "map.roads": ("Quốc lộ (tham khảo)", "National roads (indicative)"),
    "map.former_districts": ("Huyện cũ (trước 01/07/2025)", "Former districts (before 1 July 2025)"),
    "map.routes": ("Tuyến trọng điểm", "Priority routes"),
    "map.basemap": ("Nền bản đồ (cần mạng)", "Basemap (needs internet)"),
    "field.name": ("Tên", "Name"),
    "field.code": ("Mã", "Code"),
    "field.kind": ("Loại", "Type"),
    "field.population": ("Dân số", "Population"),
    "field.area": ("Diện tích (km²)", "Area (km²)"),
    "field.old_province": ("Tỉnh cũ", "Former province"),
    "field.former_districts": ("Huyện cũ", "Former districts"),
    "nav.overview": ("Tổng quan", "Overview"),
    "nav.sources": ("Nguồn dữ liệu", "Data sources"),
    "sources.title": ("Nguồn dữ liệu", "Data sources"),
    "sources.built": ("Dữ liệu ranh giới dựng lúc", "Boundary data built at"),
    "kpi.drug_free": ("Xã không ma túy", "Drug-free communes"),
    "kpi.target": ("Chỉ tiêu năm", "This year's target"),
    "kpi.key": ("Xã trọng điểm phức tạp", "Key complex communes"),
    "kpi.routes": ("Tuyến trọng điểm", "Priority routes"),
    "kpi.needed_2030": ("Còn cần đến 2030", "Still needed by 2030"),
    "sheet.title": ("Tình hình xây dựng xã không ma túy năm {year}", "Drug-free communes, {year}"),
    "sheet.year": ("Năm", "Year"),
    "sheet.date": ("Ngày in", "Printed"),
    "sheet.legend": ("Chú giải", "Legend"),
    "sheet.sources": ("Nguồn dữ liệu", "Data sources"),
    # maps (geo/maps/*)
    "map.tip.category": ("Phân loại", "Category"),
    "map.tip.class": ("Trọng điểm phức tạp", "Key complex area"),
    "map.tip.class_n": ("Loại {n}", "Class {n}"),
    "map.tip.decision": ("Quyết định công nhận", "Recognition decision"),
    "map.tip.dated": ("ngày", "of"),
    "map.tip.routes": ("Tuyến trọng điểm", "Priority routes"),
    "map.tip.note": ("Ghi chú", "Note"),
    "map.tip.change": ("Thay đổi {a}→{b}", "Change {a}→{b}"),
    "map.route.id": ("Mã tuyến", "Route id"),
    "map.route.corridor": ("Hành lang", "Corridor"),
    "map.border.short": ("Biên giới Việt Nam – Trung Quốc", "Vietnam–China border"),
    "map.border.derived": ("Suy ra từ ranh giới hành chính, không phải đường biên giới đo đạc chính thức.",
                           "Derived from the administrative boundaries, not a surveyed boundary line."),
    "map.border.legend": ("Biên giới Việt – Trung (suy ra, không đo đạc)",
                          "Vietnam–China border (derived, not surveyed)"),
    "legend.title": ("Phân loại địa bàn cấp xã", "Commune status"),
    "legend.total": ("Tổng số đơn vị", "Total units"),
    "legend.year": ("Năm {year}", "Year {year}"),
    "legend.route": ("Các xã trên tuyến {name}", "Communes on route {name}"),
    "legend.key": ("Xã trọng điểm phức tạp ({n})", "Key complex communes ({n})"),
    "legend.commune": ("{name} và các xã giáp ranh", "{name} and its neighbours"),
    "legend.change": ("Thay đổi {a} → {b}", "Change {a} → {b}"),
    # standalone HTML export (geo/export/html.py)
    "export.title.overview": ("Bản đồ xã không ma túy tỉnh Tuyên Quang năm {year}",
                              "Tuyên Quang drug-free communes, {year}"),
    "export.title.route": ("Tuyến trọng điểm {name} – năm {year}", "Priority route {name}, {year}"),
    "export.title.key": ("Xã trọng điểm phức tạp về ma túy năm {year}", "Key complex communes, {year}"),
    "export.title.commune": ("{name} – năm {year}", "{name}, {year}"),
    "export.title.change": ("Thay đổi {a} → {b}", "Change {a} → {b}"),
    "export.year": ("Năm số liệu", "Data year"),
    "export.date": ("Ngày xuất", "Exported"),
    "export.sources": ("Nguồn dữ liệu", "Data sources"),
    "export.offline": ("Tệp độc lập, mở được không cần mạng.", "Self-contained file, works offline."),
}


def t(key: str, lang: str = DEFAULT_LANG, **kwargs) -> str:
    vi, en = STRINGS[key]
    text = en if lang == "en" and en else vi
    return text.format(**kwargs) if kwargs else text


def _group(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def fmt_int(n: int | float | None, lang: str = DEFAULT_LANG) -> str:
    """1858056 -> '1.858.056' (vi) / '1,858,056' (en)."""
    if n is None:
        return "–"
    return _group(int(round(n)), "." if lang == "vi" else ",")


def fmt_num(x: float | None, decimals: int = 1, lang: str = DEFAULT_LANG) -> str:
    """28.2258 -> '28,2' (vi) / '28.2' (en), with thousands grouped."""
    if x is None:
        return "–"
    s = f"{x:,.{decimals}f}"
    if lang == "vi":
        s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return s


def fmt_pct(x: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A percentage already in 0–100: 28.2258 -> '28,2%'."""
    return "–" if x is None else fmt_num(x, decimals, lang) + "%"


def fmt_points(x: float, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A difference in percentage points with its sign: 8.2 -> '+8,2 điểm %'."""
    sign = "+" if x > 0 else ("−" if x < 0 else "±")
    unit = "điểm %" if lang == "vi" else "pts"
    return f"{sign}{fmt_num(abs(x), decimals, lang)} {unit}"


def fmt_date(d: dt.date | str | None, lang: str = DEFAULT_LANG) -> str:
    """2026-02-04 -> '04/02/2026' (vi) / '4 Feb 2026' (en)."""
    if d is None or d == "":
        return "–"
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    return d.strftime("%d/%m/%Y") if lang == "vi" else f"{d.day} {d.strftime('%b %Y')}"
