from __future__ import annotations

import re

import pytest

from pipeline.hooks.literals import WORD, Required, required
from tests.hooks.support import LINES, PATTERNS


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_requirement_never_hides_a_match(pattern: str) -> None:
    need = required(pattern)
    for line in LINES:
        if re.search(pattern, line):
            assert need.literal in line, (pattern, line, need)
            assert not need.word or need.word in WORD.findall(line), (pattern, line, need)


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\blegacy_api_5\(", Required("legacy_api_5(", "legacy_api_5")),
    (r"import deprecated_mod\b", Required("import deprecated_mod", "deprecated_mod")),
    (r"eval\(", Required("eval(", "")),
    ("colou?r", Required("colo", "")),
    ("foo|bar", Required()),
    ("(?i)foo", Required()),
])  # fmt: skip
def test_what_is_read(pattern: str, expected: Required) -> None:
    assert required(pattern) == expected
