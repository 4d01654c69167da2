"""The one tracking comment per issue or PR: a readable checklist plus hidden machine state."""

from __future__ import annotations

import json
import re
from typing import Any

from pipeline.forge.types import Comment
from pipeline.protocols import Forge

MARKER = "<!-- factory:state "


def hidden(name: str, state: dict[str, Any]) -> str:
    """Machine state as an HTML comment a forge renders invisibly: `<!-- factory:NAME {...} -->`."""
    # "--" would end the HTML comment early; JSON never needs it outside strings.
    encoded = json.dumps(state, sort_keys=True, separators=(",", ":")).replace("--", "-\\u002d")
    return f"<!-- factory:{name} {encoded} -->"


def read_hidden(name: str, text: str) -> dict[str, Any] | None:
    match = re.search(rf"<!-- factory:{re.escape(name)} (\{{.*?\}}) -->", text, re.DOTALL)
    if not match:
        return None
    try:
        value = json.loads(match.group(1))
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def render(body: str, state: dict[str, Any]) -> str:
    return f"{body.rstrip()}\n\n{hidden('state', state)}\n"


def parse_state(body: str) -> dict[str, Any] | None:
    return read_hidden("state", body)


def find(forge: Forge, number: int) -> Comment | None:
    """The factory's tracking comment on number; the oldest wins if a race ever made two."""
    for comment in forge.comments(number):
        if comment.by_factory and MARKER in comment.body:
            return comment
    return None


def read_state(forge: Forge, number: int) -> dict[str, Any] | None:
    comment = find(forge, number)
    return parse_state(comment.body) if comment else None


def upsert(forge: Forge, number: int, body: str, state: dict[str, Any]) -> Comment:
    """Edit the tracking comment in place, or create it once; unchanged text is not re-sent."""
    text = render(body, state)
    existing = find(forge, number)
    if existing is None:
        return forge.post_comment(number, text)
    if existing.body != text:
        forge.edit_comment(existing.id, text)
    return existing
