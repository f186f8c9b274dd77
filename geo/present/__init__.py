"""Presentation mode (Trình chiếu): a full-screen slideshow for the briefing-room projector.

    slides = load_slides(store) or default_slides(store, 2025)
    page = slides_html(store, 2025, slides, lang="vi", auto_advance_s=None)   # ONE offline .html
    save_slides(store, slides, user="lan")                                      # validated, or PresentError

- :mod:`geo.present.slides`: the slide list (default order, validation, load/save through the store)
- :mod:`geo.present.deck`: the document (folium maps composed in one branca Figure; static/present.css, .js)
- :mod:`geo.present.chart`: the progress chart (inline SVG)
- :mod:`geo.present.cli`: ``python -m geo export slides``
"""

from .chart import progress_svg
from .cli import add_slides_parser, export_slides
from .deck import slides_html
from .slides import (KINDS, MAX_SLIDES, MAX_TITLE, SETTINGS_KEY, PresentError, default_slides, load_slides,
                     resolve_slides, save_slides, slide_label, validate_slides)

__all__ = ["KINDS", "MAX_SLIDES", "MAX_TITLE", "SETTINGS_KEY", "PresentError", "default_slides", "validate_slides",
           "resolve_slides", "load_slides", "save_slides", "slide_label", "slides_html", "progress_svg",
           "export_slides", "add_slides_parser"]
