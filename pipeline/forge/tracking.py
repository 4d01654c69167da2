"""The one tracking comment per issue or PR: a readable checklist plus hidden machine state."""

from __future__ import annotations

import base64
import json
import re
import zlib
from typing import Any

from pipeline.forge.protocol import Forge
from pipeline.forge.types import Comment

MARKER = "<!-- factory:state "
WRITER_KEYS = ("dispatched", "spend")
"""State only the writer sets (the jobs it started, what each job spent), which a role's own
save must not drop; a mapping (spend, by job) is merged with what is there."""
_SECTION = re.compile(r"<!-- factory:section (?P<name>[\w-]+) -->\n.*?\n<!-- /factory:section -->",
                      re.DOTALL)


COMPRESS_OVER = 16_000
"""A larger state is kept compressed (`z:` and base64 of zlib): a 60-task run's state must
fit one comment, which GitHub caps at 65,536 characters."""
MAX_STATE_BYTES = 4_000_000


def hidden(name: str, state: dict[str, Any]) -> str:
    """Machine state as an HTML comment a forge renders invisibly: `<!-- factory:NAME {...} -->`."""
    # "--" would end the HTML comment early; JSON never needs it outside strings.
    encoded = json.dumps(state, sort_keys=True, separators=(",", ":")).replace("--", "-\\u002d")
    if len(encoded) > COMPRESS_OVER:
        packed = base64.b64encode(zlib.compress(encoded.encode(), 9)).decode()
        return f"<!-- factory:{name} z:{packed} -->"
    return f"<!-- factory:{name} {encoded} -->"


def read_hidden(name: str, text: str) -> dict[str, Any] | None:
    match = re.search(rf"<!-- factory:{re.escape(name)} (\{{.*?\}}|z:[A-Za-z0-9+/=]+) -->",
                      text, re.DOTALL)
    if not match:
        return None
    raw = match.group(1)
    try:
        if raw.startswith("z:"):
            inflate = zlib.decompressobj()
            raw = inflate.decompress(base64.b64decode(raw[2:]), MAX_STATE_BYTES).decode()
            if inflate.unconsumed_tail:
                return None  # larger than any state the factory writes: not ours to trust
        value = json.loads(raw)
    except (json.JSONDecodeError, ValueError, zlib.error, UnicodeDecodeError):
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


def sections(body: str) -> dict[str, str]:
    """The named sections of a tracking comment's text (the detection verdict), whole."""
    return {match.group("name"): match.group(0) for match in _SECTION.finditer(body)}


def with_section(body: str, name: str, text: str) -> str:
    """body with section name set to text (replaced in place, or appended)."""
    block = f"<!-- factory:section {name} -->\n{text.strip()}\n<!-- /factory:section -->"
    found = sections(body).get(name)
    if found is not None:
        return body.replace(found, block)
    return f"{body.rstrip()}\n\n{block}"


def upsert(forge: Forge, number: int, body: str, state: dict[str, Any]) -> Comment:
    """Edit the tracking comment in place, or create it once; unchanged text is not re-sent.
    What only the writer records (WRITER_KEYS, sections such as the detection verdict)
    survives a role's save."""
    existing = find(forge, number)
    if existing is not None:
        earlier = parse_state(existing.body) or {}
        state = {**state, **{k: _kept(earlier[k], state.get(k)) for k in WRITER_KEYS
                             if k in earlier}}
        for name, block in sections(existing.body).items():
            if name not in sections(body):
                body = f"{body.rstrip()}\n\n{block}"
    text = render(body, state)
    if existing is None:
        return forge.post_comment(number, text)
    if existing.body != text:
        forge.edit_comment(existing.id, text)
    return existing


def set_section(forge: Forge, number: int, name: str, text: str) -> bool:
    """Show text as section name of number's tracking comment; False if there is none."""
    existing = find(forge, number)
    if existing is None:
        return False
    visible = existing.body.split(f"\n\n{MARKER}", 1)[0]
    updated = render(with_section(visible, name, text), parse_state(existing.body) or {})
    if updated != existing.body:
        forge.edit_comment(existing.id, updated)
    return True


def _kept(earlier: Any, new: Any) -> Any:
    """A writer key's value after a save: mappings merged (new entries win), else the new value
    if there is one, else the earlier."""
    if isinstance(earlier, dict) and isinstance(new, dict):
        return {**earlier, **new}
    return earlier if new is None else new


def remember(forge: Forge, number: int, values: dict[str, Any]) -> bool:
    """Set keys of the tracking state (a mapping: merged into the one there), keeping the
    visible text; False if there is none."""
    existing = find(forge, number)
    if existing is None:
        return False
    visible = existing.body.split(f"\n\n{MARKER}", 1)[0]
    earlier = parse_state(existing.body) or {}
    text = render(visible, {**earlier, **{key: _kept(earlier.get(key), value)
                                          for key, value in values.items()}})
    if text != existing.body:
        forge.edit_comment(existing.id, text)
    return True
