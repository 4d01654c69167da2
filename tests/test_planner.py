"""The planner's clarifying questions: answered at the terminal, or assumptions written down."""

from __future__ import annotations

from pathlib import Path

import pytest
from doubles.stub_model import StubModelServer, call
from factory_testlib import git
from rich.console import Console

from pipeline.demo.scripted import ScriptedModel
from pipeline.forge.local import LocalForge
from pipeline.local.run import RunOptions, run_brief
from pipeline.steps.state import load

PLAN = call("submit_plan", spec="Add a negate function.",
            acceptance_criteria=[{"id": "AC1", "text": "negate(2) returns -2"}],
            tasks=[{"id": "T1", "title": "negate", "description": "calc/negate.py",
                    "criteria": ["AC1"], "checks": ["calc/negate.py defines negate"]}])


def plan_only(stub: StubModelServer) -> None:
    # The run stops after planning: the generator's script is absent, so its model call fails.
    stub.responder = ScriptedModel({
        ("planner",): [call("ask_questions", questions=["Should negate accept floats?"]), PLAN]})


def test_questions_are_answered_at_the_terminal(stub: StubModelServer, sample_repo: Path) -> None:
    plan_only(stub)
    asked: list[list[str]] = []

    def ask(questions: list[str]) -> list[str]:
        asked.append(questions)
        return ["Yes, ints and floats."]

    run_brief(RunOptions(repo=sample_repo, brief="add negate", ask=ask), Console(quiet=True))

    assert asked == [["Should negate accept floats?"]]
    state = load(LocalForge(sample_repo / ".factory" / "forge.db"), 1)
    assert state is not None and state.plan is not None
    assert "Q: Should negate accept floats?\n  A: Yes, ints and floats." in state.plan.spec
    assert "A: Yes, ints and floats." in stub.requests[1].tool_results()[0]


@pytest.mark.parametrize("answers", [None, [""]])
def test_without_answers_the_planner_writes_assumptions(stub: StubModelServer, sample_repo: Path,
                                                        answers: list[str] | None) -> None:
    plan_only(stub)
    ask = (lambda questions: answers) if answers is not None else None
    run_brief(RunOptions(repo=sample_repo, brief="add negate", ask=ask), Console(quiet=True))

    state = load(LocalForge(sample_repo / ".factory" / "forge.db"), 1)
    assert state is not None and state.plan is not None
    assert "(no answer: assumption made)" in state.plan.spec
    assert "write every assumption into the spec" in stub.requests[1].tool_results()[0]
    assert git(sample_repo, "log", "-1", "--format=%s") == "calc: add"
