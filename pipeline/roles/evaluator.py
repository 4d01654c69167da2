"""Evaluator: runs the tests itself, then judges every criterion with evidence by using the product."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.agent.tools import finishing_tool
from pipeline.agent.workspace import Workspace
from pipeline.core.proc import Result
from pipeline.roles.base import RoleContext, repo_overview, run_agent
from pipeline.roles.schemas import Criterion, Evaluation


@dataclass(frozen=True)
class EvalInput:
    spec: str
    criteria: list[Criterion]
    workspace: Workspace
    subject: str
    """What is being evaluated: a task's title, or the whole issue."""
    task: str | None = None


@dataclass(frozen=True)
class EvalOutcome:
    evaluation: Evaluation
    tests: Result

    @property
    def passed(self) -> bool:
        return (self.tests.ok and self.evaluation.verdict == "pass"
                and self.evaluation.all_met)

    def failures(self) -> str:
        lines = [f"- {c.id}: not met: {c.evidence}" for c in self.evaluation.criteria if not c.met]
        if not self.tests.ok:
            lines.insert(0, f"- the test command failed (exit {self.tests.returncode}):\n"
                            f"{self.tests.stdout[-3000:]}\n{self.tests.stderr[-2000:]}")
        if self.evaluation.verdict == "fail" and not lines:
            lines.append("- the evaluator's verdict was fail")
        return "\n".join(lines)


def evaluate(ctx: RoleContext, given: EvalInput) -> EvalOutcome:
    ws = given.workspace
    assert ws.sandbox is not None, "the evaluator runs the tests itself: it needs a sandbox"
    tests = ws.sandbox.run(ctx.config.test_command)
    expected = {c.id for c in given.criteria}

    def covers_every_criterion(evaluation: Evaluation) -> None:
        judged = {c.id for c in evaluation.criteria}
        if judged != expected:
            missing, extra = sorted(expected - judged), sorted(judged - expected)
            raise ValueError(f"judge exactly the criteria {sorted(expected)}; missing {missing}, "
                             f"unknown {extra}")

    finish = finishing_tool("submit_evaluation", "Submit pass/fail and, for every criterion, "
                            "whether it is met and the evidence.", Evaluation,
                            check=covers_every_criterion)
    result: Evaluation = run_agent(
        ctx, role="evaluator", tools=[*ws.read_only_tools(), ws.run_tool()], finish=finish,
        task=given.task,
        variables={"spec": given.spec, "criteria": given.criteria, "subject": given.subject,
                   "task": given.task,
                   "test_command": ctx.config.test_command, "tests": tests,
                   "repo_files": repo_overview(ws)},
        query=given.subject, branch=ws.root)
    return EvalOutcome(result, tests)
