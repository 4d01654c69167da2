"""Plans as large as the work, with every task tied to the criteria it serves — through
`factory run`: refusals are tool errors naming what is wrong, the task's evaluation judges
exactly its criteria and checks, and the progress file records what passed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from doubles.stub_model import Reply, StubModelServer, call
from test_run_e2e import BRIEF, calc_scripts, plan_reply

from pipeline.cli import main
from pipeline.demo.scripted import ScriptedModel, role_of, task_of
from pipeline.forge.local import LocalForge
from pipeline.steps.state import load

CRITERIA = [{"id": "AC1", "text": "calc.subtract.subtract(5, 3) returns 2"},
            {"id": "AC2", "text": "calc.multiply.multiply(4, 3) returns 12"}]


def task(number: int, criteria: list[str]) -> dict[str, Any]:
    return {"id": f"T{number}", "title": f"step {number}", "description": f"part {number}",
            "criteria": criteria, "checks": [f"part {number} is there"]}


def plan(tasks: list[dict[str, Any]]) -> Reply:
    return call("submit_plan", spec="Add subtract and multiply to calc.",
                acceptance_criteria=CRITERIA, tasks=tasks)


def run(repo: Path) -> Any:
    return CliRunner().invoke(main, ["run", "--repo", str(repo), "--yes", BRIEF])


def planner_results(stub: StubModelServer) -> list[str]:
    last = [r for r in stub.requests if role_of(r) == "planner"][-1]
    return last.tool_results()


def progress(repo: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (repo / ".factory" / "progress" / "issue-1.json").read_text())
    return loaded


def test_unknown_and_uncovered_criteria_are_refused_naming_them(
        stub: StubModelServer, sample_repo: Path) -> None:
    scripts = calc_scripts()
    scripts[("planner",)] = [plan([task(1, ["AC1", "AC9"]), task(2, ["AC2"])]),
                             plan([task(1, ["AC1"])]), plan_reply()]
    stub.responder = ScriptedModel(scripts)

    result = run(sample_repo)

    assert result.exit_code == 0, result.output
    unknown, uncovered = planner_results(stub)
    assert unknown.startswith("error: ") and "unknown acceptance criteria AC9" in unknown
    assert uncovered.startswith("error: ") and "criteria AC2 are served by no task" in uncovered


def test_the_task_cap_refuses_a_larger_plan_and_accepts_one_at_the_cap(
        stub: StubModelServer, sample_repo: Path) -> None:
    many = [task(n, ["AC1" if n % 2 else "AC2"]) for n in range(1, 62)]
    stub.responder = ScriptedModel({("planner",): [plan(many), plan(many[:60])]})

    run(sample_repo)  # stops after planning: nothing is scripted for the generator

    [refusal] = planner_results(stub)
    assert "the plan has 61 tasks; at most 60 are allowed (limits.max_tasks)" in refusal
    state = load(LocalForge(sample_repo / ".factory" / "forge.db"), 1)
    assert state is not None and state.plan is not None and len(state.plan.tasks) == 60


def test_each_task_is_judged_on_its_criteria_and_checks_and_the_progress_file_says_so(
        stub: StubModelServer, sample_repo: Path) -> None:
    stub.responder = ScriptedModel(calc_scripts())

    result = run(sample_repo)

    assert result.exit_code == 0, result.output
    judged_t1 = next(r for r in stub.requests if role_of(r) == "evaluator" and task_of(r) == "T1")
    shown = judged_t1.messages[1]["content"]
    assert "- AC1: calc.subtract" in shown and "- T1-check1: calc/subtract.py has a passing" in shown
    assert "AC2" not in shown
    generated = next(r for r in stub.requests if role_of(r) == "generator")
    assert "- T1-check1: calc/subtract.py has a passing unittest" in generated.messages[1]["content"]
    features = progress(sample_repo)
    assert [(c["id"], c["passes"], c["tasks"]) for c in features["criteria"]] == [
        ("AC1", True, ["T1"]), ("AC2", True, ["T2"])]
    assert features["tasks"]["T1"]["verdicts"] == {"AC1": True, "T1-check1": True}
    body = LocalForge(sample_repo / ".factory" / "forge.db").comments(1)[0].body
    assert "- [x] AC1: calc.subtract.subtract(5, 3) returns 2" in body


def test_a_blocked_task_leaves_its_criterion_failing_in_the_progress_file(
        stub: StubModelServer, sample_repo: Path) -> None:
    scripts = calc_scripts()
    scripts[("evaluator", "T2")] = [call("submit_evaluation", verdict="fail", criteria=[
        {"id": "AC2", "met": False, "evidence": "multiply(4, 3) printed 7"},
        {"id": "T2-check1", "met": True, "evidence": "the unittest passes"}])]
    stub.responder = ScriptedModel(scripts)

    result = run(sample_repo)

    assert result.exit_code == 1
    criteria = {c["id"]: c for c in progress(sample_repo)["criteria"]}
    assert criteria["AC1"]["passes"] and criteria["AC1"]["judged_by"] == "tasks T1"
    assert not criteria["AC2"]["passes"]
    assert criteria["AC2"]["evidence"] == "multiply(4, 3) printed 7"
    body = LocalForge(sample_repo / ".factory" / "forge.db").comments(1)[0].body
    assert "- [ ] AC2:" in body and "- [x] AC1:" in body
