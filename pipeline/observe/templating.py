"""The observing commands' Jinja2 templates (pipeline/templates/), rendered strictly."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2


@cache
def _environment(html: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("pipeline", "templates"),
                             undefined=jinja2.StrictUndefined, autoescape=html,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md"] = markdown_text
    return env


def render(name: str, **variables: Any) -> str:
    """Templates ending in .html are autoescaped; markdown ones use the `md` filter instead."""
    return _environment(name.endswith(".html.j2")).get_template(name).render(**variables)


def markdown_text(value: object, limit: int = 160) -> str:
    """Untrusted text on one table cell: no pipes, no HTML, no @mentions, no line breaks."""
    text = " ".join(str(value).split())
    text = text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("@", "@\u200b")
    return text if len(text) <= limit else text[: limit - 1] + "…"
