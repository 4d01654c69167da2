"""The build on Actions as the workflow runs it: a wave job names the ready tasks, one build
job per task works one slice, the apply job applies them all at once and starts the next wave.
A slice that runs out checkpoints (work in progress on the task branch, the handoff note and
the task's position in the tracking state) and re-dispatches; a job killed mid-task loses only
its slice, and the next dispatch goes on from the checkpoint to one PR."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from doubles.fake_github import FakeGitHub
from doubles.stub_model import ChatRequest, Reply, StubModelServer, call
from factory_testlib import UNITTEST, git
from test_run_e2e import (
    CHECK_MUL,
    CHECK_SUB,
    SUBTRACT,
    TEST_SUBTRACT,
    calc_scripts,
    evaluation,
)

from pipeline.demo.scripted import ScriptedModel, role_of
from pipeline.forge.github import GitHubForge
from pipeline.steps.state import RunState, load, save

from .conftest import REPO, Actions
from .test_cycle import BODY, TITLE, event

NOTE = "Wrote calc/subtract.py and its unittest; next: run the tests, then finish."


class Killed(BaseException):
    """The runner kills the job: nothing after this point runs, nothing is uploaded."""


class Clock:
    """The task jobs' clock: a scripted minute passes with each slowed generator reply."""

    def __init__(self) -> None:
        self.now, self.slow = 0.0, True

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    ticking = Clock()
    monkeypatch.setattr("pipeline.actions.build_jobs.clock", ticking)
    yield ticking


def one_task_scripts() -> dict[tuple[object, ...], list[Reply]]:
    plan = call("submit_plan", spec="Add subtract to the calc package, in its own module.",
                acceptance_criteria=[{"id": "AC1", "text": "calc.subtract.subtract(5, 3) "
                                                            "returns 2"}],
                tasks=[{"id": "T1", "title": "subtract", "description": "calc/subtract.py",
                        "criteria": ["AC1"], "checks": ["calc/subtract.py has a unittest"]}])
    return {
        ("planner",): [plan],
        ("generator", "T1", 1): [
            call("write_file", path="calc/subtract.py", content=SUBTRACT),
            call("write_file", path="tests/test_subtract.py", content=TEST_SUBTRACT),
            call("run", command=UNITTEST),
            call("finish", summary="never reached: the slice ends first")],
        ("generator", "T1", 2): [call("run", command=UNITTEST),
                                 call("finish", summary="added subtract with a test")],
        ("reviewer", "T1"): [call("submit_review", verdict="approve", findings=[])],
        ("evaluator", "T1"): evaluation("T1", "AC1", CHECK_SUB),
    }


def responder(scripts: dict[tuple[object, ...], list[Reply]], clock: Clock):  # type: ignore[no-untyped-def]
    scripted = ScriptedModel(scripts)

    def answer(request: ChatRequest) -> Reply:
        if request.tool_names() == {"handoff"}:
            return call("handoff", note=NOTE)
        if role_of(request) == "generator" and clock.slow:
            clock.now += 60
        return scripted(request)

    return answer


def slices_yaml(origin: Path, tmp_path: Path, **limits: object) -> None:
    """factory.yaml on origin's main with the slice limits (as a person would commit it)."""
    work = tmp_path / "config-edit"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    config = (work / "factory.yaml").read_text().replace(
        "limits:\n", "limits:\n" + "".join(f"  {k}: {v}\n" for k, v in limits.items()), 1)
    (work / "factory.yaml").write_text(config)
    git(work, "commit", "-qam", "factory: slices")
    git(work, "push", "-q", "origin", "HEAD:main")


def wave(actions: Actions, issue: int) -> tuple[Path, list[str]]:
    """The wave job: its outputs and the tasks it names for the build matrix."""
    repo = actions.checkout("wave")
    out = actions.root / "outputs" / repo.name
    result = actions.invoke("build", str(issue), "--wave", "--outputs", str(out),
                            "--repo", str(repo))
    assert result.exit_code == 0, result.output
    matrix = json.loads(next(line for line in result.stdout.splitlines()
                             if line.startswith('{"tasks"')))
    return out, matrix["tasks"]


def workflow_run(actions: Actions, issue: int, kill: set[str] = frozenset()) -> list[str]:
    """One `build` workflow run: the wave, one job per task (killed ones upload nothing), and
    the apply job over every artifact. Returns the tasks the wave named."""
    out, tasks = wave(actions, issue)
    batch = actions.root / f"batch-{out.name}"
    shutil.copytree(out, batch / "factory-out-wave")
    run = {"GITHUB_RUN_ID": out.name, "GITHUB_RUN_ATTEMPT": "1"}
    for task in tasks:
        if task in kill:
            with pytest.raises(Killed):
                actions.role("build", issue, env=run, extra=("--task", task))
            continue
        built = actions.role("build", issue, env=run, extra=("--task", task))
        shutil.copytree(built, batch / f"factory-out-build-{task}")
    actions.apply(batch)
    return tasks


def planned(actions: Actions, fake: FakeGitHub, tmp_path: Path) -> int:
    issue = fake.add_issue(REPO, TITLE, BODY, ["factory"])
    actions.apply(actions.role("plan", issue, env=event(tmp_path, issue)))
    assert actions.dispatched() == [("build", issue)]
    return issue


def state_of(github: GitHubForge, issue: int) -> RunState:
    state = load(github, issue)
    assert state is not None
    return state


def test_a_slice_that_runs_out_checkpoints_and_redispatches_then_a_killed_job_resumes(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge,
        origin: Path, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    slices_yaml(origin, tmp_path, slice_minutes=2.5)
    stub.responder = responder(one_task_scripts(), clock)
    issue = planned(actions, fake, tmp_path)

    # Slice 1: three generator steps take three (scripted) minutes; the slice has 2.5.
    assert workflow_run(actions, issue) == ["T1"]
    state = state_of(github, issue)
    task = state.tasks["T1"]
    assert task.status == "building" and task.checkpoint is not None
    assert task.checkpoint.slices == 1
    assert (task.checkpoint.round, task.checkpoint.stage) == (1, "generating")
    assert actions.dispatched() == [("build", issue)], "it re-dispatched itself"
    wip = git(origin, "log", "-1", "--format=%B", "factory/issue-1-T1")
    assert wip.startswith("WIP T1: checkpoint at the end of slice 1") and NOTE in wip
    assert git(origin, "show", "factory/issue-1-T1:calc/subtract.py") == SUBTRACT.strip()
    assert task.commit == git(origin, "rev-parse", "factory/issue-1-T1")
    assert state.heartbeat is not None and "1 context reset" not in github.comments(issue)[0].body
    assert github.list_prs("all") == [], "no PR before the first task passed"

    # Slice 2 is killed mid-task (after the generator finished, before anything was kept).
    clock.slow = False
    def killed(*_args: object) -> None:
        raise Killed()
    with monkeypatch.context() as patch:
        patch.setattr("pipeline.steps.build.run_hooks", killed)
        workflow_run(actions, issue, kill={"T1"})
    assert actions.dispatched() == [], "a killed job records nothing and starts nothing"
    assert state_of(github, issue).tasks["T1"].checkpoint == task.checkpoint

    # Dispatched again (a person, or nightly once the heartbeat is stale): from the checkpoint.
    before = len(stub.requests)
    workflow_run(actions, issue)
    resumed = next(r for r in stub.requests[before:] if role_of(r) == "generator")
    opening = resumed.messages[1]["content"]
    assert f"<handoff-note>\n{NOTE}\n</handoff-note>" in opening
    assert "WIP T1: checkpoint at the end of slice 1" in opening  # the branch's log
    assert not any(r.tool_names() == {"handoff"} for r in stub.requests[before:])
    state = state_of(github, issue)
    assert state.tasks["T1"].status == "passed" and state.tasks["T1"].checkpoint is None
    assert state.criteria["AC1"].passes
    assert actions.dispatched() == [("build", issue)]

    # The next wave finds every task passed: the integration branch and its one PR.
    assert workflow_run(actions, issue) == []
    [pr] = github.list_prs("all")
    assert pr.head == "factory/issue-1" and pr.draft
    assert actions.dispatched() == [("review", pr.number)]
    assert git(origin, "show", "factory/issue-1:calc/subtract.py") == SUBTRACT.strip()
    log = git(origin, "log", "--format=%s", "factory/issue-1")
    assert "WIP T1: checkpoint at the end of slice 1" in log and "T1: subtract" in log
    assert state_of(github, issue).phase == "evaluating"


def test_the_tasks_of_a_wave_build_in_parallel_jobs_and_merge_into_one_state(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge,
        tmp_path: Path) -> None:
    stub.responder = ScriptedModel(calc_scripts())
    issue = planned(actions, fake, tmp_path)
    planned_cost = state_of(github, issue).cost_usd

    assert workflow_run(actions, issue) == ["T1", "T2"]

    state = state_of(github, issue)
    assert {t: s.status for t, s in state.tasks.items()} == {"T1": "passed", "T2": "passed"}
    assert all(s.cost_usd > 0 for s in state.tasks.values())
    assert state.cost_usd == pytest.approx(planned_cost + sum(s.cost_usd
                                                              for s in state.tasks.values()))
    assert state.criteria["AC1"].passes and state.criteria["AC2"].passes
    assert actions.dispatched() == [("build", issue)], "one next wave for the two jobs"
    assert workflow_run(actions, issue) == []
    [pr] = github.list_prs("all")
    assert actions.dispatched() == [("review", pr.number)]
    for path, check in (("calc/subtract.py", CHECK_SUB), ("calc/multiply.py", CHECK_MUL)):
        assert git(actions.origin, "cat-file", "-t", f"factory/issue-1:{path}") == "blob", check
    bodies = [c.body for c in github.comments(issue)]
    assert len([b for b in bodies if "factory:state" in b]) == 1
    assert len([b for b in bodies if b.startswith("### Review panel on T")]) == 2


def test_a_failed_build_job_still_records_why_it_stopped(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stub.responder = ScriptedModel(calc_scripts())
    issue = planned(actions, fake, tmp_path)
    _out, tasks = wave(actions, issue)
    repo = actions.checkout("build-failing")
    out = actions.root / "outputs" / repo.name

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch, pytest.raises(OSError):
        patch.setattr("pipeline.steps.slices.develop", broken)
        actions.invoke("build", str(issue), "--task", tasks[0], "--outputs", str(out),
                       "--repo", str(repo))
    actions.apply(out)

    state = state_of(github, issue)
    assert state.phase == "stopped"
    assert state.reason == "the build job failed: OSError: disk full"
    assert "factory:blocked" in github.get_issue(issue).labels


def test_the_issues_wall_clock_limit_holds_across_slices(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge,
        tmp_path: Path) -> None:
    stub.responder = ScriptedModel(calc_scripts())
    issue = planned(actions, fake, tmp_path)
    state = state_of(github, issue)
    state.started_at = (datetime.now(UTC) - timedelta(hours=25)).isoformat(timespec="seconds")
    save(github, state)

    assert workflow_run(actions, issue) == []

    stopped = state_of(github, issue)
    assert stopped.phase == "blocked" and "limits.issue_hours" in (stopped.reason or "")
    assert "factory:blocked" in github.get_issue(issue).labels
    assert actions.dispatched() == []
