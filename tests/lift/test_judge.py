"""Judging a run's final state: a real git repository, the real sandbox, real pytest and node.
Every way a run could make wrong code look green is tried, and none passes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.config.settings import Config
from pipeline.core import git
from pipeline.lift.judge import judge
from pipeline.lift.runner import prepare_repo
from pipeline.lift.tasks import load_task

HALVE_RIGHT = "def halve(x):\n    return x / 2\n"
HALVE_WRONG = "def halve(x):\n    return x // 2\n"
HIDDEN = ("import pytest\n\nfrom mathx.halve import halve\n\n\n"
          "@pytest.mark.parametrize('x, y', [(3, 1.5), (4, 2)])\n"
          "def test_halve(x, y):\n    assert halve(x) == y\n")


def make_task(root: Path, hidden: dict[str, str], test_command: str = "python -m pytest -q",
              extra: dict[str, str] | None = None) -> Path:
    files = {"README.md": "# mathx\n", "pyproject.toml": "[project]\nname = \"mathx\"\n",
             "mathx/__init__.py": "", "tests/test_ops.py": "def test_ok():\n    assert True\n",
             **(extra or {})}
    for path, text in files.items():
        (root / "repo" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "repo" / path).write_text(text)
    for path, text in hidden.items():
        (root / "hidden" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "hidden" / path).write_text(text)
    (root / "task.yaml").write_text(f"kind: library\ntest_command: {test_command}\n"
                                    "brief: halve(x) is x / 2\n")
    return root


def run_and_judge(tmp_path: Path, change: Callable[[Path], None], *,
                  hidden: dict[str, str] | None = None, test_command: str = "python -m pytest -q",
                  extra: dict[str, str] | None = None) -> tuple[bool, str | None, list[str]]:
    """The task's repo as a run would leave it after `change`, committed, then judged."""
    task = load_task(make_task(tmp_path / "task", hidden or {"tests/test_hidden_halve.py": HIDDEN},
                               test_command, extra))
    repo = tmp_path / "run"
    prepare_repo(task, repo)
    change(repo)
    git.commit_all(repo, "the run's work")
    config = Config().model_copy(update={"test_command": task.test_command})
    verdict = judge(repo, tmp_path / "judged", task.repo, task.hidden, task.test_command, config)
    return verdict.passed, verdict.reason, verdict.reset_files


def write(repo: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)


def test_right_code_passes_and_wrong_code_fails(tmp_path: Path) -> None:
    passed, reason, reset = run_and_judge(tmp_path / "a", lambda r: write(
        r, {"mathx/halve.py": HALVE_RIGHT}))
    assert (passed, reason, reset) == (True, None, [])

    passed, reason, _ = run_and_judge(tmp_path / "b", lambda r: write(
        r, {"mathx/halve.py": HALVE_WRONG}))
    assert not passed and reason is not None and "1 failed, 2 passed" in reason


CHEATS: dict[str, dict[str, str]] = {
    "a fake test at the hidden test's path": {
        "tests/test_hidden_halve.py": "def test_halve():\n    assert True\n"},
    "a conftest that ignores the hidden tests": {
        "conftest.py": "collect_ignore_glob = ['tests/test_hidden_*']\n"},
    "a conftest that skips every test": {
        "tests/conftest.py": "import pytest\n\n\ndef pytest_collection_modifyitems(items):\n"
                             "    for item in items:\n"
                             "        item.add_marker(pytest.mark.skip(reason='later'))\n"},
    "pytest options that deselect the hidden tests": {
        "pytest.ini": "[pytest]\naddopts = -k 'not halve'\n"},
    "a pyproject that points pytest elsewhere": {
        "pyproject.toml": "[project]\nname = \"mathx\"\n\n[tool.pytest.ini_options]\n"
                          "testpaths = ['mathx']\n"},
    "a module named pytest that always succeeds": {"pytest.py": "raise SystemExit(0)\n"},
    "code that ends the test process early": {
        "mathx/halve.py": "import os\n\nos._exit(0)\n" + HALVE_WRONG},
    "code that prints a passing summary and exits": {
        "mathx/halve.py": "import os\n\nprint('2 passed in 0.01s')\nos._exit(0)\n"},
}


@pytest.mark.parametrize("cheat", sorted(CHEATS))
def test_no_cheat_makes_wrong_code_pass(tmp_path: Path, cheat: str) -> None:
    files = {"mathx/halve.py": HALVE_WRONG, **CHEATS[cheat]}

    passed, reason, _ = run_and_judge(tmp_path, lambda r: write(r, files))

    assert not passed, cheat
    assert reason


def test_deleted_and_edited_tests_are_put_back_and_still_count(tmp_path: Path) -> None:
    def vandalise(repo: Path) -> None:
        write(repo, {"mathx/halve.py": HALVE_RIGHT, "mathx/ops.py": "BROKEN = 1\n",
                     "conftest.py": "collect_ignore = ['tests/test_ops.py']\n"})
        (repo / "tests" / "test_ops.py").unlink()
        (repo / "tests" / "test_more.py").write_text("def test_more():\n    assert True\n")

    passed, reason, reset = run_and_judge(
        tmp_path, vandalise, extra={"tests/test_ops.py": "from mathx.ops import double\n\n\n"
                                                         "def test_double():\n"
                                                         "    assert double(2) == 4\n",
                                    "mathx/ops.py": "def double(x):\n    return 2 * x\n"})

    assert not passed and reason is not None and "hidden tests failed" in reason
    assert reset == ["tests/test_ops.py", "conftest.py (added by the run; removed)"]


def test_a_symlink_cannot_send_the_hidden_tests_elsewhere(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()

    def redirect(repo: Path) -> None:
        write(repo, {"mathx/halve.py": HALVE_RIGHT})
        (repo / "tests" / "test_hidden_halve.py").symlink_to(outside / "sink.py")

    passed, reason, _ = run_and_judge(tmp_path, redirect)

    assert (passed, reason) == (True, None)
    assert not (outside / "sink.py").exists()


NODE_HIDDEN = ("const test = require('node:test');\nconst assert = require('node:assert');\n"
               "const { halve } = require('../src/halve.js');\n"
               "test('halves', () => { assert.strictEqual(halve(3), 1.5); });\n")


@pytest.mark.skipif(shutil.which("npm") is None, reason="node and npm are not installed")
@pytest.mark.parametrize(("code", "expected"), [
    ("exports.halve = (x) => x / 2;\n", None),
    ("exports.halve = (x) => Math.floor(x / 2);\n", "hidden tests failed"),
    ("process.exit(0);\n", "ended before reporting any test"),
])
def test_node_tap_runs_are_read_too(tmp_path: Path, code: str, expected: str | None) -> None:
    passed, reason, _ = run_and_judge(
        tmp_path, lambda r: write(r, {"src/halve.js": code}),
        hidden={"test/halve.hidden.test.js": NODE_HIDDEN}, test_command="npm test",
        extra={"package.json": '{"name": "halve", "scripts": {"test": "node --test"}}\n',
               "test/ok.test.js": "require('node:test')('ok', () => {});\n"})

    assert passed is (expected is None)
    assert expected is None or (reason is not None and expected in reason)
