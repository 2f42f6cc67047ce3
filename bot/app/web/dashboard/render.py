"""Pages from Jinja2 templates (autoescaped), with the headers every dashboard response carries."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from markupsafe import Markup

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"

#: No script at all, styles only from our own file, forms only to ourselves, never in a frame.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # A login link is a secret in a URL, and pages name places: no Referer leaves the site.
    "Referrer-Policy": "no-referrer",
    # Figures about people: no shared cache keeps them, the back button asks again.
    "Cache-Control": "private, no-store",
}

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def page(template: str, context: Mapping[str, Any], *, status: int = 200) -> web.Response:
    body = _env.get_template(template).render(**context)
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8",
                        headers=SECURITY_HEADERS)


def download(content: bytes, content_type: str, disposition: str) -> web.Response:
    return web.Response(body=content, headers={**SECURITY_HEADERS, "Content-Type": content_type,
                                               "Content-Disposition": disposition})


def markup(svg: str) -> Markup:
    """SVG we wrote ourselves (every text in it escaped), to be placed as it is."""
    return Markup(svg)
