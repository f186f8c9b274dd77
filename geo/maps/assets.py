"""Leaflet 1.9.4's own files, from the PyPI package django-js-lib-leaflet (BSD), never a CDN.

Two ways to use them:
- in the app, :func:`install_static` copies them under ``static/vendor/leaflet/`` which Streamlit
  serves at ``/app/static/vendor/leaflet/`` (``server.enableStaticServing``);
- in a standalone HTML file, :func:`inline_css` and :func:`inline_js` give the text to embed, the
  CSS with its images as ``data:`` URIs, so the file needs no network at all.
"""

from __future__ import annotations

import base64
import functools
import importlib.resources
import re
import shutil
from pathlib import Path

from ..paths import REPO_ROOT

LEAFLET_VERSION = "1.9.4"
STATIC_DIR = REPO_ROOT / "static" / "vendor" / "leaflet"
STATIC_URL = "/app/static/vendor/leaflet"
_FILES = ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
          "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png")


def package_dir() -> Path:
    return Path(str(importlib.resources.files("js_lib_leaflet") / "static" / "js_lib_leaflet"))


def install_static(dest: Path = STATIC_DIR) -> Path:
    """Copy Leaflet's files where Streamlit serves static files (idempotent)."""
    src = package_dir()
    for rel in _FILES:
        target = dest / rel
        if not target.is_file() or target.stat().st_size != (src / rel).stat().st_size:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / rel, target)
    return dest


@functools.lru_cache(maxsize=1)
def inline_js() -> str:
    return (package_dir() / "leaflet.js").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def inline_css() -> str:
    css = (package_dir() / "leaflet.css").read_text(encoding="utf-8")
    root = package_dir()

    def data_uri(m: re.Match) -> str:
        path = root / m.group(1)
        b64 = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{b64})"

    css = re.sub(r"url\((images/[a-z0-9\-]+\.png)\)", data_uri, css)
    return drop_unused_css(minify_css(css))


# Selectors the exports never use: no popups, no default marker icon (the marks are divIcons), no
# Internet Explorer-only rules; and the layer button's double-resolution image (a high-density
# screen shows the normal one, scaled). About 6 KB of Leaflet's 15.7 KB inlined stylesheet (issue 13).
_UNUSED = re.compile(r"popup|leaflet-oldie|vml|leaflet-default-icon-path|leaflet-retina")


def drop_unused_css(css: str) -> str:
    """Leave out of a minified stylesheet the top-level rules' selectors matching ``_UNUSED`` (a
    rule loses only those selectors of its list; a rule left with none goes). Nested blocks
    (``@media``) are kept as they are."""
    out, i, n = [], 0, len(css)
    while i < n:
        j = css.find("{", i)
        if j < 0:
            out.append(css[i:])
            break
        sel = css[i:j]
        depth, k = 1, j + 1
        while k < n and depth:
            depth += {"{": 1, "}": -1}.get(css[k], 0)
            k += 1
        body = css[j:k]
        if sel.lstrip().startswith("@") or body.count("{") > 1:
            out.append(sel + body)
        else:
            keep = [x for x in sel.split(",") if not _UNUSED.search(x)]
            if keep:
                out.append(",".join(keep) + body)
        i = k
    return "".join(out)


def minify_css(css: str) -> str:
    """Comments and layout whitespace out (the export carries Leaflet's 14 KB stylesheet inline)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r"\s*([{};,>])\s*", r"\1", css)
    css = re.sub(r"\{[^{}]*\}", lambda m: m.group(0).replace(": ", ":"), css)
    return css.replace(";}", "}").strip()


def app_js() -> list[tuple[str, str]]:
    return [("leaflet", f"{STATIC_URL}/leaflet.js")]


def app_css() -> list[tuple[str, str]]:
    return [("leaflet_css", f"{STATIC_URL}/leaflet.css")]
