"""What is illustrative, said per item: ONE helper for pages, maps, exports, sheets, slides, file names.

    flags = yv.demo                              # geo.model.DemoFlags(statuses, routes, targets)
    demo_badge(flags, "vi")   -> "DỮ LIỆU MINH HỌA" | "MINH HỌA: tuyến trọng điểm" | None
    demo_text(flags, "vi")    -> "Trạng thái các xã: số liệu thật; tuyến trọng điểm: MINH HỌA; chỉ tiêu: số liệu thật."
    demo_suffix(flags)        -> "_minh-hoa" | "_tuyen-minh-hoa" | "_chi-tieu-minh-hoa" | ""

File-name suffix rule: ``_minh-hoa`` only when the commune statuses are illustrative (what every map
colours); otherwise the illustrative items are named (``_tuyen-minh-hoa`` for routes,
``_chi-tieu-minh-hoa`` for targets, ``_tuyen-chi-tieu-minh-hoa`` for both); nothing when all is real.

A plain ``True`` (old callers: "the store says demo") means everything is illustrative.
The map banner (:class:`DemoMark`) is a big control at the top centre of the map.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template

from ..escape import html_text
from ..i18n import t
from ..model import DemoFlags
from .compact import script_json

ITEMS = ("statuses", "routes", "targets")


def as_flags(demo) -> DemoFlags:
    """DemoFlags from DemoFlags, a bool (True = all illustrative) or None (:meth:`DemoFlags.of`)."""
    return DemoFlags.of(demo)


def demo_badge(demo, lang: str = "vi") -> str | None:
    """The short mark: "DỮ LIỆU MINH HỌA" when the statuses are illustrative, else the items that are."""
    f = as_flags(demo)
    if not f.any:
        return None
    if f.statuses:
        return t("demo.mark", lang)
    items = [t(f"demo.item.{k}", lang) for k in ITEMS[1:] if getattr(f, k)]
    return f"{t('demo.illustrative', lang)}: {', '.join(items)}"


def demo_text(demo, lang: str = "vi") -> str | None:
    """One sentence saying, item by item, what is real and what is illustrative (None: all real)."""
    f = as_flags(demo)
    if not f.any:
        return None
    if f.statuses and f.routes and f.targets:
        return t("demo.all", lang)
    parts = [f"{t(f'demo.item.{k}', lang)}: "
             f"{t('demo.illustrative', lang) if getattr(f, k) else t('demo.real', lang)}" for k in ITEMS]
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def demo_suffix(demo) -> str:
    """The file-name suffix (see the module's rule)."""
    f = as_flags(demo)
    if f.statuses:
        return "_minh-hoa"
    parts = [p for k, p in (("routes", "tuyen"), ("targets", "chi-tieu")) if getattr(f, k)]
    return "_" + "-".join(parts) + "-minh-hoa" if parts else ""


class DemoMark(MacroElement):
    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
          var corners = map._controlCorners, box = map._controlContainer;
          if (!corners.topcenter) corners.topcenter = L.DomUtil.create("div", "leaflet-top tq-center", box);
          var c = L.control({position: "topcenter"});
          c.onAdd = function () {
            var d = L.DomUtil.create("div", "{{ this.css_class }} leaflet-control");
            d.id = "tq-demo-mark"; d.setAttribute("role", "note");
            d.innerHTML = {{ this.html_json }};
            return d;
          };
          c.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, lang: str = "vi", compact: bool = False, demo=True):
        super().__init__()
        self._name = "TqDemoMark"
        flags = as_flags(demo)
        inner = f'<div class="tq-demo-mark">{html_text(demo_badge(flags, lang))}</div>'
        if not compact:
            inner += f'<div class="tq-demo-note">{html_text(demo_text(flags, lang))}</div>'
        self.css_class = "tq-demo tq-demo-compact" if compact else "tq-demo"
        self.html_json = script_json(inner)


def add_demo_mark(m, lang: str = "vi", demo=True, compact: bool = False) -> DemoMark | None:
    """Add the banner when anything is illustrative (``demo``: DemoFlags or bool); ``compact``: the
    mark alone, smaller."""
    if not as_flags(demo).any:
        return None
    mark = DemoMark(lang, compact, demo)
    mark.add_to(m)
    return mark
