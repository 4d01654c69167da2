"""Generator: implements one task in its worktree (or answers findings), then the factory commits."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.agent.tools import finishing_tool
from pipeline.agent.workspace import Workspace
from pipeline.roles.base import RoleContext, repo_overview, run_agent
from pipeline.roles.schemas import Criterion, Finish, TaskSpec


@dataclass(frozen=True)
class BuildInput:
    spec: str
    criteria: list[Criterion]
    task: TaskSpec
    workspace: Workspace
    feedback: str = ""
    """Findings from the previous round's review and evaluation, empty on the first round."""
    resume_note: str = ""
    """The handoff note an earlier slice left: the work goes on from it."""


def generate(ctx: RoleContext, given: BuildInput) -> Finish:
    ws = given.workspace
    tools = [*ws.read_only_tools(), *ws.write_tools(), ws.run_tool()]
    finish = finishing_tool("finish", "Declare the task done, with a summary of the change.",
                            Finish, check=lambda _args: ws.ready_to_commit())
    result: Finish = run_agent(
        ctx, role="generator", tools=tools, finish=finish, task=given.task.id,
        variables={"spec": given.spec, "criteria": given.criteria, "task": given.task,
                   "feedback": given.feedback, "repo_files": repo_overview(ws),
                   "test_command": ctx.config.test_command},
        query=f"{given.task.title}\n{given.task.description}\n{given.feedback}",
        branch=ws.root, resume_note=given.resume_note, sliced=True)
    return result
