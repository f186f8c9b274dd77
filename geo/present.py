"""Presentation mode (Trình chiếu): a full-screen slideshow for the briefing-room projector.

    slides = load_slides(store) or default_slides(store, 2025)
    page = slides_html(store, 2025, slides, lang="vi", auto_advance_s=None)   # ONE offline .html
    save_slides(store, slides, user="lan")                                      # validated, or PresentError

A slide is ``{"kind": "overview"|"route"|"key"|"progress"|"change", "arg": route id or None,
"title": optional override}``.

How the page is made: every map slide is the app's own folium view (:mod:`geo.maps.views`, built
with ``app=False``), rendered once; its ``<style>`` blocks are merged (deduplicated), its map
``<div>`` goes into the slide and its script is wrapped in a function that the deck calls the
first time the slide is shown (so Leaflet measures a visible container; ``invalidateSize`` and a
re-fit on every later show). Leaflet's JS and CSS are inlined once for the whole deck. The
compact-encoded geometry strings, identical from one slide to the next, are stored once in
``window.tqG`` and referenced by index, so nine maps cost little more than one. No layer, legend
or tooltip logic is written here: only the slide frame (title bar, year and date, demo mark,
KPI panel, the progress chart as inline SVG, navigation).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re

from .i18n import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_points, t
from .maps.compact import script_json

from .store import migrations

KINDS = ("overview", "route", "key", "progress", "change")
SETTINGS_KEY = "present.slides"
SCHEMA_VERSION = 20
MAX_SLIDES = 60
MAX_TITLE = 200
SETTINGS_SQL = """
CREATE TABLE IF NOT EXISTS settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL,                   -- JSON
    user  TEXT NOT NULL,
    at    TEXT NOT NULL                    -- UTC ISO 8601
);
"""
if not any(v == SCHEMA_VERSION for v, _ in migrations.MIGRATIONS):
    migrations.register(SCHEMA_VERSION, SETTINGS_SQL)


class PresentError(ValueError):
    """A slide list the app refuses (message in Vietnamese); nothing has been stored."""


# --- the slide list --------------------------------------------------------------------------


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


def _ensure_table(store) -> None:
    """The settings table, also on a store opened before this module registered its migration."""
    with store._lock:
        migrations.migrate(store._conn)


def load_slides(store) -> list[dict] | None:
    """The saved slide list, or None when nothing has been saved."""
    _ensure_table(store)
    rows = store._q("SELECT value FROM settings WHERE key = ?", (SETTINGS_KEY,))
    if not rows:
        return None
    try:
        data = json.loads(rows[0][0])
    except ValueError:
        return None
    return [{"kind": s.get("kind"), "arg": s.get("arg"), "title": s.get("title")} for s in data
            if isinstance(s, dict)]


def save_slides(store, slides, *, user: str) -> list[dict]:
    """Validate then store the list (one transaction); returns the normalised list."""
    if not isinstance(user, str) or not user.strip():
        raise PresentError("Thiếu tên người lưu danh sách trang chiếu.")
    clean = validate_slides(store, slides)
    _ensure_table(store)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    value = json.dumps(clean, ensure_ascii=False)
    with store._tx() as c:
        c.execute("INSERT INTO settings(key, value, user, at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE "
                  "SET value = excluded.value, user = excluded.user, at = excluded.at",
                  (SETTINGS_KEY, value, user.strip(), now))
    return clean


def slide_label(slide: dict, routes, lang: str = "vi") -> str:
    """Short text for editors and lists: "Tuyến QL2", "Tổng quan", …"""
    if slide["kind"] == "route":
        name = next((r.name for r in routes if r.id == slide["arg"]), slide["arg"])
        return t("present.kind.route_named", lang, name=name)
    return t(f"present.kind.{slide['kind']}", lang)


# --- the page --------------------------------------------------------------------------------

_SHARED = re.compile(r'"\\u0000(\d+)\\u0000"')
MIN_SHARED = 40  # strings at least this long are stored once per deck
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_FIT = re.compile(r"\.fitBounds\(\s*(\[\[[^\]]*\],\s*\[[^\]]*\]\])", re.S)


def _route_title(route, lang: str) -> str:
    """The route's name as the title; "Tuyến …" added only when the name does not say it."""
    from .text import fold

    name = (route.name or route.id).strip()
    return name if fold(name).startswith(("tuyen", "route")) else t("present.title.route", lang, name=name)


def _pct(x: float | None, lang: str) -> str:
    if x is None:
        return "–"
    return fmt_pct(x, lang, decimals=0) if abs(x - round(x)) < 1e-9 else fmt_pct(x, lang)


class _Deck:
    """Collects the pieces of every slide, then writes the page."""

    def __init__(self):
        self.styles: list[str] = []
        self.head_scripts: list[str] = []
        self.geo: dict[str, int] = {}
        self.makers: list[str] = []
        self.sections: list[str] = []
        self.titles: list[str] = []

    def _ref(self, text):
        """A placeholder for ``text`` in the shared table (long strings only)."""
        if not isinstance(text, str) or len(text) < MIN_SHARED:
            return text
        return f"\x00{self.geo.setdefault(text, len(self.geo))}\x00"

    def _share(self, m) -> None:
        """Move the compact layers' geometry strings and tooltips into the deck's shared table
        (they repeat from slide to slide); the rendered script then reads ``tqG[i]``."""
        from .maps.compact import CompactGeoJson

        stack = [m]
        while stack:
            el = stack.pop()
            stack.extend(getattr(el, "_children", {}).values())
            if not isinstance(el, CompactGeoJson) or getattr(el, "_tq_shared", False):
                continue
            data = json.loads(el.data_json)
            for f in data:
                f[1] = [[self._ref(r) for r in part] if isinstance(part, list) else self._ref(part) for part in f[1]]
                if isinstance(f[2], dict) and "tip" in f[2]:
                    f[2]["tip"] = self._ref(f[2]["tip"])
            el.data_json = script_json(data)
            el._tq_shared = True

    def add_map(self, m) -> tuple[str, int]:
        """(map div HTML, maker index) for a folium map built with ``app=False``."""
        from .export.html import _clear_cdn

        _clear_cdn(m)
        self._share(m)
        page = m.get_root().render()
        head = page[page.index("<head>"):page.index("</head>")]
        for s in _STYLE.findall(head):
            if s not in self.styles:
                self.styles.append(s)
        for s in _SCRIPT.findall(head):
            if s not in self.head_scripts:
                self.head_scripts.append(s)
        body = page[page.index("<body>") + 6:page.index("</body>")].strip()
        script = page[page.rindex("<script>") + 8:page.rindex("</script>")]
        script = _SHARED.sub(lambda mm: f"tqG[{mm.group(1)}]", script)
        fit = _FIT.search(script)
        name = m.get_name()
        self.makers.append(f"function () {{\n{script}\nreturn {{map: {name}, fit: {fit.group(1) if fit else 'null'}}};\n}}")
        return body, len(self.makers) - 1


def _header(title: str, subtitle: str, year: int, date: dt.date, lang: str, demo: bool) -> str:
    e = html.escape
    demo_html = (f'<div class="tq-s-demo" role="note"><b>{e(t("demo.mark", "vi"))}</b>'
                 f'<span>{e(t("present.demo_short", lang))}</span></div>') if demo else ""
    return (f'<header class="tq-s-bar"><div class="tq-s-ttl"><h1>{e(title)}</h1>'
            f'<div class="tq-s-sub">{e(subtitle)}</div></div>{demo_html}'
            f'<div class="tq-s-when"><div class="tq-s-year">{e(t("present.year", lang, year=year))}</div>'
            f'<div class="tq-s-date">{e(t("present.date", lang, date=fmt_date(date, lang)))}</div></div></header>')


def _stat(big: str, label: str, cls: str = "", note: str = "") -> str:
    e = html.escape
    n = f'<div class="tq-k-note">{e(note)}</div>' if note else ""
    return (f'<div class="tq-k {cls}"><div class="tq-k-big">{e(big)}</div>'
            f'<div class="tq-k-lbl">{e(label)}</div>{n}</div>')


def _overview_panel(k: dict, lang: str) -> str:
    parts = [_stat(f'{k["drug_free"]}/{k["total_units"]}', t("present.kpi.drug_free", lang), "tq-k-green")]
    note = ""
    if k["diff_points"] is not None:
        note = t("present.kpi.vs_target", lang, diff=fmt_points(k["diff_points"], lang),
                 scope=t(f"present.scope.{k['target_scope']}", lang), pct=_pct(k["target_pct"], lang))
    parts.append(_stat(fmt_pct(k["share_pct"], lang), t("present.kpi.share", lang), "tq-k-green", note))
    bc = k["by_class"]
    parts.append(_stat(fmt_int(k["key_count"], lang), t("present.kpi.key", lang), "tq-k-red",
                       t("present.kpi.classes", lang, a=bc.get("I", 0), b=bc.get("II", 0), c=bc.get("III", 0))))
    parts.append(_stat(fmt_int(k["routes_count"], lang), t("present.kpi.routes", lang), "tq-k-blue"))
    parts.append(_stat(fmt_int(k["needed_for_2030"], lang), t("present.kpi.needed", lang), "tq-k-grey",
                       t("present.kpi.goal", lang, n=k["goal_2030_units"])))
    return '<aside class="tq-s-side tq-kpis">' + "".join(parts) + "</aside>"


def _route_panel(row: dict | None, lang: str) -> str:
    if row is None:
        return '<aside class="tq-s-side"></aside>'
    parts = [
        _stat(fmt_int(row["communes"], lang), t("present.route.communes", lang), "tq-k-blue",
              t("present.route.width", lang, km=fmt_num(row["half_width_km"], 1, lang))),
        _stat(fmt_num(row["length_km"], 1, lang) + " km", t("present.route.length", lang), "tq-k-grey"),
        _stat(fmt_int(row["drug_free"], lang), t("present.kpi.drug_free_short", lang), "tq-k-green"),
        _stat(fmt_int(row["key"], lang), t("present.kpi.key", lang), "tq-k-red",
              t("present.kpi.classes", lang, a=row["class_I"], b=row["class_II"], c=row["class_III"])),
        _stat(fmt_int(row["population"], lang), t("present.route.population", lang), "tq-k-grey"),
    ]
    return '<aside class="tq-s-side tq-kpis">' + "".join(parts) + "</aside>"


def _key_panel(k: dict, lang: str) -> str:
    bc = k["by_class"]
    parts = [_stat(fmt_int(k["key_count"], lang), t("present.kpi.key", lang), "tq-k-red")]
    for c, cls in (("I", "tq-k-red"), ("II", "tq-k-orange"), ("III", "tq-k-yellow")):
        parts.append(_stat(fmt_int(bc.get(c, 0), lang), t("present.key.class", lang, c=c), cls))
    return '<aside class="tq-s-side tq-kpis">' + "".join(parts) + "</aside>"


def _change_panel(counts: dict, lang: str) -> str:
    from .maps import changes

    cls = {changes.NEWLY_DRUG_FREE: "tq-k-green", changes.LOST_DRUG_FREE: "tq-k-red",
           changes.NEWLY_KEY: "tq-k-orange", changes.NO_LONGER_KEY: "tq-k-blue", changes.UNCHANGED: "tq-k-grey"}
    parts = [_stat(fmt_int(counts.get(c, 0), lang), changes.CHANGE_LABELS[c][1 if lang == "en" else 0], cls[c])
             for c in changes.CHANGES]
    return '<aside class="tq-s-side tq-kpis">' + "".join(parts) + "</aside>"


# --- the progress chart (inline SVG) ---------------------------------------------------------

TARGET_STYLES = {  # scope -> (colour, dash, marker)
    "ministry": ("#b71c1c", "10 7", "square"),
    "national": ("#6a1b9a", "3 6", "diamond"),
    "province": ("#0d47a1", "", "circle"),
}


def progress_svg(prog, lang: str = "vi", *, width: int = 1240, height: int = 720) -> str:
    """Bars of the drug-free share by year and the target series (Ministry, national, province),
    every value labelled in the language's format. ``prog`` is :func:`geo.status.progress`."""
    e = html.escape
    ml, mr, mt, mb = 96, 40, 92, 78
    pw, ph = width - ml - mr, height - mt - mb
    years = [int(y) for y in prog["year"]]
    step = pw / len(years)

    def x(i: int) -> float:
        return ml + step * (i + 0.5)

    def y(v: float) -> float:
        return mt + ph * (1 - v / 100)

    out = [f'<svg class="tq-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{e(t("present.chart.aria", lang))}">']
    for v in range(0, 101, 20):
        out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#d0d4da" stroke-width="1.5"/>')
        out.append(f'<text x="{ml - 14}" y="{y(v) + 8:.1f}" text-anchor="end" class="tq-c-ax">{e(_pct(v, lang))}</text>')
    out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{y(0)}" y2="{y(0)}" stroke="#333" stroke-width="2"/>')
    bw = min(110, step * 0.5)
    for i, (yr, has, share) in enumerate(zip(years, prog["has_data"], prog["share_pct"])):
        out.append(f'<text x="{x(i):.1f}" y="{mt + ph + 40}" text-anchor="middle" class="tq-c-yr">{yr}</text>')
        if has and share == share:
            top = y(float(share))
            out.append(f'<rect class="tq-c-bar" data-year="{yr}" x="{x(i) - bw / 2:.1f}" y="{top:.1f}" width="{bw:.1f}" '
                       f'height="{y(0) - top:.1f}" fill="#2e7d32"/>')
            out.append(f'<text x="{x(i):.1f}" y="{top - 12:.1f}" text-anchor="middle" class="tq-c-val" '
                       f'fill="#1b5e20">{e(fmt_pct(float(share), lang))}</text>')
    legend = [("bar", "#2e7d32", "", t("progress.actual", lang))]
    for scope, (colour, dash, marker) in TARGET_STYLES.items():
        col = prog[f"target_{scope}_pct"]
        pts = [(i, float(v)) for i, v in enumerate(col) if v == v and v is not None]
        if not pts:
            continue
        legend.append((marker, colour, dash, t(f"progress.target_{scope}", lang)))
        if len(pts) > 1:
            d = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in pts)
            out.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="4" '
                       f'stroke-dasharray="{dash}"/>')
        for i, v in pts:
            out.append(_marker(marker, x(i), y(v), colour, scope, years[i]))
            out.append(f'<text x="{x(i) + bw / 2 + 10:.1f}" y="{y(v) + 8:.1f}" '
                       f'class="tq-c-tv" fill="{colour}">{e(_pct(v, lang))}</text>')
    lx = ml
    for kind, colour, dash, label in legend:
        if kind == "bar":
            out.append(f'<rect x="{lx}" y="22" width="30" height="24" fill="{colour}"/>')
        else:
            out.append(f'<line x1="{lx - 4}" x2="{lx + 34}" y1="34" y2="34" stroke="{colour}" stroke-width="4" '
                       f'stroke-dasharray="{dash}"/>' + _marker(kind, lx + 15, 34, colour, "", 0))
        out.append(f'<text x="{lx + 44}" y="42" class="tq-c-lg">{e(label)}</text>')
        lx += 60 + 12.5 * len(label)
    out.append("</svg>")
    return "".join(out)


def _marker(kind: str, cx: float, cy: float, colour: str, scope: str, year: int) -> str:
    attrs = f'fill="{colour}" stroke="#fff" stroke-width="2" class="tq-c-pt" data-scope="{scope}" data-year="{year}"'
    if kind == "square":
        return f'<rect x="{cx - 9:.1f}" y="{cy - 9:.1f}" width="18" height="18" {attrs}/>'
    if kind == "diamond":
        return f'<path d="M{cx:.1f},{cy - 12:.1f} L{cx + 12:.1f},{cy:.1f} L{cx:.1f},{cy + 12:.1f} L{cx - 12:.1f},{cy:.1f} Z" {attrs}/>'
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="10" {attrs}/>'


def _progress_panel(k: dict, lang: str) -> str:
    e = html.escape
    rows = "".join(f'<tr><td>{p["year"]}</td><td>{e(fmt_int(p["needed"], lang))}</td></tr>'
                   for p in k["per_year_needed"])
    table = (f'<table class="tq-need"><thead><tr><th>{e(t("ui.year", lang))}</th>'
             f'<th>{e(t("progress.needed", lang))}</th></tr></thead><tbody>{rows}</tbody></table>') if rows else ""
    return ('<aside class="tq-s-side tq-kpis">'
            + _stat(fmt_int(k["needed_for_2030"], lang), t("present.kpi.needed", lang), "tq-k-grey",
                    t("present.kpi.goal", lang, n=k["goal_2030_units"]))
            + f'<div class="tq-k"><div class="tq-k-lbl">{e(t("present.progress.per_year", lang))}</div>{table}</div>'
            + "</aside>")


# --- assembling ------------------------------------------------------------------------------


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


def slides_html(store, year: int, slides, *, lang: str = "vi", date: dt.date | None = None,
                auto_advance_s: float | None = None) -> str:
    """The whole slideshow as ONE self-contained HTML document (no request to any host)."""
    from . import status
    from .export.html import _EXTERNAL, ExportError
    from .maps import assets, changes, views

    slides = resolve_slides(store, year, validate_slides(store, slides))
    if not slides:
        raise PresentError(f"Không có trang chiếu nào hiển thị được cho năm {year}.")
    date = date or dt.date.today()
    demo = bool(store.is_demo(year))
    frame = status.status_frame(store, year)
    routes = store.routes(year)
    k = status.kpis(store, year)
    deck = _Deck()
    subtitle_base = t("present.subtitle", lang)
    summary = None
    for s in slides:
        kind, arg = s["kind"], s["arg"]
        body_map = side = ""
        if kind == "overview":
            title = t("present.title.overview", lang, year=year)
            m = views.overview_map(frame, routes, year=year, lang=lang, demo=False, app=False)
            side = _overview_panel(k, lang)
        elif kind == "route":
            route = next(r for r in routes if r.id == arg)
            title = _route_title(route, lang)
            m = views.route_map(frame, routes, arg, year=year, lang=lang, demo=False, app=False)
            if summary is None:
                summary = {r["id"]: r for r in status.route_summary(store, year).to_dict("records")}
            side = _route_panel(summary.get(arg), lang)
        elif kind == "key":
            title = t("present.title.key", lang, year=year)
            m = views.key_map(frame, routes, year=year, lang=lang, demo=False, app=False)
            side = _key_panel(k, lang)
        elif kind == "change":
            title = t("present.title.change", lang, a=year - 1, b=year)
            cf = changes.change_frame(status.status_frame(store, year - 1), frame)
            m = views.change_map(cf, year_from=year - 1, year_to=year, lang=lang, demo=False, routes=routes,
                                 app=False)
            side = _change_panel(changes.count_changes(cf), lang)
        else:
            title = t("present.title.progress", lang)
            m = None
            body_map = f'<div class="tq-s-chart">{progress_svg(status.progress(store), lang)}</div>'
            side = _progress_panel(k, lang)
        title = s["title"] or title
        maker = -1
        if m is not None:
            div, maker = deck.add_map(m)
            body_map = f'<div class="tq-s-map">{div}</div>'
        n = len(deck.sections)
        deck.titles.append(title)
        deck.sections.append(
            f'<section class="tq-slide" id="tq-slide-{n}" data-kind="{kind}" data-maker="{maker}" '
            f'aria-roledescription="slide" aria-label="{n + 1}/{len(slides)}" hidden>'
            + _header(title, subtitle_base, year, date, lang, demo)
            + f'<div class="tq-s-body">{body_map}{side}</div></section>')
    page = _page(deck, year=year, lang=lang, date=date, demo=demo, auto_advance_s=auto_advance_s,
                 leaflet_js=assets.inline_js(), leaflet_css=assets.inline_css())
    bad = _EXTERNAL.findall(page)
    if bad:
        raise ExportError("Trang trình chiếu còn tham chiếu tài nguyên bên ngoài: " + ", ".join(bad[:3]))
    return page


DECK_CSS = """
:root { --navy:#0b2545; --ink:#111; --paper:#f4f1ea; }
html, body { margin:0; padding:0; width:100%; height:100%; overflow:hidden; background:#000; }
body { font-family:"Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif; color:var(--ink); }
.tq-slide { position:absolute; inset:0 0 64px 0; display:flex; flex-direction:column; background:#fff; }
.tq-slide[hidden] { display:none; }
.tq-s-bar { display:flex; align-items:center; gap:28px; background:var(--navy); color:#fff; padding:16px 32px 16px 36px;
  min-height:92px; box-sizing:border-box; border-bottom:6px solid #c9a227; }
.tq-s-ttl { flex:1; min-width:0; }
.tq-s-ttl h1 { margin:0; font-size:40px; line-height:1.15; font-weight:700; letter-spacing:.005em; }
.tq-s-sub { font-size:21px; color:#d9e2ec; margin-top:4px; }
.tq-s-when { text-align:right; white-space:nowrap; }
.tq-s-year { font-size:36px; font-weight:800; line-height:1.1; }
.tq-s-date { font-size:21px; color:#d9e2ec; margin-top:2px; }
.tq-s-demo { background:#fff3e0; color:#b71c1c; border:4px solid #b71c1c; border-radius:4px; padding:6px 16px;
  text-align:center; max-width:360px; }
.tq-s-demo b { display:block; font-size:30px; font-weight:900; letter-spacing:.06em; line-height:1.1; }
.tq-s-demo span { display:block; font-size:15px; color:#5d1010; }
.tq-s-body { flex:1; display:flex; min-height:0; }
.tq-s-map { flex:1; position:relative; min-width:0; background:var(--paper); }
.tq-s-map .folium-map { position:absolute !important; inset:0; width:100% !important; height:100% !important; }
.tq-s-chart { flex:1; display:flex; align-items:center; justify-content:center; padding:20px 28px; min-width:0; }
.tq-chart { width:100%; height:100%; max-height:100%; }
.tq-c-ax { font-size:22px; fill:#333; } .tq-c-yr { font-size:26px; font-weight:700; fill:#111; }
.tq-c-val { font-size:28px; font-weight:800; } .tq-c-tv { font-size:23px; font-weight:700; }
.tq-c-lg { font-size:22px; fill:#111; }
.tq-s-side { width:440px; flex:none; background:#f7f8fa; border-left:1px solid #cfd6de; padding:22px 26px;
  box-sizing:border-box; overflow:hidden; display:flex; flex-direction:column; gap:14px; }
.tq-k { background:#fff; border:1px solid #d5dbe2; border-left:10px solid #8795a1; border-radius:4px; padding:clamp(6px, 1.1vh, 12px) 16px; }
.tq-k-big { font-size:clamp(30px, 4.6vh, 50px); font-weight:800; line-height:1.05; font-variant-numeric:tabular-nums; color:#102a43; }
.tq-k-lbl { font-size:clamp(17px, 2vh, 22px); font-weight:600; color:#243b53; margin-top:2px; }
.tq-k-note { font-size:20px; color:#1b5e20; font-weight:700; margin-top:4px; }
.tq-k-green { border-left-color:#2e7d32; } .tq-k-green .tq-k-big { color:#1b5e20; }
.tq-k-red { border-left-color:#c62828; } .tq-k-red .tq-k-big { color:#b71c1c; } .tq-k-red .tq-k-note { color:#333; }
.tq-k-orange { border-left-color:#ef6c00; } .tq-k-yellow { border-left-color:#f9a825; }
.tq-k-blue { border-left-color:#1565c0; } .tq-k-blue .tq-k-note, .tq-k-grey .tq-k-note { color:#333; }
.tq-need { border-collapse:collapse; width:100%; margin-top:8px; font-size:22px; }
.tq-need th, .tq-need td { border-bottom:1px solid #d5dbe2; padding:5px 8px; text-align:left; }
.tq-need td:last-child, .tq-need th:last-child { text-align:right; font-weight:700; font-variant-numeric:tabular-nums; }
/* the maps' own panels, larger for a projector */
.tq-slide .tq-legend { font-size:18px; max-width:430px; min-width:300px; }
.tq-slide .tq-legend h4 { font-size:20px; }
.tq-slide .tq-legend .tq-sub { font-size:16px; }
.tq-slide .tq-sw { width:30px; height:21px; font-size:13px; }
.tq-slide .tq-sw-line span { width:30px; }
.tq-slide .tq-tip { font-size:17px; max-width:420px; } .tq-slide .tq-tip b { font-size:18px; }
.tq-slide .leaflet-control-layers { display:none; }
.tq-slide .leaflet-control-scale-line { font-size:15px; }
#tq-nav { position:fixed; left:0; right:0; bottom:0; height:64px; background:var(--navy); color:#fff; display:flex;
  align-items:center; gap:12px; padding:0 22px; box-sizing:border-box; font-size:18px; z-index:2000; }
#tq-nav .tq-credit { flex:1; color:#bcccdc; font-size:15px; overflow:hidden; white-space:nowrap; text-overflow:ellipsis; }
#tq-nav button { font:inherit; font-size:20px; font-weight:700; background:#fff; color:var(--navy); border:2px solid #fff;
  border-radius:4px; padding:6px 16px; cursor:pointer; }
#tq-nav button:hover { background:#d9e2ec; }
#tq-nav button:focus-visible { outline:3px solid #c9a227; outline-offset:2px; }
#tq-nav button[disabled] { opacity:.45; cursor:default; }
#tq-counter { font-size:26px; font-weight:800; min-width:90px; text-align:center; font-variant-numeric:tabular-nums; }
"""

DECK_JS = """
(function () {
  var cfg = %(cfg)s;
  // no zoom animation: a slide's map is drawn at its final view at once (projector, screenshots, tests)
  L.Map.mergeOptions({zoomAnimation: false, fadeAnimation: false});
  var slides = Array.prototype.slice.call(document.querySelectorAll(".tq-slide"));
  var made = {}, cur = -1, timer = null;
  var counter = document.getElementById("tq-counter");
  var prevB = document.getElementById("tq-prev"), nextB = document.getElementById("tq-next");
  var playB = document.getElementById("tq-play"), fsB = document.getElementById("tq-fs");
  function sizeKey(el) { return el.clientWidth + "x" + el.clientHeight; }
  function showMap(i) {
    var k = +slides[i].getAttribute("data-maker");
    if (k < 0) return;
    var box = slides[i].querySelector(".tq-s-map");
    if (!made[i]) {
      var r = window.tqMakers[k]();
      if (r.map.keyboard) r.map.keyboard.disable();
      made[i] = {map: r.map, fit: r.fit, size: sizeKey(box)};
      slides[i].setAttribute("data-ready", "1");
      return;
    }
    var m = made[i];
    m.map.invalidateSize(false);
    if (m.fit && m.size !== sizeKey(box)) { m.map.fitBounds(m.fit, {animate: false}); m.size = sizeKey(box); }
  }
  function go(i) {
    i = Math.max(0, Math.min(slides.length - 1, i | 0));
    if (i === cur) return cur;
    if (cur >= 0) slides[cur].hidden = true;
    slides[i].hidden = false;
    cur = i;
    counter.textContent = (i + 1) + "/" + slides.length;
    prevB.disabled = i === 0; nextB.disabled = i === slides.length - 1;
    document.title = cfg.titles[i] + " · " + cfg.docTitle;
    showMap(i);
    return cur;
  }
  function next() { go(cur + 1); } function prev() { go(cur - 1); }
  function setAuto(on) {
    if (timer) { clearInterval(timer); timer = null; }
    if (on && cfg.auto > 0) timer = setInterval(function () { go(cur === slides.length - 1 ? 0 : cur + 1); }, cfg.auto * 1000);
    playB.setAttribute("aria-pressed", timer ? "true" : "false");
    playB.textContent = timer ? cfg.labels.pause : cfg.labels.play;
  }
  function fullscreen() {
    var d = document, el = d.documentElement;
    if (d.fullscreenElement) { if (d.exitFullscreen) d.exitFullscreen(); }
    else if (el.requestFullscreen) { el.requestFullscreen().catch(function () {}); }
  }
  var KEYS = {ArrowRight: next, ArrowDown: next, PageDown: next, " ": next, Spacebar: next, Enter: next,
              ArrowLeft: prev, ArrowUp: prev, PageUp: prev, Backspace: prev,
              Home: function () { go(0); }, End: function () { go(slides.length - 1); },
              f: fullscreen, F: fullscreen};
  window.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var fn = KEYS[e.key];
    if (!fn) return;
    e.preventDefault(); e.stopPropagation();
    fn();
  }, true);
  function btn(b, fn) { b.addEventListener("click", function () { fn(); b.blur(); }); }
  btn(prevB, prev); btn(nextB, next); btn(fsB, fullscreen);
  btn(playB, function () { setAuto(!timer); });
  if (!(cfg.auto > 0)) playB.hidden = true;
  if (!(document.fullscreenEnabled && document.documentElement.requestFullscreen)) fsB.disabled = true;
  window.addEventListener("resize", function () { if (cur >= 0) showMap(cur); });
  window.tqSlides = {get index() { return cur; }, count: slides.length, titles: cfg.titles.slice(), go: go,
                     next: next, prev: prev, auto: setAuto};
  go(0);
  setAuto(cfg.auto > 0);
  window.focus();
})();
"""


def _page(deck: _Deck, *, year: int, lang: str, date: dt.date, demo: bool, auto_advance_s, leaflet_js: str,
          leaflet_css: str) -> str:
    from . import sources

    e = html.escape
    doc_title = t("present.doc_title", lang, year=year)
    makers = ",\n".join(deck.makers)
    geo = sorted(deck.geo, key=deck.geo.get)
    cfg = {"titles": deck.titles, "docTitle": doc_title, "auto": float(auto_advance_s or 0),
           "labels": {"play": t("present.play", lang), "pause": t("present.pause", lang)}}
    credit = (f'{e(t("export.sources", lang))}: {e(sources.ATTRIBUTION)}. '
              f'{e(t("map.border.legend", lang))}.' + (f' {e(t("demo.mark", "vi"))}.' if demo else ""))
    styles = "\n".join(f"<style>{s}</style>" for s in deck.styles)
    head_scripts = "\n".join(f"<script>{s}</script>" for s in deck.head_scripts)
    return f"""<!DOCTYPE html>
<html lang="{'en' if lang == 'en' else 'vi'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(doc_title)}</title>
<style>{leaflet_css}</style>
{styles}
<style>{DECK_CSS}</style>
<script>{leaflet_js}</script>
{head_scripts}
</head>
<body>
<main id="tq-deck" aria-live="polite">
{''.join(deck.sections)}
</main>
<nav id="tq-nav" aria-label="{e(t('present.nav', lang))}">
<div class="tq-credit">{credit}</div>
<button id="tq-play" type="button" aria-pressed="false">{e(t('present.play', lang))}</button>
<button id="tq-prev" type="button" aria-label="{e(t('present.prev', lang))}">◀ {e(t('present.prev', lang))}</button>
<div id="tq-counter" aria-live="polite"></div>
<button id="tq-next" type="button" aria-label="{e(t('present.next', lang))}">{e(t('present.next', lang))} ▶</button>
<button id="tq-fs" type="button">⛶ {e(t('present.fullscreen', lang))}</button>
</nav>
<script>window.tqG = {script_json(geo)};</script>
<script>window.tqMakers = [
{makers}
];</script>
<script>{DECK_JS % {"cfg": script_json(cfg)}}</script>
</body>
</html>
"""


# --- CLI -------------------------------------------------------------------------------------


def export_slides(year: int, lang: str, out, *, store=None, date: dt.date | None = None):
    """Write the slideshow of ``year`` (the saved slide list, else the default one); returns the path."""
    from .export.commands import year_store
    from .export.html import write_html

    with year_store(year, store) as store:
        slides = load_slides(store) or default_slides(store, year)
        page = slides_html(store, year, slides, lang=lang, date=date)
    return write_html(out, page)


def _cmd_export_slides(args) -> int:
    import sys

    from .export.html import ExportError
    from .store import StoreError

    try:
        path = export_slides(args.year, args.lang, args.out)
    except (ExportError, StoreError, PresentError) as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 1
    print(f"Đã ghi {path} ({path.stat().st_size / 1024:.0f} KB): trình chiếu độc lập, mở được không cần mạng.")
    return 0


def add_slides_parser(formats) -> None:
    """Register ``slides`` under the ``export`` command's sub-commands."""
    from pathlib import Path

    p = formats.add_parser("slides", help="trình chiếu HTML độc lập cho máy chiếu (mở được từ USB, không cần mạng)")
    p.add_argument("--year", type=int, required=True, help="năm số liệu, ví dụ 2025")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    p.add_argument("--out", type=Path, required=True, help="tệp .html kết quả")
    p.set_defaults(func=_cmd_export_slides)
