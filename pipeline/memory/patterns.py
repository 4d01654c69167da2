"""A lesson's check pattern: RE2, so the commit hook runs in time linear in the change.

Python's `re` backtracks: `a*a*a*a*a*a*a*a*a*a*b` against a line of `a`s ran for minutes in
the commit hook (issue #12). RE2 (google-re2) never backtracks; what it cannot compile
(back-references, look-around) is refused when the lesson is added, imported or learned.
Cheap to import, so the commit hook can. A bare `python3` running the hook from a pinned
clone of the hooks repository may lack google-re2: there the hook falls back to `re` under
its own time cap (precommit/lessons.py) and says so.
"""

from __future__ import annotations

import re
from typing import Protocol

try:
    import re2
except ImportError:  # pragma: no cover - only a bare interpreter running the hook
    re2 = None

HAS_RE2 = re2 is not None

MAX_PATTERN_LENGTH = 300


class Match(Protocol):
    def start(self) -> int: ...


class Pattern(Protocol):
    def search(self, text: str, pos: int = 0, /) -> Match | None: ...


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # the reason comes back in the exception, not on stderr
    return options


def compile_pattern(pattern: str, *, multiline: bool = False) -> Pattern:
    """The pattern compiled by RE2; ValueError says why it cannot be."""
    if not pattern or len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"check pattern must be 1 to {MAX_PATTERN_LENGTH} characters")
    if re2 is None:
        try:
            return re.compile(pattern, re.MULTILINE if multiline else 0)
        except re.error as exc:
            raise ValueError(f"check pattern is not a valid regular expression: {exc}") from None
    try:
        compiled: Pattern = re2.compile(f"(?m){pattern}" if multiline else pattern, _options())
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(f"check pattern is not a regular expression RE2 can run in linear "
                         f"time ({reason}): back-references and look-arounds are not "
                         "supported") from None
    return compiled


def validate_pattern(pattern: str) -> str:
    """Refuse patterns RE2 cannot compile."""
    compile_pattern(pattern)
    return pattern
