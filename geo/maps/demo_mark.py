"""The "DỮ LIỆU MINH HỌA" banner: a big, unmistakable control at the top centre of the map."""

from __future__ import annotations

import html

from branca.element import MacroElement
from folium.template import Template

from ..i18n import t
from .compact import script_json


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

    def __init__(self, lang: str = "vi", compact: bool = False):
        super().__init__()
        self._name = "TqDemoMark"
        inner = f'<div class="tq-demo-mark">{html.escape(t("demo.mark", "vi"))}</div>'
        if not compact:
            inner += f'<div class="tq-demo-note">{html.escape(t("demo.notice", lang))}</div>'
        self.css_class = "tq-demo tq-demo-compact" if compact else "tq-demo"
        self.html_json = script_json(inner)


def add_demo_mark(m, lang: str = "vi", demo: bool = True, compact: bool = False) -> DemoMark | None:
    """Add the banner when ``demo`` (does nothing otherwise); ``compact``: the mark alone, smaller."""
    if not demo:
        return None
    mark = DemoMark(lang, compact)
    mark.add_to(m)
    return mark
