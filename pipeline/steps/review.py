"""The review step: one panel review of a change, end to end (reuse the stored one for this
commit, or run the panel and post it), and the panel's result as feedback for the generator."""

from __future__ import annotations

from pipeline.agent.workspace import Workspace
from pipeline.core import git
from pipeline.forge.protocol import Forge
from pipeline.review.panel import PanelInput, PanelResult, run_panel
from pipeline.review.report import latest, latest_in, post_panel, prepare, render_summary, safe
from pipeline.roles.base import RoleContext
from pipeline.roles.schemas import TaskSpec
from pipeline.steps.work import IssueWork


def review_change(ctx: RoleContext, forge: Forge, pr: int, scope: str, commit: str,
                  given: PanelInput) -> PanelResult:
    """The panel's result for scope at commit; models run only if it was never reviewed."""
    stored = latest(forge, pr, scope)
    if stored is not None and stored.commit == commit:
        return stored.result
    result, _posted = post_panel(forge, pr, scope, commit, run_panel(ctx, given), given.diff)
    return result


def panel_feedback(result: PanelResult) -> str:
    """What the generator is told about the panel's review; empty when it passed clean."""
    lines: list[str] = []
    if result.verdict == "no_quorum":
        lines.append(f"The review panel reached no quorum ({len(result.answered)} of "
                     f"{len(result.reviewers)} reviewers answered, {result.quorum} needed); "
                     "make the change easy to review and finish again.")
    if result.findings:
        lines.append("Review findings (most severe first; blocking: critical and major):")
        lines += [f"- [{f.severity}] {f.where} {f.title}: {f.body} "
                  f"(reported by {', '.join(f.reviewers)})" for f in result.findings]
    return "\n".join(lines)


def review_task(work: IssueWork, spec: TaskSpec, workspace: Workspace, base: str) -> PanelResult:
    """The review panel on a task's change, posted once per commit as one review on the
    issue's PR: without inline comments (the task's commit is not on the PR yet), and kept
    until the PR is opened if the issue's branch has no commits yet."""
    plan = work.state.plan
    assert plan is not None
    given = PanelInput(plan.spec, plan.acceptance_criteria, spec,
                       git.diff(workspace.root, base), Workspace(workspace.root),
                       focus_paths=git.changed_files(workspace.root, base))
    commit = git.head(workspace.root)
    pr = work.state.pr
    if pr is not None:
        result, _posted = post_panel(work.forge, pr, spec.id, commit,
                                     run_panel(work.ctx, given), given.diff, inline=False)
        return result
    previous = latest_in(work.waiting_reviews, spec.id)
    if previous is not None and previous.commit == commit:
        return previous.result
    ready = prepare(previous, spec.id, commit, run_panel(work.ctx, given), None)
    work.waiting_reviews.append(ready.body)
    if work.scope is not None:
        # One task's build job on Actions: the PR is opened by a later wave, so the panel's
        # summary goes on the issue now (the PR is reviewed whole once it exists).
        work.forge.post_comment(work.state.issue,
                                safe(render_summary(spec.id, commit, ready.result, None)))
        return ready.result
    work.post_on_pr(lambda number: work.forge.post_review(number, None, ready.body,
                                                          ready.verdict, []))
    return ready.result
