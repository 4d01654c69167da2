"""What every match of a regular expression must contain, read from the pattern alone.

factory-lessons screens a thousand patterns against a change with this: a pattern whose
required word or literal is absent from the change is never compiled nor run. The reading
is conservative: what it does not understand (alternation at the top level, inline flags,
back-references, numeric escapes) yields no requirement, and the pattern is run in full.
"""

from __future__ import annotations

import re

WORD = re.compile(r"\w+")
_TOKEN = re.compile(
    r"(?P<plain>[^\\\[\](){}?*+|.^$]+)"
    r"|(?P<escape>\\.?)"
    r"|(?P<quantifier>[?*+]|\{\d*,?\d*\})"
    r"|(?P<other>.)",
    re.DOTALL,
)
_FLAGS = re.compile(r"\(\?[aiLmsux-]")
_CONTROL = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


class _Run:
    """Literal text the pattern matches in one piece; a bound edge is known to meet a
    non-word character (or the line's start or end) in every match."""

    __slots__ = ("left_bound", "right_bound", "text")

    def __init__(self, left_bound: bool = False) -> None:
        self.text = ""
        self.left_bound = left_bound
        self.right_bound = False


def _skip_class(pattern: str, i: int) -> int:
    """Index after the character class opening at i."""
    i += 1
    i += pattern.startswith("^", i)
    i += pattern.startswith("]", i)
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def _skip_group(pattern: str, i: int) -> int:
    """Index after the group opening at i."""
    depth = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _skip_class(pattern, i)
            continue
        depth += 1 if char == "(" else -1 if char == ")" else 0
        i += 1
        if depth == 0:
            break
    return i


def _runs(pattern: str) -> list[_Run] | None:
    runs: list[_Run] = []
    run = _Run()

    def end(bound: bool) -> _Run:
        if run.text:
            run.right_bound = bound
            runs.append(run)
            return _Run(bound)
        return _Run(bound or run.left_bound)

    i = 0
    while i < len(pattern):
        token = _TOKEN.match(pattern, i)
        assert token is not None  # the last alternative matches any character
        kind, text = token.lastgroup, token[0]
        i = token.end()
        if kind == "plain":
            run.text += text
        elif kind == "escape":
            code = text[1:]
            if code in ("b", "A", "Z"):
                run = end(True)
            elif code in ("s", "W"):
                # One whitespace or non-word character, unless it is optional.
                run = end(not pattern.startswith(("?", "*", "{"), i))
            elif code in ("B", "d", "D", "S", "w"):
                run = end(False)
            elif code in _CONTROL:
                run.text += _CONTROL[code]
            elif not code or code.isalnum():
                return None
            else:
                run.text += code
        elif kind == "quantifier":
            if text == "+":
                run = end(False)
            elif run.text:
                # `?`, `*` or `{m,n}`: the last character may be absent (or repeated).
                run.text = run.text[:-1]
                run = end(False)
            i += pattern.startswith(("?", "+"), i)  # lazy or possessive
        elif text == "|" or _FLAGS.match(pattern, i - 1):
            return None
        elif text in "^$":
            run = end(True)
        elif text == "(":
            i = _skip_group(pattern, i - 1)
            run = end(False)
        elif text == "[":
            i = _skip_class(pattern, i - 1)
            run = end(False)
        elif text == ".":
            run = end(False)
        else:
            run.text += text  # a `{`, `}` or `]` Python reads as itself
    end(False)
    return runs


def required(pattern: str) -> tuple[str, str]:
    """(literal, word): a substring of every match, and a whole \\w+ word of every matching
    line; either is '' when none is known."""
    runs = _runs(pattern)
    if not runs:
        return "", ""
    literal = max((run.text for run in runs), key=len)
    word = ""
    for run in runs:
        for match in WORD.finditer(run.text):
            whole = (match.start() > 0 or run.left_bound) and (
                match.end() < len(run.text) or run.right_bound
            )
            if whole and len(match[0]) > len(word):
                word = match[0]
    return literal, word
