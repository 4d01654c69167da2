"""Safety rules for a lesson's check pattern; stdlib only, so commit hooks can import it cheaply."""

from __future__ import annotations

import re

MAX_PATTERN_LENGTH = 300

# A quantified group that itself contains a quantifier — `(a+)+`, `(\w*)*`, `(a|ab)*` — is
# the shape behind catastrophic backtracking; hooks run these patterns on every commit.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")
_ALTERNATION_REPEATED = re.compile(r"\((?:[^()\\]|\\.)*\|(?:[^()\\]|\\.)*\)\s*[+*{]")


def compile_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """The pattern compiled, once it is known to be safe; ValueError says why it is not."""
    if not pattern or len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"check pattern must be 1 to {MAX_PATTERN_LENGTH} characters")
    if _NESTED_QUANTIFIER.search(pattern) or _ALTERNATION_REPEATED.search(pattern):
        raise ValueError("check pattern has a repeated group that can backtrack catastrophically")
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ValueError(f"check pattern is not a valid regular expression: {exc}") from None


def validate_pattern(pattern: str) -> str:
    """Refuse patterns that do not compile or could backtrack catastrophically."""
    compile_pattern(pattern)
    return pattern
