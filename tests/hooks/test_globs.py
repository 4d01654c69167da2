from __future__ import annotations

import pytest

from pipeline.precommit.globs import matches


@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    [
        ("**", "a/b/c.txt", True),
        ("*.py", "b.py", True),
        ("*.py", "src/deep/b.py", True),
        ("*.py", "b.pyc", False),
        ("src/*.py", "src/b.py", True),
        ("src/*.py", "src/a/b.py", False),
        ("src/**/*.py", "src/b.py", True),
        ("src/**/*.py", "src/a/b.py", True),
        ("src/**", "srcx/b.py", False),
        ("/setup.py", "setup.py", True),
        ("/setup.py", "pkg/setup.py", False),
        ("docs/", "docs/a/b.md", True),
        ("*.{js,ts}", "web/app.ts", True),
        ("*.{js,ts}", "web/app.tsx", False),
        ("test_?.py", "tests/test_a.py", True),
        ("[!a]*.py", "a.py", False),
        ("[!a]*.py", "b.py", True),
        ("a+b.py", "a+b.py", True),
    ],
)
def test_glob(glob: str, path: str, expected: bool) -> None:
    assert matches(glob, path) is expected
