"""The slideshow as ONE self-contained HTML document, composed from folium elements.

How it is made (as folium's ``DualMap`` puts two maps in one figure): a :class:`Deck` is a branca
``Figure``; each slide is a :class:`Slide` element whose child is the app's own folium view
(:mod:`geo.maps.views`, built with ``app=False``). Rendering the figure renders every slide in
order: the slide's frame (title bar, demo mark, KPI panel) goes into the figure's body around its
map's ``<div>``, and the map's script (with every layer's) into a function
``window.tqMakers[i]`` that the deck calls the first time the slide is shown, so Leaflet measures
a visible container. Resources are declared once per document in the figure's header, by name:
Leaflet's JS and CSS inlined, the maps' shared stylesheet, the deck's own CSS and JS
(``static/present.css``, ``static/present.js``). No layer, legend or tooltip logic is written here.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from branca.element import Element, Figure, MacroElement
from folium.map import FitBounds
from folium.template import Template

from ..escape import html_attr, html_text, json_script, title_text
from ..i18n import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_points, t
from ..paths import REPO_ROOT
from .chart import CHART_CSS, pct_text, progress_svg
from .slides import PresentError, resolve_slides, validate_slides

STATIC = REPO_ROOT / "static"
# A reference to anything outside the document (the deck must open from a USB stick, offline).
EXTERNAL = re.compile(r"""<(?:script|link|img|iframe|source|video|audio)\b[^>]*?\b(?:src|href)\s*=\s*["']?(?!data:)[^"'\s>]+""",
                      re.I)


@functools.lru_cache(maxsize=4)
def static_text(name: str) -> str:
    """``static/present.css`` or ``static/present.js`` (served by the app, inlined in the deck)."""
    return (STATIC / name).read_text(encoding="utf-8")


# Inline SVG icons: they draw with any font (no glyph that Debian's fonts lack).
def _icon(path: str) -> str:
    return (f'<svg class="tq-ic" viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" focusable="false">'
            f'{path}</svg>')


ICONS = {
    "prev": _icon('<path d="M15.5 4 7 12l8.5 8z" fill="currentColor"/>'),
    "next": _icon('<path d="M8.5 4 17 12l-8.5 8z" fill="currentColor"/>'),
    "play": _icon('<path d="M7 4v16l13-8z" fill="currentColor"/>'),
    "pause": _icon('<path d="M6 4h4.5v16H6zM13.5 4H18v16h-4.5z" fill="currentColor"/>'),
    "fullscreen": _icon('<path d="M3 9V3h6M15 3h6v6M21 15v6h-6M9 21H3v-6" fill="none" stroke="currentColor" '
                        'stroke-width="2.6"/>'),
    "legend": _icon('<path d="M4 5h4v4H4zM4 15h4v4H4zM11 6h9M11 16h9" fill="none" stroke="currentColor" '
                    'stroke-width="2.4"/>'),
}


class Slide(MacroElement):
    """One slide: its frame around at most one folium map (the element's only child)."""

    def __init__(self, index: int, kind: str, top_html: str, side_html: str, *, figure_html: str = "",
                 folium_map=None, label: str = ""):
        super().__init__()
        self._name = "TqSlide"
        self.index, self.kind = index, kind
        self.top_html, self.side_html, self.figure_html, self.label = top_html, side_html, figure_html, label
        self.map = folium_map
        if folium_map is not None:
            self.fit = next((c.bounds for c in folium_map._children.values() if isinstance(c, FitBounds)), None)
            old = folium_map.get_root()
            self.add_child(folium_map)
            # what the view declared in its own figure's header (styles) moves to the deck's, once by name
            self._header = list(old.header._children.items()) if old is not folium_map else []

    def render(self, **kwargs):
        fig = self.get_root()
        name = self.get_name()
        maker = self.index if self.map is not None else -1
        fig.html.add_child(Element(
            f'<section class="tq-slide" id="tq-slide-{self.index}" data-kind="{html_attr(self.kind)}" '
            f'data-maker="{maker}" aria-roledescription="slide" aria-label="{html_attr(self.label)}" hidden>'
            f'{self.top_html}<div class="tq-s-body">'
            + ('<div class="tq-s-map">' if self.map is not None else self.figure_html)), name=name + "_open")
        if self.map is not None:
            for key, el in self._header:
                if key not in fig.header._children:
                    fig.header.add_child(el, name=key)
            fig.script.add_child(Element(f"window.tqMakers[{self.index}] = function () {{"), name=name + "_make")
            self.map.render(**kwargs)
            fig.script.add_child(Element(
                f"return {{map: {self.map.get_name()}, fit: {json_script(self.fit)}}};\n}};"), name=name + "_made")
        fig.html.add_child(Element(('</div>' if self.map is not None else "") + self.side_html + "</div></section>"),
                           name=name + "_close")


class Deck(Figure):
    """The slideshow document (a branca Figure): slides in the body, the controls after them."""

    _template = Template(
        "<!DOCTYPE html>\n"
        '<html lang="{{ this.lang }}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>{{ this.title_html }}</title>\n"
        "{{ this.header.render(**kwargs) }}\n</head>\n<body>\n"
        '<main id="tq-deck" aria-live="polite">\n{{ this.html.render(**kwargs) }}\n</main>\n'
        "{{ this.nav_html }}\n"
        "<script>\nwindow.tqMakers = [];\n{{ this.script.render(**kwargs) }}\n</script>\n"
        "<script>window.tqDeckConfig = {{ this.cfg_json }};</script>\n"
        "<script>{{ this.deck_js }}</script>\n</body>\n</html>\n")

    def __init__(self, *, lang: str, title: str, cfg: dict, nav_html: str):
        from ..maps import assets

        super().__init__()
        self._name = "TqDeck"
        self.lang = "en" if lang == "en" else "vi"
        self.title_html = title_text(title)
        self.cfg_json = json_script(cfg)
        self.nav_html = nav_html
        self.deck_js = static_text("present.js")
        self.header.add_child(Element(f"<style>{assets.inline_css()}</style>"), name="leaflet_css")
        self.header.add_child(Element(f"<script>{assets.inline_js()}</script>"), name="leaflet")

    def render(self, **kwargs):
        for child in self._children.values():
            child.render(**kwargs)
        # the deck's stylesheet last: it adapts the maps' panels to the slide
        self.header.add_child(Element(f"<style>{static_text('present.css')}{CHART_CSS}</style>"), name="tq_present_css")
        return self._template.render(this=self, kwargs=kwargs)


# --- the slide frame -------------------------------------------------------------------------


SLIDE_ITEMS = {"overview": ("statuses", "routes"), "key": ("statuses", "routes"), "route": ("statuses", "routes"),
               "change": ("statuses", "routes"), "progress": ("statuses", "targets")}


def slide_flags(flags, kind: str):
    """The demo flags of what a slide of ``kind`` shows (its items only)."""
    from ..model import DemoFlags

    return DemoFlags(**{k: bool(getattr(flags, k, False)) and k in SLIDE_ITEMS[kind]
                        for k in ("statuses", "routes", "targets")})


def _header(title: str, subtitle: str, year: int, date: dt.date, lang: str, flags, year_flags) -> str:
    """``flags``: what this slide shows that is illustrative (the badge); ``year_flags``: the whole
    year's, said item by item under it."""
    from ..maps.demo_mark import demo_badge, demo_text

    demo = ""
    if flags.any:
        demo = (f'<div class="tq-s-demo" role="note"><b>{html_text(demo_badge(flags, lang))}</b>'
                f'<span>{html_text(demo_text(year_flags, lang))}</span></div>')
    return (f'<header class="tq-s-bar"><div class="tq-s-ttl"><h1>{html_text(title)}</h1>'
            f'<div class="tq-s-sub">{html_text(subtitle)}</div></div>{demo}'
            f'<div class="tq-s-when"><div class="tq-s-year">{html_text(t("present.year", lang, year=year))}</div>'
            f'<div class="tq-s-date">{html_text(t("present.date", lang, date=fmt_date(date, lang)))}</div></div>'
            f'</header>')


def _stat(big: str, label: str, cls: str = "", note: str = "", key: str = "") -> str:
    n = f'<div class="tq-card-note">{html_text(note)}</div>' if note else ""
    k = f' data-kpi="{html_attr(key)}"' if key else ""
    return (f'<div class="tq-card {cls}"{k}><div class="tq-card-big">{html_text(big)}</div>'
            f'<div class="tq-card-lbl">{html_text(label)}</div>{n}</div>')


def _side(parts: list[str]) -> str:
    return '<aside class="tq-s-side tq-kpis">' + "".join(parts) + "</aside>"


def overview_panel(k: dict, lang: str) -> str:
    parts = [_stat(f'{k["drug_free"]}/{k["total_units"]}', t("present.kpi.drug_free", lang), "tq-card-green",
                   key="drug_free")]
    note = ""
    if k.get("diff_points") is not None:
        note = t("present.kpi.vs_target", lang, diff=fmt_points(k["diff_points"], lang),
                 scope=t(f"present.scope.{k['target_scope']}", lang), pct=pct_text(k["target_pct"], lang))
    parts.append(_stat(fmt_pct(k["share_pct"], lang), t("present.kpi.share", lang), "tq-card-green", note, key="share"))
    bc = k["by_class"]
    parts.append(_stat(fmt_int(k["key_count"], lang), t("present.kpi.key", lang), "tq-card-red",
                       t("present.kpi.classes", lang, a=bc.get("I", 0), b=bc.get("II", 0), c=bc.get("III", 0)),
                       key="key"))
    parts.append(_stat(fmt_int(k["routes_count"], lang), t("present.kpi.routes", lang), "tq-card-blue", key="routes"))
    parts.append(_stat(fmt_int(k["needed_for_2030"], lang), t("present.kpi.needed", lang), "tq-card-grey",
                       t("present.kpi.goal", lang, n=k["goal_2030_units"]), key="needed"))
    return _side(parts)


def route_panel(row: dict | None, lang: str) -> str:
    if row is None:
        return '<aside class="tq-s-side"></aside>'
    return _side([
        _stat(fmt_int(row["communes"], lang), t("present.route.communes", lang), "tq-card-blue",
              t("present.route.width", lang, km=fmt_num(row["half_width_km"], 1, lang))),
        _stat(fmt_num(row["length_km"], 1, lang) + " km", t("present.route.length", lang), "tq-card-grey"),
        _stat(fmt_int(row["drug_free"], lang), t("present.kpi.drug_free_short", lang), "tq-card-green"),
        _stat(fmt_int(row["key"], lang), t("present.kpi.key", lang), "tq-card-red",
              t("present.kpi.classes", lang, a=row["class_I"], b=row["class_II"], c=row["class_III"])),
        _stat(fmt_int(row["population"], lang), t("present.route.population", lang), "tq-card-grey"),
    ])


def key_panel(k: dict, lang: str) -> str:
    bc = k["by_class"]
    parts = [_stat(fmt_int(k["key_count"], lang), t("present.kpi.key", lang), "tq-card-red")]
    for c, cls in (("I", "tq-card-red"), ("II", "tq-card-orange"), ("III", "tq-card-yellow")):
        parts.append(_stat(fmt_int(bc.get(c, 0), lang), t("present.key.class", lang, c=c), cls))
    return _side(parts)


def change_panel(counts: dict, lang: str) -> str:
    from .. import changes

    cls = {changes.NEWLY_DRUG_FREE: "tq-card-green", changes.LOST_DRUG_FREE: "tq-card-red",
           changes.NEWLY_KEY: "tq-card-orange", changes.NO_LONGER_KEY: "tq-card-blue", changes.UNCHANGED: "tq-card-grey"}
    return _side([_stat(fmt_int(counts.get(c, 0), lang), changes.change_label(c, lang), cls[c])
                  for c in changes.CHANGES])


def progress_panel(k: dict, lang: str) -> str:
    rows = "".join(f'<tr><td>{int(p["year"])}</td><td>{html_text(fmt_int(p["needed"], lang))}</td></tr>'
                   for p in k["per_year_needed"])
    table = (f'<table class="tq-need"><thead><tr><th>{html_text(t("ui.year", lang))}</th>'
             f'<th>{html_text(t("progress.needed", lang))}</th></tr></thead><tbody>{rows}</tbody></table>') if rows else ""
    return _side([
        _stat(fmt_int(k["needed_for_2030"], lang), t("present.kpi.needed", lang), "tq-card-grey",
              t("present.kpi.goal", lang, n=k["goal_2030_units"])),
        f'<div class="tq-card tq-card-table"><div class="tq-card-lbl">{html_text(t("present.progress.per_year", lang))}</div>'
        f'{table}</div>'])


def route_title(route, lang: str) -> str:
    """The route's name as the title; "Tuyến …" added only when the name does not say it."""
    from ..text import fold

    name = (route.name or route.id).strip()
    return name if fold(name).startswith(("tuyen", "route")) else t("present.title.route", lang, name=name)


def nav_html(lang: str, credit: str) -> str:
    fs = t("present.fullscreen_key", lang)
    return (f'<nav id="tq-nav" aria-label="{html_attr(t("present.nav", lang))}">'
            f'<div class="tq-credit">{html_text(credit)}</div>'
            f'<div class="tq-keys" id="tq-keys">{html_text(t("present.keys", lang))}</div>'
            f'<button id="tq-legend" type="button" aria-keyshortcuts="L" aria-pressed="false" '
            f'title="{html_attr(t("present.legend_toggle", lang))}">{ICONS["legend"]}'
            f'<span>{html_text(t("present.legend", lang))}</span></button>'
            f'<button id="tq-play" type="button" aria-pressed="false">'
            f'<span class="tq-i-play">{ICONS["play"]}</span><span class="tq-i-pause">{ICONS["pause"]}</span>'
            f'<span class="tq-lbl">{html_text(t("present.auto_play", lang))}</span></button>'
            f'<button id="tq-prev" type="button" aria-label="{html_attr(t("present.prev", lang))}">{ICONS["prev"]}'
            f'<span>{html_text(t("present.prev", lang))}</span></button>'
            f'<div id="tq-counter" aria-live="polite"></div>'
            f'<button id="tq-next" type="button" aria-label="{html_attr(t("present.next", lang))}">'
            f'<span>{html_text(t("present.next", lang))}</span>{ICONS["next"]}</button>'
            f'<button id="tq-fs" type="button" aria-keyshortcuts="F" title="{html_attr(fs)}">{ICONS["fullscreen"]}'
            f'<span>{html_text(fs)}</span></button></nav>')


# --- assembling ------------------------------------------------------------------------------


def slides_html(store, year: int, slides, *, lang: str = "vi", date: dt.date | None = None,
                auto_advance_s: float | None = None) -> str:
    """The whole slideshow as ONE self-contained HTML document (no request to any host)."""
    from .. import sources, status
    from ..maps import views
    from ..maps.demo_mark import demo_badge
    from ..model import DemoFlags
    from ..yearview import View, year_view

    slides = resolve_slides(store, year, validate_slides(store, slides))
    if not slides:
        raise PresentError(f"Không có trang chiếu nào hiển thị được cho năm {year}.")
    date = date or dt.date.today()
    yv = year_view(store, year)
    k = yv.kpis
    subtitle = t("present.subtitle", lang)
    built = []
    for s in slides:
        kind, arg = s["kind"], s["arg"]
        m, figure_html, flags = None, "", slide_flags(yv.demo, kind)
        if kind in ("overview", "key", "route"):
            m = views.view_map(yv, View(kind, arg), lang=lang, app=False).map
        if kind == "overview":
            title = t("present.title.overview", lang, year=year)
            side = overview_panel(k, lang)
        elif kind == "route":
            route = yv.route(arg)
            title = route_title(route, lang)
            side = route_panel(status.route_figures(yv, route), lang)
        elif kind == "key":
            title = t("present.title.key", lang, year=year)
            side = key_panel(k, lang)
        elif kind == "change":
            before = year_view(store, year - 1)
            flags = slide_flags(DemoFlags(before.demo.statuses or yv.demo.statuses, yv.demo.routes), kind)
            title = t("present.title.change", lang, a=year - 1, b=year)
            res = views.change_view_map(before, yv, lang=lang, app=False)
            m, side = res.map, change_panel(res.counts, lang)  # the counts its legend shows
        else:
            title = t("present.title.progress", lang)
            figure_html = f'<div class="tq-s-chart">{progress_svg(status.progress(store), lang)}</div>'
            side = progress_panel(k, lang)
        built.append((kind, s["title"] or title, flags, side, figure_html, m))

    n = len(built)
    titles = [b[1] for b in built]
    doc_title = t("present.doc_title", lang, year=year)
    credit = (f'{t("export.sources", lang)}: {sources.ATTRIBUTION}. {t("map.border.legend", lang)}.'
              + (f' {demo_badge(yv.demo, lang)}.' if yv.demo.any else ""))
    cfg = {"titles": titles, "docTitle": doc_title, "auto": float(auto_advance_s or 0),
           "labels": {"play": t("present.auto_play", lang), "pause": t("present.auto_pause", lang),
                      "legend": t("present.legend", lang), "legendToggle": t("present.legend_toggle", lang)}}
    deck = Deck(lang=lang, title=doc_title, cfg=cfg, nav_html=nav_html(lang, credit))
    for i, (kind, title, flags, side, figure_html, m) in enumerate(built):
        top = _header(title, subtitle, year, date, lang, flags, yv.demo)
        deck.add_child(Slide(i, kind, top, side, figure_html=figure_html, folium_map=m, label=f"{i + 1}/{n}"),
                       name=f"tq_slide_{i}")
    page = deck.render()
    bad = EXTERNAL.findall(page)
    if bad:
        from ..export.html import ExportError

        raise ExportError("Trang trình chiếu còn tham chiếu tài nguyên bên ngoài: " + ", ".join(bad[:3]))
    return page
