"""Planner: a brief → a spec, acceptance criteria a user can observe, and a task DAG."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.agent.tools import Tool, finishing_tool
from pipeline.agent.workspace import Workspace
from pipeline.roles.base import RoleContext, repo_overview, run_agent
from pipeline.roles.schemas import Plan, Questions

Asker = Callable[[list[str]], list[str]]
NO_ANSWERS = ("No one is available to answer. Make the most reasonable assumption for each "
              "question and write every assumption into the spec under 'Assumptions'.")


@dataclass(frozen=True)
class PlanInput:
    brief: str
    workspace: Workspace


@dataclass(frozen=True)
class PlanResult:
    plan: Plan
    clarifications: list[tuple[str, str]] = field(default_factory=list)


def plan(ctx: RoleContext, given: PlanInput, ask: Asker | None = None) -> PlanResult:
    clarifications: list[tuple[str, str]] = []

    def ask_questions(args: Questions) -> str:
        if clarifications:
            return "You already asked your questions; plan with the answers you have."
        answers = ask(args.questions) if ask else []
        if not any(a.strip() for a in answers):
            clarifications.extend((q, "(no answer: assumption made)") for q in args.questions)
            return NO_ANSWERS
        clarifications.extend(zip(args.questions, answers, strict=False))
        return "\n".join(f"Q: {q}\nA: {a or '(no answer: assume)'}" for q, a in clarifications)

    tools = [*given.workspace.read_only_tools(),
             Tool("ask_questions", "Ask the person who wrote the brief up to 5 clarifying "
                  "questions, once, only when the brief is ambiguous.", Questions, ask_questions)]
    most = ctx.config.limits.max_tasks

    def within_the_cap(proposed: Plan) -> None:
        if len(proposed.tasks) > most:
            raise ValueError(f"the plan has {len(proposed.tasks)} tasks; at most {most} are "
                             "allowed (limits.max_tasks): merge small tasks into larger ones")

    finish = finishing_tool("submit_plan", "Submit the spec, acceptance criteria and tasks.", Plan,
                            check=within_the_cap)
    result: Plan = run_agent(ctx, role="planner", tools=tools, finish=finish,
                             variables={"brief": given.brief, "max_tasks": most,
                                        "repo_files": repo_overview(given.workspace)},
                             query=given.brief)
    if clarifications:
        lines = "\n".join(f"- Q: {q}\n  A: {a}" for q, a in clarifications)
        result = result.model_copy(update={"spec": f"{result.spec}\n\n## Clarifications\n{lines}"})
    return PlanResult(result, clarifications)
