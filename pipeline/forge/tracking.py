"""The one tracking comment per issue or PR: a readable checklist plus hidden machine state."""

from __future__ import annotations

import json
import re
from typing import Any

from pipeline.forge.types import Comment
from pipeline.protocols import Forge

MARKER = "<!-- factory:state "
_STATE = re.compile(r"<!-- factory:state (\{.*?\}) -->", re.DOTALL)


def _encode(state: dict[str, Any]) -> str:
    # "--" would end the HTML comment early; JSON never needs it outside strings.
    return json.dumps(state, sort_keys=True, separators=(",", ":")).replace("--", "-\\u002d")


def render(body: str, state: dict[str, Any]) -> str:
    return f"{body.rstrip()}\n\n{MARKER}{_encode(state)} -->\n"


def parse_state(body: str) -> dict[str, Any] | None:
    match = _STATE.search(body)
    if not match:
        return None
    try:
        value = json.loads(match.group(1))
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


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
