"""Respond: the generator answers a PR's review, then the panel and the evaluator run again.

A round: gather the open findings of the panel's latest review and the review threads that
wait for an answer (people's first), let the responder fix and reply, commit (and push), post
one reply per thread (`Fixed in <sha>` or why not; never twice in a row in one thread), review
and evaluate the new commit. At most `limits.review_rounds` rounds; then the PR is labelled
`factory:blocked` with what remains.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pipeline.agent.workspace import Workspace
from pipeline.core import git
from pipeline.forge import tracking
from pipeline.forge.protocol import Forge
from pipeline.forge.types import Comment, may_steer, phase_label
from pipeline.review.panel import PanelInput, PanelResult
from pipeline.review.report import finding_of, safe
from pipeline.roles.base import RoleContext
from pipeline.roles.evaluator import EvalInput, EvalOutcome, evaluate
from pipeline.roles.responder import RespondInput, Thread, ThreadReply, respond
from pipeline.roles.schemas import Criterion, MergedFinding, Plan, TaskSpec
from pipeline.steps.review import review_change


@dataclass(frozen=True)
class RespondOutcome:
    passed: bool
    rounds: int
    commits: list[str] = field(default_factory=list)
    replied: list[int] = field(default_factory=list)
    """Threads answered, by their first comment's id."""
    remaining: list[MergedFinding] = field(default_factory=list)
    reason: str | None = None
    """Why the PR is blocked; None when it passed."""


def open_threads(forge: Forge, pr: int, findings: list[MergedFinding],
                 allowed: Iterable[str] = ()) -> list[Thread]:
    """Threads waiting for the factory: people's, and the panel's on still-open findings.

    A thread waits when no factory reply follows the last thing a person said in it; a thread
    the panel started waits until the factory has replied once. Only people who may trigger
    the factory (write access, or `allowed_actors`) are heard: what anyone else writes on the
    PR never reaches the responder as a request."""
    comments = forge.review_comments(pr)
    by_id = {c.id: c for c in comments}

    def root_of(comment: Comment) -> int:
        while comment.in_reply_to is not None and comment.in_reply_to in by_id:
            comment = by_id[comment.in_reply_to]
        return comment.id

    grouped: dict[int, list[Comment]] = {}
    for comment in comments:
        grouped.setdefault(root_of(comment), []).append(comment)
    open_by_id = {f.id: f for f in findings}
    waiting = []
    for root_id, everyone in sorted(grouped.items()):
        root = by_id[root_id]
        thread = [c for c in everyone
                  if c.by_factory or may_steer(c.author, c.author_association, allowed)]
        if not thread:
            continue
        last_person = max((c.id for c in thread if not c.by_factory), default=0)
        if any(c.by_factory and c.in_reply_to is not None and c.id > last_person
               for c in thread):
            continue
        finding = open_by_id.get(finding_of(root.body) or "") if root.by_factory else None
        if root.by_factory and finding is None and not last_person:
            continue  # the panel's finding is fixed or gone, and no person asked anything
        waiting.append(Thread(id=root_id, path=root.path, line=root.line,
                              by_person=bool(last_person),
                              messages=[(c.author or "someone", c.body) for c in thread],
                              finding=finding))
    return sorted(waiting, key=lambda t: not t.by_person)


def people_reviews(forge: Forge, pr: int, allowed: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(author, body) of reviews people who may steer the factory wrote with a summary (the
    panel's carry its marker)."""
    return [(r.author or "someone", r.body) for r in forge.reviews(pr, inline_comments=False)
            if r.body.strip() and tracking.MARKER not in r.body
            and may_steer(r.author, r.author_association, allowed)]


def reply_text(answer: ThreadReply, sha: str | None) -> str:
    if answer.fixed and sha:
        return f"Fixed in {sha[:12]}: {answer.reply}"
    if answer.fixed:
        return f"No change was needed: {answer.reply}"
    return f"Not changed: {answer.reply}"


def evaluation_comment(subject: str, outcome: EvalOutcome) -> str:
    rows = "\n".join(f"| {c.id} | {'yes' if c.met else 'no'} | {c.evidence} |"
                     for c in outcome.evaluation.criteria)
    return (f"**Evaluation of {subject}: {'pass' if outcome.passed else 'fail'}** "
            f"(tests exit {outcome.tests.returncode})\n\n| criterion | met | evidence |\n"
            f"|---|---|---|\n{rows}")


def blocked_comment(rounds: int, panel: PanelResult, people: list[Thread],
                    evaluation: str) -> str:
    lines = [f"**Blocked after {rounds} respond round(s)**: this needs a person.", ""]
    if panel.verdict == "no_quorum":
        lines.append(f"- the review panel reached no quorum ({len(panel.answered)} of "
                     f"{len(panel.reviewers)} answered, {panel.quorum} needed)")
    lines += [f"- open {f.severity}: `{f.where}` {f.title} ({', '.join(f.reviewers)})"
              for f in panel.blocking]
    lines += [f"- unanswered comment thread {t.id}" for t in people]
    if evaluation:
        lines += ["- the evaluation fails:", evaluation]
    return "\n".join(lines)


def respond_to_pr(ctx: RoleContext, forge: Forge, pr_number: int, workspace: Workspace,
                  plan: Plan, *, task: TaskSpec | None = None, base: str | None = None,
                  scope: str = "pr", criteria: list[Criterion] | None = None,
                  evaluation: str = "", push: Callable[[str], None] | None = None
                  ) -> RespondOutcome:
    """Answer pr_number's review in workspace (a checkout of its head) until it passes or the
    rounds run out. `base` is the ref the diff is taken against (default: the PR's base);
    `evaluation` the last evaluation's failures, if one already ran; `push` publishes a commit
    (GitHub), the local forge needs none."""
    pr = forge.get_pr(pr_number)
    task = task or TaskSpec(id=f"PR{pr_number}", title=pr.title or "the pull request",
                            description=pr.body or pr.title or "the pull request")
    criteria = criteria if criteria is not None else plan.acceptance_criteria
    base = base or pr.base

    def review_head() -> PanelResult:
        given = PanelInput(plan.spec, criteria, task, git.diff(workspace.root, base), workspace,
                           focus_paths=git.changed_files(workspace.root, base))
        return review_change(ctx, forge, pr_number, scope, git.head(workspace.root), given)

    panel = review_head()
    commits: list[str] = []
    replied: set[int] = set()
    limit = ctx.config.limits.review_rounds
    for round_number in range(limit + 1):
        threads = [t for t in open_threads(forge, pr_number, panel.findings,
                                           ctx.config.allowed_actors)
                   if t.id not in replied]
        people = [t for t in threads if t.by_person]
        if panel.passed and not people and not evaluation:
            return RespondOutcome(True, round_number, commits, sorted(replied))
        if round_number == limit:
            forge.set_labels(pr_number, add=[phase_label("blocked")],
                             remove=[phase_label("review")])
            forge.post_comment(pr_number, safe(blocked_comment(limit, panel, people,
                                                                  evaluation)))
            return RespondOutcome(False, limit, commits, sorted(replied), panel.blocking,
                                  reason=f"after {limit} respond round(s): "
                                         f"{len(panel.blocking)} blocking finding(s), "
                                         f"{len(people)} unanswered thread(s)"
                                         + (", evaluation failing" if evaluation else ""))
        answer = respond(ctx, RespondInput(plan.spec, criteria, task, workspace, panel.findings,
                                           threads, evaluation,
                                           notes=people_reviews(forge, pr_number,
                                                                ctx.config.allowed_actors)))
        refused = workspace.commit_check() if workspace.commit_check else None
        if refused:
            forge.set_labels(pr_number, add=[phase_label("blocked")],
                             remove=[phase_label("review")])
            forge.post_comment(pr_number, safe(f"**Blocked**: {refused}"))
            return RespondOutcome(False, round_number + 1, commits, sorted(replied),
                                  panel.blocking, reason=" ".join(refused.split()))
        sha = git.commit_all(workspace.root, f"{task.id}: answer the review (round "
                                             f"{round_number + 1})\n\n{answer.summary}")
        if sha:
            commits.append(sha)
            if push is not None:
                push(sha)
        waiting = {t.id for t in threads}
        for reply in answer.replies:
            if reply.thread in waiting and reply.thread not in replied:
                forge.reply_to_review_comment(pr_number, reply.thread,
                                              safe(reply_text(reply, sha)))
                replied.add(reply.thread)
        panel = review_head()
        outcome = evaluate(ctx, EvalInput(plan.spec, criteria, workspace,
                                          subject=f"{task.id}: {task.title}", task=task.id))
        forge.post_comment(pr_number, safe(evaluation_comment(task.id, outcome)))
        evaluation = "" if outcome.passed else outcome.failures()
    raise AssertionError("unreachable: the last round returns")
