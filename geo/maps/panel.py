"""A static HTML panel as a Leaflet control (legend, title, credits): our own markup only.

A legend panel (css class ``tq-legend``) gets a fold button (keyboard reachable, ``aria-expanded``)
and folds itself whenever it would cover more than ``LEGEND_MAX_SHARE`` of the map (small screens,
projectors at 1024×768), so it never hides the east of the province; it unfolds on a click.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template

from .compact import script_json

LEGEND_MAX_SHARE = 0.15  # of the map's area


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
            {% if this.foldable %}
            var b = document.createElement("button");
            b.type = "button"; b.className = "tq-fold"; b.setAttribute("aria-expanded", "true");
            b.title = {{ this.fold_title }}; b.setAttribute("aria-label", {{ this.fold_title }});
            b.innerHTML = '<svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true"><path d="M1.5 3.5 5 7 8.5 3.5" fill="none" stroke="currentColor" stroke-width="1.8"/></svg>';
            d.insertBefore(b, d.firstChild);
            function fold(on, byUser) {
              d.classList.toggle("tq-folded", on); b.setAttribute("aria-expanded", on ? "false" : "true");
              if (byUser) d.tqUserChoice = true;
            }
            b.addEventListener("click", function () { fold(!d.classList.contains("tq-folded"), true); });
            function auto() {
              if (d.tqUserChoice) return;
              fold(false);
              var s = map.getSize(), r = d.getBoundingClientRect();
              fold(r.width * r.height > {{ this.max_share }} * s.x * s.y);
            }
            map.on("resize", auto); setTimeout(auto, 0);
            d.tqAutoFold = auto;
            {% endif %}
            L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
            return d;
          };
          c.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, inner_html: str, position: str, css_class: str, aria: str | None = None,
                 foldable: bool | None = None, lang: str = "vi"):
        super().__init__()
        self._name = "TqPanel"
        self.position = position
        self.css_class = css_class
        self.aria = script_json(aria) if aria else None
        self.html_json = script_json(inner_html)
        self.foldable = ("tq-legend" in css_class.split()) if foldable is None else foldable
        self.fold_title = script_json("Thu gọn / mở chú giải" if lang != "en" else "Fold / unfold the legend")
        self.max_share = LEGEND_MAX_SHARE
