"""The evaluate step: the evaluator judges a change against its criteria; its verdict is posted
on the PR, and what failed becomes the generator's feedback."""

from __future__ import annotations

from pipeline.agent.workspace import Workspace
from pipeline.review.panel import PanelResult
from pipeline.roles.evaluator import EvalInput, EvalOutcome, evaluate
from pipeline.roles.schemas import Criterion
from pipeline.steps.review import panel_feedback
from pipeline.steps.work import IssueWork


def evaluate_change(work: IssueWork, criteria: list[Criterion], workspace: Workspace,
                    subject: str, task: str | None = None) -> EvalOutcome:
    """The evaluator on workspace, its verdict posted on the issue's PR."""
    plan = work.state.plan
    assert plan is not None
    outcome = evaluate(work.ctx, EvalInput(plan.spec, criteria, workspace, subject=subject,
                                           task=task))
    with work.state_lock:
        work.state.judge({c.id: (c.met and outcome.tests.ok, c.evidence)
                          for c in outcome.evaluation.criteria}, task)
    post_evaluation(work, subject, outcome)
    return outcome


def post_evaluation(work: IssueWork, subject: str, outcome: EvalOutcome) -> None:
    """The verdict as a comment on the issue's PR (once it is open)."""
    rows = "\n".join(f"| {c.id} | {'yes' if c.met else 'no'} | {c.evidence} |"
                     for c in outcome.evaluation.criteria)
    text = (f"**Evaluation of {subject}: {'pass' if outcome.passed else 'fail'}** "
            f"(tests exit {outcome.tests.returncode})\n\n| criterion | met | evidence |\n"
            f"|---|---|---|\n{rows}")
    work.post_on_pr(lambda number: work.forge.post_comment(number, text))


def findings_text(verdict: PanelResult, outcome: EvalOutcome) -> str:
    lines = []
    if not outcome.passed:
        lines += ["Evaluation failed:", outcome.failures()]
    if review := panel_feedback(verdict):
        lines.append(review)
    return "\n".join(lines)
