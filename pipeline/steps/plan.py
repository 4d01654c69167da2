"""The plan step: the planner turns the issue's brief into a spec, criteria and tasks."""

from __future__ import annotations

from pipeline.agent.workspace import Workspace
from pipeline.roles.planner import PlanInput, plan
from pipeline.steps.work import IssueWork


def plan_issue(work: IssueWork) -> None:
    work.record("planning", "planning")
    result = plan(work.ctx, PlanInput(work.state.brief, Workspace(work.repo)), work.ask)
    with work.state_lock:
        work.state.set_plan(result.plan)
    work.record(f"planned {len(result.plan.tasks)} task(s)")
