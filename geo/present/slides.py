"""The slide list: what a slideshow shows, in which order (data only, no HTML).

A slide is ``{"kind": "overview"|"route"|"key"|"progress"|"change", "arg": route id or None,
"title": optional override}``. The list is validated here (:class:`PresentError`, Vietnamese,
naming the slide and what is wrong; nothing stored) and persisted as the store setting
``present.slides`` (revisioned and audited by the store / :mod:`geo.service`).
"""

from __future__ import annotations

from .. import service
from ..i18n import t

KINDS = ("overview", "route", "key", "progress", "change")
SETTINGS_KEY = "present.slides"
MAX_SLIDES = 60
MAX_TITLE = 200


class PresentError(ValueError):
    """A slide list the app refuses (message in Vietnamese); nothing has been stored."""


def default_slides(store, year: int) -> list[dict]:
    """Overview → each route in force (store order) → key communes → progress → change (if the
    previous year has data too)."""
    slides = [{"kind": "overview", "arg": None, "title": None}]
    slides += [{"kind": "route", "arg": r.id, "title": None} for r in store.routes(year)]
    slides += [{"kind": "key", "arg": None, "title": None}, {"kind": "progress", "arg": None, "title": None}]
    have = set(store.years())
    if year in have and (year - 1) in have:
        slides.append({"kind": "change", "arg": None, "title": None})
    return slides


def validate_slides(store, slides) -> list[dict]:
    """The normalised list, or :class:`PresentError` naming the slide and what is wrong."""
    if not isinstance(slides, (list, tuple)):
        raise PresentError("Danh sách trang chiếu phải là một danh sách.")
    if not slides:
        raise PresentError("Danh sách trang chiếu đang trống: cần ít nhất một trang.")
    if len(slides) > MAX_SLIDES:
        raise PresentError(f"Quá nhiều trang chiếu ({len(slides)}); tối đa {MAX_SLIDES} trang.")
    route_ids = [r.id for r in store.routes()]
    out = []
    for i, s in enumerate(slides, start=1):
        where = f"Trang chiếu thứ {i}"
        if not isinstance(s, dict):
            raise PresentError(f"{where}: phải có dạng {{kind, arg, title}}.")
        extra = set(s) - {"kind", "arg", "title"}
        if extra:
            raise PresentError(f"{where}: trường không hợp lệ {', '.join(sorted(map(str, extra)))} "
                               "(chỉ có kind, arg, title).")
        kind = s.get("kind")
        if kind not in KINDS:
            raise PresentError(f"{where}: loại trang {kind!r} không hợp lệ. Các loại: {', '.join(KINDS)}.")
        arg = s.get("arg")
        arg = None if arg is None or (isinstance(arg, str) and not arg.strip()) else arg
        if kind == "route":
            if not isinstance(arg, str) or arg.strip() not in route_ids:
                known = ", ".join(route_ids) or "(chưa có tuyến nào)"
                raise PresentError(f"{where}: không có tuyến {arg!r}. Các tuyến có: {known}.")
            arg = arg.strip()
        elif arg is not None:
            raise PresentError(f"{where}: loại trang {kind!r} không nhận tham số (arg phải để trống).")
        title = s.get("title")
        if title is not None and not isinstance(title, str):
            raise PresentError(f"{where}: tiêu đề phải là chữ.")
        title = (title or "").strip() or None
        if title and len(title) > MAX_TITLE:
            raise PresentError(f"{where}: tiêu đề dài {len(title)} ký tự, tối đa {MAX_TITLE}.")
        out.append({"kind": kind, "arg": arg, "title": title})
    return out


def resolve_slides(store, year: int, slides) -> list[dict]:
    """The slides that can be shown for ``year``: a route not in force that year, or a change slide
    without data for the previous year, is left out."""
    in_force = {r.id for r in store.routes(year)}
    have = set(store.years())
    out = []
    for s in slides:
        if s["kind"] == "route" and s["arg"] not in in_force:
            continue
        if s["kind"] == "change" and not (year in have and year - 1 in have):
            continue
        out.append(s)
    return out


def load_slides(store) -> list[dict] | None:
    """The saved slide list, or None when nothing has been saved (or it is not a list)."""
    data = store.setting(SETTINGS_KEY)
    if not isinstance(data, list):
        return None
    return [{"kind": s.get("kind"), "arg": s.get("arg"), "title": s.get("title")} for s in data
            if isinstance(s, dict)]


def save_slides(store, slides, *, user: str, reason: str | None = None) -> list[dict]:
    """Validate then store the list as one revision with its audit entry; returns the normalised
    list. Nothing is stored when the list or the user is refused."""
    if not isinstance(user, str) or not user.strip():
        raise PresentError("Thiếu tên người lưu danh sách trang chiếu.")
    clean = validate_slides(store, slides)
    service.save_setting(store, SETTINGS_KEY, clean, user=user.strip(),
                         reason=reason or f"Lưu danh sách {len(clean)} trang chiếu")
    return clean


def slide_label(slide: dict, routes, lang: str = "vi") -> str:
    """Short text for editors and lists: "Tuyến: Quốc lộ 2", "Tổng quan toàn tỉnh", …"""
    if slide["kind"] == "route":
        name = next((r.name for r in routes if r.id == slide["arg"]), slide["arg"])
        return t("present.kind.route_named", lang, name=name)
    return t(f"present.kind.{slide['kind']}", lang)
