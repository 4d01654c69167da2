from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.config.settings import Sandbox
from pipeline.core.errors import BadInput
from pipeline.precommit import precommit_config as pcc
from pipeline.sandbox.worktree import WorktreeSandbox
from tests.hooks.support import ROOT, git, guard, stage, write_lessons

EXISTING = """\
# team hooks: keep this comment
repos:
-   repo: https://github.com/psf/black
    rev: 24.1.0
    hooks:
    -   id: black  # formatting
        args: [--fast]

ci:
  autofix_prs: false
"""


def _ids(config: dict[str, object]) -> list[str]:
    return [hook["id"] for entry in config["repos"] for hook in entry["hooks"]]  # type: ignore[attr-defined, index]


def test_creates_a_config(git_repo: Path) -> None:
    assert pcc.ensure_factory_hooks(git_repo) is True
    config = yaml.safe_load((git_repo / pcc.CONFIG_FILE).read_text())
    assert _ids(config) == ["factory-lessons", "factory-lesson-trailer", "factory-config"]
    assert config["repos"][0]["repo"] == "local"
    assert config["default_install_hook_types"] == ["pre-commit", "commit-msg", "post-commit"]


def test_merges_without_clobbering_and_is_idempotent(git_repo: Path) -> None:
    path = git_repo / pcc.CONFIG_FILE
    path.write_text(EXISTING)
    assert pcc.ensure_factory_hooks(git_repo, rev="v1.2.3") is True
    text = path.read_text()
    kept = [line for line in text.splitlines() if line in EXISTING.splitlines()]
    assert kept == EXISTING.splitlines()  # every line, comments included, in its order
    config = yaml.safe_load(text)
    assert config["repos"][0] == yaml.safe_load(EXISTING)["repos"][0]
    assert config["repos"][1] == {
        "repo": pcc.HOOKS_REPO,
        "rev": "v1.2.3",
        "hooks": [
            {"id": "factory-lessons"},
            {"id": "factory-lesson-trailer"},
            {"id": "factory-config"},
        ],
    }
    assert pcc.ensure_factory_hooks(git_repo, rev="v1.2.3") is False
    assert pcc.ensure_factory_hooks(git_repo) is False
    assert path.read_text() == text


def test_adds_only_the_missing_hooks(git_repo: Path) -> None:
    path = git_repo / pcc.CONFIG_FILE
    path.write_text(
        "default_install_hook_types: [pre-push]\nrepos: [{repo: local, hooks: "
        "[{id: factory-lessons, name: mine, entry: x, language: unsupported}]}]\n"
    )
    assert pcc.ensure_factory_hooks(git_repo) is True
    config = yaml.safe_load(path.read_text())
    assert config["repos"][0]["hooks"] == [
        {"id": "factory-lessons", "name": "mine", "entry": "x", "language": "unsupported"}
    ]
    assert _ids(config) == ["factory-lessons", "factory-lesson-trailer", "factory-config"]
    assert config["default_install_hook_types"] == [
        "pre-push",
        "pre-commit",
        "commit-msg",
        "post-commit",
    ]


def test_a_broken_config_is_not_touched(git_repo: Path) -> None:
    path = git_repo / pcc.CONFIG_FILE
    path.write_text("repos: [\n")
    with pytest.raises(BadInput, match="not valid YAML"):
        pcc.ensure_factory_hooks(git_repo)
    assert path.read_text() == "repos: [\n"


def test_the_manifest_declares_the_same_hooks() -> None:
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    for declared, spec in zip(manifest, pcc.HOOKS, strict=True):
        assert declared["language"] == "unsupported_script"
        assert (ROOT / declared["entry"]).stat().st_mode & 0o111
        assert {k: v for k, v in declared.items() if k in spec} == {
            k: v for k, v in spec.items() if k != "command"
        }


def sandbox(repo: Path) -> WorktreeSandbox:
    """The repository's hooks are its code: they run in the sandbox, never on the host."""
    return WorktreeSandbox(repo, Sandbox())


def test_run_precommit_without_a_config_passes(git_repo: Path) -> None:
    result = pcc.run_precommit(git_repo, sandbox=sandbox(git_repo))
    assert result.ok and "no .pre-commit-config.yaml" in result.stdout


def test_run_precommit_feeds_a_failure_back(git_repo: Path) -> None:
    pcc.ensure_factory_hooks(git_repo)
    write_lessons(git_repo, [guard(r"\beval\(", insight="parse it, never eval it")])
    (git_repo / "app.py").write_text("value = eval(text)\n")
    result = pcc.run_precommit(git_repo, sandbox=sandbox(git_repo))
    assert not result.ok
    assert "app.py:1: error: parse it, never eval it" in result.stdout
    (git_repo / "app.py").write_text("value = int(text)\n")
    assert pcc.run_precommit(git_repo, ["app.py"], sandbox=sandbox(git_repo)).ok
    assert "app.py" in git(git_repo, "diff", "--cached", "--name-only")


def test_run_precommit_on_given_files(git_repo: Path) -> None:
    pcc.ensure_factory_hooks(git_repo)
    write_lessons(git_repo, [guard("TODO")])
    stage(git_repo, "other.py", "# TODO\n")
    (git_repo / "mine.py").write_text("x = 1\n")
    assert pcc.run_precommit(git_repo, ["mine.py"], sandbox=sandbox(git_repo)).ok
