"""One escaping helper per target: every text that comes from data or a user (route id, name and
description, commune note, decision, source, user names, slide titles) passes through the helper
of the place it goes to, never straight in.

    html_text("<b>")        -> "&lt;b&gt;"            HTML element content
    html_attr('a"b')        -> "a&quot;b"              HTML attribute value (always quoted)
    title_text(...)         -> for <title> and other RCDATA (same escaping; newlines folded)
    markdown_text("[x](y)") -> "\\[x\\]\\(y\\)"        Streamlit Markdown: no link, image or HTML
    mpl_text("$5")          -> "\\$5"                  matplotlib text (no mathtext)
    excel_cell("=1+1")      -> "'=1+1"                 spreadsheet cell (no live formula)
    json_script(obj)        -> JSON safe inside <script> (no "</script>", no "<!--")
"""

from __future__ import annotations

import html as _html
import json
import re
from typing import Any

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def html_text(value: Any) -> str:
    return _html.escape(_s(value), quote=True)


def html_attr(value: Any) -> str:
    return _html.escape(_s(value), quote=True)


def title_text(value: Any) -> str:
    return _html.escape(" ".join(_s(value).split()), quote=True)


def markdown_text(value: Any) -> str:
    """Text shown through ``st.markdown``/``st.write``: every Markdown and HTML special character is
    backslash-escaped, so no link, image, heading or tag is formed; line breaks are kept."""
    return _MD_SPECIAL.sub(r"\\\1", _s(value))


def mpl_text(value: Any) -> str:
    """Text for matplotlib: ``$`` would start mathtext (and crash on unbalanced input). Every ``$``
    is escaped, so the text is never math and matplotlib prints it as typed (it turns ``\\$`` back
    into ``$``); a backslash outside mathtext is printed as is, so it is left alone."""
    return _s(value).replace("$", r"\$")


def excel_cell(value: Any) -> Any:
    """A value for a spreadsheet cell: strings that a spreadsheet would read as a formula get a
    leading apostrophe (numbers, dates and None pass unchanged)."""
    if isinstance(value, str) and value[:1] in _FORMULA_LEAD:
        return "'" + value
    return value


def json_script(obj: Any) -> str:
    """JSON that can sit inside an inline ``<script>``: ``<``, ``>``, ``&`` and line separators escaped."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


__all__ = ["html_text", "html_attr", "title_text", "markdown_text", "mpl_text", "excel_cell", "json_script"]
