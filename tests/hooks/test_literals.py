from __future__ import annotations

import re

import pytest

from pipeline.precommit.literals import WORD, required
from tests.hooks.support import LINES, PATTERNS


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_requirement_never_hides_a_match(pattern: str) -> None:
    literal, word = required(pattern)
    for line in LINES:
        if re.search(pattern, line):
            assert literal in line, (pattern, line)
            assert not word or word in WORD.findall(line), (pattern, line)


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\blegacy_api_5\(", ("legacy_api_5(", "legacy_api_5")),
    (r"import deprecated_mod\b", ("import deprecated_mod", "deprecated_mod")),
    (r"eval\(", ("eval(", "")),
    ("colou?r", ("colo", "")),
    ("foo|bar", ("", "")),
    ("(?i)foo", ("", "")),
])  # fmt: skip
def test_what_is_read(pattern: str, expected: tuple[str, str]) -> None:
    assert required(pattern) == expected
