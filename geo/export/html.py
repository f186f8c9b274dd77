"""One self-contained ``.html`` map that opens from a USB stick on an air-gapped computer.

Route chosen: the exported map IS the app's folium map (same layers, legend, tooltips, demo mark,
built by :mod:`geo.maps.views` with ``app=False``), rendered by ``m.get_root().render()``.
Nothing has to be removed afterwards because nothing external is ever added: our map elements
carry no ``default_js``/``default_css`` (checked, and cleared on every element to be sure), and
Leaflet's own JS and CSS (its images as ``data:`` URIs) are inlined into ``<head>``. Geometry
travels in the compact encoding of :mod:`geo.maps.compact`, which keeps the province overview
with six routes well under 600 KB. Writing a template by hand would have meant a second copy
of every layer, legend and tooltip, which would drift from the app's.

The export adds a title panel (title, data year, export date), a data-sources panel (from
:data:`geo.sources.SOURCES`) and an expanded layer control.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import folium
from branca.element import MacroElement
from folium.template import Template

from .. import sources
from ..escape import html_attr, html_text, title_text
from ..i18n import fmt_date, t
from ..maps import assets
from ..maps.panel import Panel

MAX_OVERVIEW_BYTES = 600 * 1024
_EXTERNAL = re.compile(r"""<(?:script|link|img|iframe|source|video|audio)\b[^>]*?(?:src|href)\s*=\s*["']?(?!data:)[^"'\s>]+""",
                       re.IGNORECASE)


class ExportError(ValueError):
    """The map cannot be exported as a self-contained file (message in Vietnamese)."""


class _ZoomBelowTitle(MacroElement):
    """Re-add Leaflet's zoom buttons so they sit below the title panel, not above it."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (m) { var z = m.zoomControl; if (z) { m.removeControl(z); z.addTo(m); } })({{ this._parent.get_name() }});
        {% endmacro %}
    """)


EXPORT_CSS = """
.tq-title { max-width: 430px; padding: 10px 14px 9px; }
.tq-title h1 { margin: 0 0 4px; font-size: 21px; line-height: 1.25; font-weight: 700; color: #102a43; }
.tq-title .tq-meta { font-size: 13.5px; color: #333; }
.tq-title .tq-meta b { color: #111; }
.tq-title .tq-demo-inline { color: #b71c1c; font-weight: 800; letter-spacing: .03em; }
.tq-credits { max-width: 520px; font-size: 11px; line-height: 1.35; color: #333; padding: 5px 9px; }
.tq-credits b { font-size: 11.5px; }
.leaflet-control-layers-expanded { padding: 7px 10px 7px 8px; }
"""


def _clear_cdn(m: folium.Map) -> None:
    """Drop every ``default_js``/``default_css`` in the tree (Leaflet gets inlined instead)."""
    stack = [m]
    while stack:
        el = stack.pop()
        if getattr(el, "default_js", None):
            el.default_js = []
        if getattr(el, "default_css", None):
            el.default_css = []
        stack.extend(getattr(el, "_children", {}).values())


def title_html(title: str, year: int | None, date: dt.date, lang: str, demo=False) -> str:
    """The title panel; ``demo``: DemoFlags (or bool) — says per item what is illustrative."""
    from ..maps.demo_mark import demo_badge, demo_text

    e = html_text
    meta = []
    if year is not None:
        meta.append(f"{e(t('export.year', lang))}: <b>{e(str(year))}</b>")
    meta.append(f"{e(t('export.date', lang))}: <b>{e(fmt_date(date, lang))}</b>")
    out = f"<h1>{e(title)}</h1><div class=\"tq-meta\">{' · '.join(meta)}</div>"
    badge = demo_badge(demo, lang)  # the full per-item sentence is in the map's demo mark
    if badge:
        out += f'<div class="tq-meta tq-demo-inline" title="{html_attr(demo_text(demo, lang))}">{e(badge)}</div>'
    return out


def credits_html(lang: str, attribution: str | None = None) -> str:
    e = html_text
    text = attribution if attribution is not None else sources.ATTRIBUTION
    return (f"<b>{e(t('export.sources', lang))}:</b> {e(text)}. "
            f"{e(t('map.border.legend', lang))}; {e(t('map.roads', lang))}. {e(t('export.offline', lang))}")


# Leading whitespace and blank lines of the rendered page: nothing in it depends on them (no <pre>,
# <textarea> or multi-line JS template literal; a JS string cannot span lines).
_INDENT = re.compile(r"(?m)^[ \t]+|^\n")


def standalone_html(m: folium.Map, *, title: str, year: int | None, date: dt.date | None = None,
                    lang: str = "vi", demo=False, attribution: str | None = None) -> str:
    """The whole page as text. ``m`` should come from a view built with ``app=False``; ``title`` is
    plain text (escaped here, also in ``<title>``); ``demo``: DemoFlags or bool."""
    date = date or dt.date.today()
    _clear_cdn(m)
    root = m.get_root()
    root.title = title_text(title)  # branca writes <title>{{ title }}</title> without escaping
    root.header.add_child(folium.Element(f"<style>{assets.inline_css()}</style>"), name="tq_leaflet_css", index=0)
    root.header.add_child(folium.Element(f"<style>{EXPORT_CSS}</style>"), name="tq_export_css")
    root.header.add_child(folium.Element(f"<script>{assets.inline_js()}</script>"), name="tq_leaflet_js", index=1)
    Panel(title_html(title, year, date, lang, demo), "topleft", "tq-panel tq-title leaflet-control").add_to(m)
    Panel(credits_html(lang, attribution), "bottomleft", "tq-panel tq-credits leaflet-control").add_to(m)
    _ZoomBelowTitle().add_to(m)
    page = root.render()
    if "`" not in page:  # no JS template literal (the only place where line starts could matter)
        page = _INDENT.sub("", page)  # the templates' indentation and blank lines (~3 KB)
    page = page.replace("<html>", f'<html lang="{"en" if lang == "en" else "vi"}">', 1)
    bad = _EXTERNAL.findall(page)
    if bad:
        raise ExportError("Bản đồ xuất ra còn tham chiếu tài nguyên bên ngoài: " + ", ".join(bad[:3]))
    return page


def write_html(path: str | os.PathLike, page: str) -> Path:
    """Write ``page`` atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".html")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def parse_view(view) -> tuple[str, str | None]:
    """Old name: ``(kind, argument)`` of :meth:`geo.yearview.View.parse` (ExportError when bad)."""
    from ..yearview import View, ViewError

    try:
        v = View.parse(view)
    except ViewError as exc:
        raise ExportError(str(exc)) from None
    return v.kind, v.arg


def export_view(yv, view, *args, lang: str = "vi", date: dt.date | None = None, attribution: str | None = None,
                basemap: bool = False, **legacy) -> str:
    """The standalone page of ``view`` (:class:`geo.yearview.View` or its text) for the year view ``yv``.

        export_view(year_view(store, 2025), "route:QL2", lang="vi", date=dt.date.today())

    Unknown views, routes and communes raise :class:`ExportError` (Vietnamese). The old signature
    ``export_view(frame, routes, view, *, year, demo=…, counts=…)`` still works (a year view is
    made around the frame with :func:`geo.yearview.from_frame`)."""
    from ..maps import views
    from ..yearview import View, ViewError, YearView, from_frame

    if not isinstance(yv, YearView):  # old call: (frame, routes, view, *, year, demo, counts)
        frame, routes, view = yv, view, args[0]
        yv = from_frame(frame, routes, legacy.pop("year"), demo=legacy.pop("demo", False))
        legacy.pop("counts", None)
    if legacy:
        raise TypeError(f"export_view: unexpected arguments {sorted(legacy)}")
    try:
        res = views.view_map(yv, View.parse(view), lang=lang, app=False, basemap=basemap)
    except ViewError as exc:
        raise ExportError(str(exc)) from None
    return standalone_html(res.map, title=res.title, year=yv.year, date=date, lang=lang, demo=yv.demo,
                           attribution=attribution)
