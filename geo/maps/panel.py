"""A static HTML panel as a Leaflet control (legend, title, credits): our own markup only."""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template

from .compact import script_json


class Panel(MacroElement):
    """``inner_html`` must be safe (built from escaped text); ``aria`` labels it as a region."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
          var c = L.control({position: {{ this.position|tojson }}});
          c.onAdd = function () {
            var d = L.DomUtil.create("div", {{ this.css_class|tojson }});
            {% if this.aria %}d.setAttribute("role", "region"); d.setAttribute("aria-label", {{ this.aria }});{% endif %}
            d.innerHTML = {{ this.html_json }};
            L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
            return d;
          };
          c.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, inner_html: str, position: str, css_class: str, aria: str | None = None):
        super().__init__()
        self._name = "TqPanel"
        self.position = position
        self.css_class = css_class
        self.aria = script_json(aria) if aria else None
        self.html_json = script_json(inner_html)
