"""The writer's validation: a refused output posts its reasons once and writes nothing else."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from doubles.fake_github import FakeGitHub
from factory_testlib import factory_yaml, git

from pipeline.actions.outputs import commits
from pipeline.actions.outputs.apply import apply_dir
from pipeline.actions.outputs.checks import Limits
from pipeline.actions.outputs.held import Held
from pipeline.config import settings as config_module
from pipeline.core.errors import WorkFailed
from pipeline.forge import tracking as forge_tracking
from pipeline.forge.github import GitHubForge

from .conftest import REPO

TOKEN = "ghp_" + "A1b2C3d4E5" * 4


@pytest.fixture
def writer(tmp_path: Path, origin: Path) -> Path:
    path = tmp_path / "writer"
    subprocess.run(["git", "clone", "-q", str(origin), str(path)], check=True)
    return path


@pytest.fixture
def issue(fake: FakeGitHub) -> int:
    return fake.add_issue(REPO, "Add multiply", "multiply(a, b)", ["factory"])


def emit(directory: Path, ops: list[dict[str, Any]], refs: dict[str, str] | None = None,
         number: int = 1, role: str = "build") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "outputs.json").write_text(json.dumps(
        {"version": 1, "role": role, "number": number, "ops": ops, "refs": refs or {}}))
    return directory


def apply(directory: Path, writer: Path, github: GitHubForge, *,
          env: dict[str, str] | None = None, limits: Limits | None = None) -> Any:
    config = config_module.load(writer)
    return apply_dir(directory, writer, github, config, env or {}, limits=limits)


def branch_with(writer: Path, tmp: Path, files: dict[str, str],
                branch: str = "factory/issue-1") -> tuple[Path, dict[str, str]]:
    """A job's checkout with one commit on branch, bundled as the job would."""
    job = tmp / "job"
    subprocess.run(["git", "clone", "-q", str(writer.parent / "origin.git"), str(job)], check=True)
    git(job, "checkout", "-q", "-b", branch)
    for name, text in files.items():
        (job / name).parent.mkdir(parents=True, exist_ok=True)
        (job / name).write_text(text)
    git(job, "add", "-A")
    git(job, "commit", "-qm", "change")
    refs = commits.changed_refs(job, branch)
    out = tmp / "out"
    out.mkdir()
    commits.write_bundle(job, refs, out / "commits.bundle")
    return out, refs


def refused(github: GitHubForge, number: int) -> list[str]:
    return [c.body for c in github.comments(number) if "did not apply" in c.body]


def posts(fake: FakeGitHub) -> int:
    return sum(n for key, n in fake.calls.items() if not key.startswith("GET"))


def test_too_many_comments_is_refused_with_one_reason_and_nothing_else(
        tmp_path: Path, writer: Path, github: GitHubForge, fake: FakeGitHub, issue: int) -> None:
    ops = [{"op": "comment", "number": issue, "body": f"note {i}"} for i in range(61)]
    ops.append({"op": "labels", "number": issue, "add": ["factory:building"]})
    out = emit(tmp_path / "out", ops)
    fake.reset_calls()
    for _ in range(2):
        with pytest.raises(WorkFailed, match="61 comments"):
            apply(out, writer, github)
    assert posts(fake) == 1  # the one refusal, not repeated
    [reason] = refused(github, issue)
    assert "61 comments, reviews and replies (the limit is 60)" in reason
    assert len(github.comments(issue)) == 1
    assert github.get_issue(issue).labels == ("factory",)


def test_a_label_outside_the_allow_list_is_refused(
        tmp_path: Path, writer: Path, github: GitHubForge, issue: int) -> None:
    out = emit(tmp_path / "out", [
        {"op": "comment", "number": issue, "body": "planned"},
        {"op": "labels", "number": issue, "add": ["factory:planning", "security-approved"]}])
    with pytest.raises(WorkFailed):
        apply(out, writer, github)
    [reason] = refused(github, issue)
    assert "'security-approved' is not one of the factory's labels" in reason
    assert github.get_issue(issue).labels == ("factory",)
    assert len(github.comments(issue)) == 1


def test_secrets_are_refused_without_being_quoted(
        tmp_path: Path, writer: Path, github: GitHubForge, issue: int) -> None:
    out = emit(tmp_path / "out", [
        {"op": "comment", "number": issue, "body": f"the token is {TOKEN}"},
        {"op": "comment", "number": issue, "body": "model key: sk-proj-secretvalue-123456"}])
    with pytest.raises(WorkFailed):
        apply(out, writer, github, env={"MY_MODEL_KEY": "secretvalue-123456"})
    [reason] = refused(github, issue)
    assert "operation 1 (comment) carries a token-shaped string" in reason
    assert "operation 2 (comment) carries the value of $MY_MODEL_KEY" in reason
    assert TOKEN not in reason and "secretvalue" not in reason


def held(github: GitHubForge, number: int) -> list[str]:
    return [c.body for c in github.comments(number) if "held the `" in c.body]


def test_a_secret_in_the_commits_is_held_and_nothing_pushed(
        tmp_path: Path, writer: Path, github: GitHubForge, issue: int, origin: Path) -> None:
    out, refs = branch_with(writer, tmp_path, {"calc/config.py": f"TOKEN = '{TOKEN}'\n"})
    emit(out, [{"op": "open_pr", "ref": -1, "head": "factory/issue-1", "base": "main",
                "title": "t", "body": "b"}], refs)
    with pytest.raises(Held):
        apply(out, writer, github)
    [text] = held(github, issue)
    assert "secret: `factory/issue-1` — the added lines carry a token-shaped string" in text
    assert TOKEN not in text
    assert "factory/issue-1" not in git(origin, "branch", "--list")
    assert github.find_pr("factory/issue-1") is None
    assert "factory:needs-human" in github.get_issue(issue).labels


def test_protected_paths_are_held_for_a_person(
        tmp_path: Path, writer: Path, github: GitHubForge, fake: FakeGitHub, issue: int,
        origin: Path) -> None:
    out, refs = branch_with(writer, tmp_path, {".github/workflows/ci.yml": "on: push\n",
                                               "calc/ok.py": "X = 1\n"})
    emit(out, [{"op": "open_pr", "ref": -1, "head": "factory/issue-1", "base": "main",
                "title": "t", "body": "b"},
               {"op": "comment", "number": -1, "body": "built"}], refs)
    for _ in range(2):  # a re-run writer converges: one comment, one label
        with pytest.raises(Held, match=r"protected-path \.github/workflows/ci\.yml"):
            apply(out, writer, github)
    [text] = held(github, issue)
    assert "protected-path: `.github/workflows/ci.yml`" in text
    assert "workflow: `.github/workflows/ci.yml`" in text  # a new CI definition, too
    assert "calc/ok.py" not in text
    assert "factory/issue-1" not in git(origin, "branch", "--list")
    assert github.find_pr("factory/issue-1") is None
    assert github.get_issue(issue).labels == ("factory", "factory:needs-human")


def test_patch_size_and_file_count_limits(
        tmp_path: Path, writer: Path, github: GitHubForge, issue: int) -> None:
    out, refs = branch_with(writer, tmp_path, {f"calc/m{i}.py": "X = 1\n" * 50 for i in range(3)})
    emit(out, [], refs)
    (writer / "factory.yaml").write_text(factory_yaml(limits={"max_files": 2,
                                                              "max_patch_bytes": 500}))
    with pytest.raises(Held):
        apply(out, writer, github)
    [text] = held(github, issue)
    assert "changes 3 files (limits.max_files is 2)" in text
    assert "-byte patch (limits.max_patch_bytes is 500)" in text


def test_a_malformed_output_is_refused(
        tmp_path: Path, writer: Path, github: GitHubForge, issue: int) -> None:
    out = emit(tmp_path / "out", [{"op": "delete_repository", "number": issue}])
    with pytest.raises(WorkFailed):
        apply(out, writer, github)
    assert len(refused(github, issue)) == 1


def test_applied_outputs_converge_and_posted_text_is_neutralised(
        tmp_path: Path, writer: Path, github: GitHubForge, fake: FakeGitHub, issue: int,
        origin: Path) -> None:
    out, refs = branch_with(writer, tmp_path, {"calc/multiply.py": "def multiply(a, b):\n"
                                                                   "    return a * b\n"})
    emit(out, [
        {"op": "open_pr", "ref": -1, "head": "factory/issue-1", "base": "main",
         "title": "Add multiply", "body": "Fixes #1, thanks @octocat"},
        {"op": "tracking", "number": issue, "body": "### Dark Factory", "state": {"pr": -1}},
        {"op": "comment", "number": -1, "body": "cc @octo/maintainers: closes #1"},
        {"op": "labels", "number": issue, "add": ["factory:review"]},
        {"op": "merge", "number": -1, "message": "merge"},
        {"op": "dispatch", "command": "review", "number": -1}], refs)
    (writer / "factory.yaml").write_text(factory_yaml(auto_merge=False))
    first = apply(out, writer, github)
    second = apply(out, writer, github)

    pr = github.find_pr("factory/issue-1")
    assert pr is not None and pr.draft and not pr.merged  # no auto_merge in this factory.yaml
    assert first.pr_numbers == second.pr_numbers == {-1: pr.number}
    assert git(origin, "rev-parse", "factory/issue-1") == refs["factory/issue-1"]
    assert "`#1`" in pr.body and "`@octocat`" in pr.body
    [comment] = [c for c in github.comments(pr.number)]
    assert "`@octo/maintainers`" in comment.body and "closes `#1`" in comment.body
    [tracking] = github.comments(issue)
    assert f'"pr":{pr.number}' in tracking.body
    assert "factory:review" in github.get_issue(issue).labels
    assert any("merge of" in s for s in second.skipped)
    assert "comment on" in " ".join(second.skipped)


def test_the_same_outputs_start_the_next_job_once_and_roles_keep_that_record(
        tmp_path: Path, writer: Path, github: GitHubForge, issue: int) -> None:
    from pipeline.forge import tracking

    started: list[tuple[str, int]] = []
    config = config_module.load(writer)

    def dispatch(command: str, number: int) -> None:
        started.append((command, number))

    def apply_with_dispatch(out: Path) -> Any:
        return apply_dir(out, writer, github, config, {}, dispatch=dispatch)

    plan_out = emit(tmp_path / "plan", [
        {"op": "tracking", "number": issue, "body": "### Dark Factory", "state": {"phase": "x"}},
        {"op": "dispatch", "command": "build", "number": issue}], role="plan", number=issue)
    apply_with_dispatch(plan_out)
    again = apply_with_dispatch(plan_out)
    assert started == [("build", issue)]
    assert any("already dispatched" in line for line in again.skipped)

    # A role saving its state later keeps the writer's record...
    tracking.upsert(github, issue, "### Dark Factory", {"phase": "building"})
    apply_with_dispatch(plan_out)
    assert started == [("build", issue)]
    # ...while a re-run role job's new outputs start the next job again.
    rerun = emit(tmp_path / "rerun", [
        {"op": "tracking", "number": issue, "body": "### Dark Factory (re-run)",
         "state": {"phase": "x"}},
        {"op": "dispatch", "command": "build", "number": issue}], role="plan", number=issue)
    apply_with_dispatch(rerun)
    assert started == [("build", issue), ("build", issue)]
    assert len(github.comments(issue)) == 1


def test_a_pr_github_will_not_open_yet_waits_and_the_rest_is_applied(
        tmp_path: Path, writer: Path, github: GitHubForge, issue: int) -> None:
    """Outputs meaning to open a PR for a branch without commits (GitHub refuses it: 422):
    the PR and what was meant for it wait; the issue's state and labels are applied."""
    git(writer, "push", "-q", "origin", "main:factory/issue-1")
    out = emit(tmp_path / "out", [
        {"op": "open_pr", "ref": -1, "head": "factory/issue-1", "base": "main", "title": "t",
         "body": "b"},
        {"op": "tracking", "number": issue, "body": "### Dark Factory",
         "state": {"phase": "stopped", "pr": -1}},
        {"op": "tracking", "number": -1, "body": "PR", "state": {"issue": issue}},
        {"op": "labels", "number": issue, "add": ["factory:blocked"]}])

    applied = apply(out, writer, github)

    assert github.list_prs("all") == [] and applied.pr_numbers == {}
    assert forge_tracking.read_state(github, issue) == {"phase": "stopped", "pr": None}
    assert "factory:blocked" in github.get_issue(issue).labels
    assert any("no commits over main" in line for line in applied.skipped)
