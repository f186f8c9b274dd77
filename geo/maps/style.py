"""The maps' look: THE palette (categories, routes, border), outlines, hatch patterns, panes, CSS.

Sober, for an official setting and a projector: muted paper background, thin dark-grey commune
outlines, the programme's colours (drug-free green; class I/II/III dark red/orange/yellow; other
grey), "no data" as a grey diagonal hatch on white and class I as its dark red crossed by a light
hatch (SVG ``<pattern>`` elements injected into the commune layer's own SVG renderer, so
``fill: url(#tq-hatch)`` works without any plugin or CDN). System fonts only (offline export).

Palette rules (checked by tests/test_palette.py on the colours of the HTML export, after
simulating protanopia and deuteranopia with the Machado 2009 model of ``colorspacious``):
- any two categories (fills as drawn: ``FILL_OPACITY`` over ``BACKGROUND``) stay ≥ 20 apart
  (CIE76 ΔE in CIELab) for normal, protan and deutan vision;
- drug-free and class I differ by ≥ 20 L* (they stay apart on a greyscale print);
- route lines stay ≥ 20 ΔE from each other and from every category for normal vision and ≥ 18
  under simulation (measured 19); they also differ by dash pattern and carry a label, so colour is never alone.
"""

from __future__ import annotations

import json

import folium
from branca.element import Element, MacroElement
from folium.template import Template

from ..model import CAT_CLASS_I, CAT_CLASS_II, CAT_CLASS_III, CAT_DRUG_FREE, CAT_NO_DATA, CAT_OTHER, CATEGORIES

# THE category palette (moved here from geo.model; geo.model.CATEGORY_COLOURS is an alias).
# Drug-free is green ("vùng xanh") but light and bluish; class I is a dark red, so the two never
# meet under red–green colour blindness nor on a greyscale print (L* 67 vs 30).
CATEGORY_COLOURS = {
    CAT_DRUG_FREE: "#43b86a",
    CAT_CLASS_I: "#8b1a1a",
    CAT_CLASS_II: "#d9660b",
    CAT_CLASS_III: "#f6dd3a",
    CAT_OTHER: "#a5a4a2",
    CAT_NO_DATA: "#ffffff",
}
FILL_OPACITY = 0.9

HATCH_ID = "tq-hatch"
HATCH_FILL = f"url(#{HATCH_ID})"
HATCH_DEFS = (
    f'<pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="7" height="7" '
    'patternTransform="rotate(45)">'
    '<rect width="7" height="7" fill="#ffffff"></rect>'
    '<line x1="0" y1="0" x2="0" y2="7" stroke="#6d6d6d" stroke-width="2.2"></line></pattern>'
)
# Class I: its colour crossed by a thin light hatch (reads as "hatched" on a greyscale print).
HATCH_I_ID = "tq-hatch-I"
HATCH_I_FILL = f"url(#{HATCH_I_ID})"
HATCH_DEFS += (
    f'<pattern id="{HATCH_I_ID}" patternUnits="userSpaceOnUse" width="8" height="8" '
    'patternTransform="rotate(-45)">'
    f'<rect width="8" height="8" fill="{CATEGORY_COLOURS[CAT_CLASS_I]}"></rect>'
    '<line x1="0" y1="0" x2="0" y2="8" stroke="#e6b3b3" stroke-width="1.3"></line></pattern>'
)
# The same hatches for HTML swatches (legend), as CSS.
HATCH_CSS = "background:repeating-linear-gradient(45deg,#ffffff 0 3px,#6d6d6d 3px 5px);"
HATCH_I_CSS = (f"background:repeating-linear-gradient(-45deg,{CATEGORY_COLOURS[CAT_CLASS_I]} 0 4px,"
               "#e6b3b3 4px 5px);")

OUTLINE = "#4a4a4a"
FONT = '"Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif'
BACKGROUND = "#f4f1ea"

# Symbols carried by legend swatches, so the legend reads without colour.
CATEGORY_SYMBOLS = {"drug_free": "✓", "class_I": "I", "class_II": "II", "class_III": "III",
                    "other": "–", "no_data": ""}
# Text colour on each swatch (contrast ≥ 4.5 against the fill).
SYMBOL_COLOURS = {"drug_free": "#1a1a1a", "class_I": "#ffffff", "class_II": "#1a1a1a",
                  "class_III": "#1a1a1a", "other": "#1a1a1a", "no_data": "#1a1a1a"}

BASE_STYLE = {"color": OUTLINE, "weight": 0.7, "opacity": 0.9, "fillOpacity": FILL_OPACITY,
              "className": "tq-commune"}
HOVER_STYLE = {"weight": 2.6, "color": "#000000", "opacity": 1}
FADED = {"fillOpacity": 0.22, "opacity": 0.45}
FOCUS = {"weight": 4, "color": "#111111", "opacity": 1}


def commune_state(st: dict, *, faded: bool = False, focused: bool = False) -> dict:
    """A commune's style faded (a filter does not keep it) and/or outlined (the searched commune):
    the one rule for both, used by geo.maps.views and by the app's filtered maps (geo.maps.live)."""
    return {**st, **(FADED if faded else {}), **(FOCUS if focused else {})}

# Leaflet panes (z-index): communes < outlines < corridors < routes < border. All panes let the
# pointer through; interactive paths take it back (Leaflet's CSS), so lower tooltips still work.
PANES = (("tq-communes", 410), ("tq-outline", 420), ("tq-corridors", 430), ("tq-routes", 440),
         ("tq-border", 445))

# Route lines (drawn over a white casing), in route order; chosen by a search maximising the
# smallest ΔE to each other and to the categories under normal, protan and deutan vision.
ROUTE_COLOURS = ("#2127cd", "#2f0804", "#b440d9", "#a97540", "#1f0752", "#5e083e")
# Each route also has its own dash pattern (colour is never the only difference).
ROUTE_DASHES = (None, "12 5", None, "2 6", "14 4 3 4", "8 4")
ROUTE_CASING = "#ffffff"
BORDER_COLOUR = "#e81cae"


def category_fill(cat: str) -> str:
    """Leaflet ``fillColor`` for a category (hatch patterns for no data and class I)."""
    if cat == CAT_NO_DATA or cat not in CATEGORIES:
        return HATCH_FILL
    if cat == CAT_CLASS_I:
        return HATCH_I_FILL
    return CATEGORY_COLOURS[cat]


def category_swatch_css(cat: str) -> str:
    """CSS background of a legend swatch for ``cat`` (with the same hatch as the map)."""
    if cat == CAT_NO_DATA or cat not in CATEGORIES:
        return HATCH_CSS
    if cat == CAT_CLASS_I:
        return HATCH_I_CSS
    return f"background:{CATEGORY_COLOURS[cat]};"


def category_style(cat: str) -> dict:
    st = {"fillColor": category_fill(cat)}
    if cat == CAT_NO_DATA:
        st["fillOpacity"] = 0.9
    return st


def swatch_html(fill: str | None, symbol: str = "", text_colour: str = "#1a1a1a", hatch: bool = False,
                line: str | None = None, dashed: bool = False) -> str:
    """A legend swatch: a filled square with a symbol, a hatched square, or a line sample."""
    if line:
        border = "dashed" if dashed else "solid"
        return (f'<span class="tq-sw tq-sw-line" aria-hidden="true">'
                f'<span style="border-top:4px {border} {line}"></span></span>')
    if hatch:
        bg = HATCH_CSS
    elif fill == CATEGORY_COLOURS[CAT_CLASS_I]:
        bg = HATCH_I_CSS  # class I is hatched on the map: so is its swatch
    else:
        bg = f"background:{fill};"
    return (f'<span class="tq-sw" aria-hidden="true" style="{bg}color:{text_colour}">{symbol}</span>')


CSS = f"""
.leaflet-container {{ background:{BACKGROUND}; font-family:{FONT}; }}
.tq-panel {{ background:rgba(255,255,255,.96); color:#1f1f1f; border:1px solid #b9b9b9;
  border-radius:3px; box-shadow:0 1px 4px rgba(0,0,0,.18); padding:8px 11px; font-family:{FONT}; }}
.tq-legend {{ font-size:13.5px; line-height:1.3; min-width:230px; max-width:340px; }}
.tq-legend h4 {{ margin:0 0 6px; font-size:14.5px; font-weight:700; letter-spacing:.01em; }}
.tq-legend ul {{ list-style:none; margin:0; padding:0; }}
.tq-legend li {{ display:flex; align-items:center; gap:8px; margin:3px 0; }}
.tq-legend .tq-lbl {{ flex:1; overflow-wrap:anywhere; }}
.tq-legend .tq-n {{ font-weight:700; min-width:2.2em; text-align:right; font-variant-numeric:tabular-nums; }}
.tq-legend .tq-total {{ border-top:1px solid #ccc; margin-top:5px; padding-top:4px; }}
.tq-legend .tq-sub {{ margin-top:7px; font-size:12.5px; color:#444; }}
.tq-sw {{ display:inline-flex; align-items:center; justify-content:center; width:24px; height:17px;
  border:1px solid #555; font-size:11px; font-weight:700; flex:none; box-sizing:border-box; }}
.tq-sw-line {{ border:none; background:none; }}
.tq-sw-line span {{ display:block; width:24px; }}
.tq-tip {{ font-family:{FONT}; font-size:13px; line-height:1.35; max-width:340px; white-space:normal;
  border-radius:3px; border:1px solid #888; }}
.tq-tip b {{ font-size:14px; }}
.tq-tip .tq-k {{ color:#555; }}
.tq-label {{ background:rgba(255,255,255,.88); border:1px solid #777; border-radius:2px;
  box-shadow:none; padding:1px 5px; font:700 12px {FONT}; color:#222; }}
.tq-label:before {{ display:none; }}
.tq-demo {{ background:#fff8e1; border:3px solid #b71c1c; color:#b71c1c; text-align:center;
  padding:6px 18px 7px; border-radius:3px; box-shadow:0 2px 8px rgba(0,0,0,.25); font-family:{FONT};
  pointer-events:none; max-width:640px; }}
.tq-demo .tq-demo-mark {{ font-size:26px; font-weight:800; letter-spacing:.06em; line-height:1.1; }}
.tq-demo .tq-demo-note {{ font-size:12.5px; color:#5d1010; margin-top:2px; }}
.tq-demo.tq-demo-compact {{ padding:2px 10px; border-width:2px; }}
.tq-demo.tq-demo-compact .tq-demo-mark {{ font-size:15px; }}
.leaflet-top.tq-center {{ left:50%; transform:translateX(-50%); }}
.leaflet-top.tq-center .leaflet-control {{ float:none; margin-left:0; }}
.leaflet-control-layers {{ font-family:{FONT}; font-size:13px; }}
.tq-legend {{ position:relative; max-height:calc(100vh - 140px); overflow:auto; }}
.tq-legend h4 {{ padding-right:26px; }}
.tq-fold {{ position:absolute; top:5px; right:5px; width:24px; height:24px; padding:0; display:flex;
  align-items:center; justify-content:center; border:1px solid #999; border-radius:3px; background:#fff;
  color:#222; cursor:pointer; }}
.tq-fold:focus-visible {{ outline:2px solid #0b57d0; outline-offset:1px; }}
.tq-legend.tq-folded {{ min-width:0; }}
.tq-legend.tq-folded ul, .tq-legend.tq-folded .tq-sub {{ display:none; }}
.tq-legend.tq-folded h4 {{ margin:0; }}
.tq-legend.tq-folded .tq-fold svg {{ transform:rotate(180deg); }}
.tq-demo {{ max-width:min(640px, 46vw); }}
.tq-legend.tq-legend-side {{ min-width:0 !important; max-height:none; overflow:visible; }}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] > div {{ white-space:normal !important;
  overflow:visible !important; text-overflow:clip !important; overflow-wrap:anywhere; line-height:1.15; }}
.leaflet-control-scale-line + .leaflet-control-scale-line {{ display:none; }}
.leaflet-control-scale-line {{ font-size:12px; }}
"""


class Layout(MacroElement):
    """Keeps the map's own controls apart on small screens: when the demo banner (top centre)
    overlaps the title (top left) or the layer control (top right), those corners move below it;
    and the view is refitted so the banner does not hide the north of what the view shows."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
          function hit(a, b) { return !(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top); }
          function layout(refit) {
            var box = map.getContainer(), mark = box.querySelector("#tq-demo-mark");
            var corners = [box.querySelector(".leaflet-top.leaflet-left"), box.querySelector(".leaflet-top.leaflet-right")];
            corners.forEach(function (c) { if (c) c.style.top = ""; });
            if (!mark) return;
            var r = mark.getBoundingClientRect(), top0 = box.getBoundingClientRect().top;
            corners.forEach(function (c) {
              if (!c) return;
              var over = Array.prototype.some.call(c.children, function (k) { return hit(k.getBoundingClientRect(), r); });
              if (over) c.style.top = (r.bottom - top0 + 4) + "px";
            });
            // the view's extent starts below the banner (it must not hide the north of the province)
            var b = map._tqBounds, pad = r.bottom - top0 + 4;
            if (refit && b && map._animatingZoom) { map.once("zoomend", function () { layout(true); }); return; }
            if (refit && b && map.latLngToContainerPoint(b.getNorthWest()).y < pad && map.getSize().y > 3 * pad) {
              map.fitBounds(b, {paddingTopLeft: [0, pad], paddingBottomRight: [0, 4], animate: false});
            }
          }
          {% if this.fit %}map._tqBounds = L.latLngBounds({{ this.fit }});{% endif %}
          map.on("resize", function () { layout(true); });
          map.whenReady(function () { setTimeout(function () { layout(true); }, 0); });
          map.getContainer().addEventListener("click", function () { setTimeout(function () { layout(false); }, 0); });
          window.tqLayout = layout;
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "TqLayout"
        self.fit = None

    def render(self, **kwargs):
        # the bounds the view was fitted to, kept on the map (map._tqBounds) so a page that resizes
        # the map (the page fit, static/tq-live.js pageFit; the wall view) can fit the same extent again
        from folium.map import FitBounds

        fb = next((c for c in self._parent._children.values() if isinstance(c, FitBounds)), None)
        self.fit = json.dumps(fb.bounds) if fb is not None else None
        super().render(**kwargs)


class Panes(MacroElement):
    """Creates the custom panes once (must be added to the map before any layer)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
          {% for name, z in this.panes %}
          if (!map.getPane({{ name|tojson }})) {
            var p = map.createPane({{ name|tojson }});
            p.style.zIndex = {{ z }}; p.style.pointerEvents = "none";
          }
          {% endfor %}
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "TqPanes"
        self.panes = PANES


# The commune marks (symbols and names, geo.maps.labels), added to every map with the rest.
MARKS_CSS = """
.tq-mark { background:none; border:none; }
.tq-mark-in { position:absolute; left:0; top:0; transform:translate(-50%,-50%); display:flex; flex-direction:column;
  align-items:center; white-space:nowrap; pointer-events:none; }
.tq-mark.tq-hidden { visibility:hidden; }
.tq-sym { display:inline-flex; align-items:center; justify-content:center; min-width:17px; height:17px;
  padding:0 3px; box-sizing:border-box; border-radius:9px; background:#ffffff; color:#111111;
  border:1.2px solid #222222; font:800 10.5px/1 %(font)s; box-shadow:0 0 0 1px rgba(255,255,255,.8); }
.tq-sym svg { display:block; }
.tq-cn { display:none; margin-top:1px; font:600 12.5px/1.15 %(font)s; color:#151515; letter-spacing:.01em;
  text-shadow:0 0 2px #fff,0 0 2px #fff,1px 1px 0 #fff,-1px -1px 0 #fff,1px -1px 0 #fff,-1px 1px 0 #fff; }
.tq-mark.tq-named .tq-cn { display:block; }
.tq-marks-small .tq-sym { min-width:14px; height:14px; padding:0 2px; border-radius:7px; font-size:8.5px; border-width:1px; }
.tq-marks-small .tq-sym svg { width:9px; height:9px; }
@media (min-width: 2500px) {
  .tq-sym { min-width:28px; height:28px; border-radius:14px; font-size:17px; border-width:2px; }
  .tq-sym svg { width:18px; height:18px; }
  .tq-cn { font-size:21px; }
  .tq-label { font-size:20px !important; padding:2px 8px !important; }
}
"""


def apply(m: folium.Map) -> folium.Map:
    """Add the CSS and panes every view needs (idempotent)."""
    root = m.get_root()
    if "tq_style" not in root.header._children:
        root.header.add_child(Element(f"<style>{CSS}{MARKS_CSS.replace('%(font)s', FONT)}</style>"), name="tq_style")
    if not any(isinstance(c, Panes) for c in m._children.values()):
        Panes().add_to(m)
    if not any(isinstance(c, Layout) for c in m._children.values()):
        Layout().add_to(m)
    return m
