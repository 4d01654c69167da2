"""A one-task issue taken from its label to its merged PR by the workflow's real jobs, on the
fake GitHub and the scripted model: what the API-call figure is measured on (the test in
test_calls.py and bench/github_bench.py run this same scenario)."""

from __future__ import annotations

from doubles.actions import Actions, JobRun
from doubles.fake_github import FakeGitHub
from doubles.stub_model import Reply, StubModelServer, call
from test_run_e2e import CHECK_SUB, SUBTRACT, TEST_SUBTRACT, evaluation, generator

from pipeline.demo.scripted import ScriptedModel

TITLE, BODY = "Add subtract", "Add subtract(a, b) to calc, in its own module with a test."


def one_task_scripts() -> dict[tuple[object, ...], list[Reply]]:
    plan = call("submit_plan", spec="Add subtract to the calc package, in its own module.",
                acceptance_criteria=[{"id": "AC1", "text": "calc.subtract.subtract(5, 3) is 2"}],
                tasks=[{"id": "T1", "title": "subtract",
                        "description": "calc/subtract.py with a test", "criteria": ["AC1"],
                        "checks": ["calc/subtract.py has a passing unittest"]}])
    approve = [call("submit_review", verdict="approve", findings=[])]
    return {
        ("planner",): [plan],
        ("generator", "T1"): generator("subtract", SUBTRACT, TEST_SUBTRACT),
        ("reviewer", "T1"): approve,
        ("reviewer", "PR2"): approve,
        ("evaluator", "T1"): evaluation("T1", "AC1", CHECK_SUB),
        ("evaluator", None): [call("submit_evaluation", verdict="pass", criteria=[
            {"id": "AC1", "met": True, "evidence": "printed 2"}])],
    }


def labelled(number: int, title: str = TITLE, body: str = BODY) -> dict[str, object]:
    """The `issues` event GitHub sends when a person labels the issue `factory`."""
    return {"action": "labeled", "label": {"name": "factory"},
            "issue": {"number": number, "title": title, "body": body, "state": "open",
                      "user": {"login": "octocat"}, "author_association": "OWNER"},
            "sender": {"login": "octocat", "type": "User"}}


def one_task_issue(actions: Actions, fake: FakeGitHub, stub: StubModelServer,
                   repository: str) -> list[JobRun]:
    """Every job from the label to the merge (learning, after the merge, is not counted)."""
    stub.responder = ScriptedModel(dict(one_task_scripts()))
    issue = fake.add_issue(repository, TITLE, BODY, ["factory"])
    return actions.follow("issues", labelled(issue), until=("learn",))
