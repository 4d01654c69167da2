"""The writer: validate a role job's outputs completely (validate.py), then apply them.

Applied outputs converge when applied again: the tracking comment is edited in place, PRs are
found by branch, labels are sets, and every other post carries a hidden key derived from its
content, so a second apply (or a re-run job's identical output) posts nothing twice.

What GitHub refuses is met, not crashed on: a PR whose branch has no commits yet is not opened
(whatever was meant for it waits for the next build), and a merge GitHub will not do (conflicts,
branch protection) turns the outcome into a blocked issue that says why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pipeline.actions.outputs import checks, commits, lessons_branch, refused_merge
from pipeline.actions.outputs.cache import CachingForge
from pipeline.actions.outputs.held import hold
from pipeline.actions.outputs.schema import (
    CloseOp,
    CommentOp,
    DispatchOp,
    LabelsOp,
    LessonsOp,
    MergeOp,
    OpenPrOp,
    Operation,
    Outputs,
    ReplyOp,
    ReviewOp,
    StatusOp,
    TrackingOp,
)
from pipeline.actions.outputs.validate import (
    KEY_PATTERN,
    Refused,
    key_of,
    keyed,
    post_refusal,
    raw_target,
    validate,
)
from pipeline.config.settings import Config
from pipeline.core.errors import BadInput, WorkFailed
from pipeline.core.sanitize import neutralise_mentions
from pipeline.detection.verdict import SECTION, Verdict, render
from pipeline.forge import tracking
from pipeline.forge.github import EmptyPullRequest, MergeRefused
from pipeline.forge.local import LocalForge
from pipeline.forge.protocol import Forge
from pipeline.forge.types import NEEDS_HUMAN, InlineComment
from pipeline.steps.state import RunState, issue_of_branch, now_iso, render_body

Dispatcher = Callable[[str, int], None]
Deferred = tuple["Writer", DispatchOp]
"""A dispatch left for later by the writer that would have made it."""
MAX_DISPATCH_KEYS = 20


@dataclass
class Applied:
    pr_numbers: dict[int, int] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def apply_dir(directory: Path, repo: Path, forge: Forge, config: Config,
              environ: Mapping[str, str], *, dispatch: Dispatcher | None = None,
              limits: checks.Limits | None = None, verdict: Verdict | None = None,
              deferred: list[Deferred] | None = None) -> Applied:
    """Validate, then apply; Refused (nothing written but the reasons) or Held (nothing
    written but the hold) when the outputs may not be applied as they are. deferred: where
    to leave the dispatches (see Writer)."""
    try:
        outputs, judged = validate(directory, repo, config, environ,
                                   limits or checks.Limits(), verdict)
    except (Refused, BadInput) as exc:
        role, number = raw_target(directory)
        reasons = exc.reasons if isinstance(exc, Refused) else [exc.message]
        if number is not None:
            post_refusal(forge, number, role, reasons)
        raise Refused(reasons) from None
    if not judged.clean:
        hold(forge, outputs, judged)
    return Writer(repo, forge, config, dispatch, judged, deferred=deferred).apply(outputs)


class Writer:
    def __init__(self, repo: Path, forge: Forge, config: Config,
                 dispatch: Dispatcher | None, verdict: Verdict | None = None, *,
                 deferred: list[Deferred] | None = None) -> None:
        """deferred: where to leave the dispatches, for a caller applying several outputs
        that starts the next jobs only once every state they read is written."""
        self.cache = CachingForge(forge)
        self.forge: Forge = cast(Forge, self.cache)
        self.repo, self.config, self.dispatch = repo, config, dispatch
        self.verdict = verdict or Verdict()
        self.subject = 0
        self.deferred = deferred
        self.result = Applied()
        self.unopened: set[int] = set()
        """Placeholders of PRs GitHub would not open (no commits yet): their ops wait."""
        self.closed_by_merge: set[int] = set()
        """Issues GitHub closed itself when their PR merged (its body says `Closes #N`)."""
        self.spend_left: tuple[int, dict[str, Any]] | None = None
        """(issue, spend) to keep in the issue's state when no operation saves it."""
        self._inline: dict[int, InlineComment] = {}
        self._keys: dict[tuple[str, int], set[str]] = {}
        self.identity = ""
        """A digest of the outputs being applied: the same outputs, the same dispatch keys."""

    def posted(self, kind: str, number: int) -> set[str]:
        """The keys already on number's comments, reviews or review threads (listed once)."""
        if (kind, number) not in self._keys:
            bodies = ([c.body for c in self.forge.comments(number)] if kind == "comment" else
                      [r.body for r in self.forge.reviews(number, inline_comments=False)] if kind == "review" else
                      [c.body for c in self.forge.review_comments(number)])
            self._keys[kind, number] = set(KEY_PATTERN.findall("\n".join(bodies)))
        return self._keys[kind, number]

    def number(self, value: int) -> int:
        return self.result.pr_numbers.get(value, value)

    def apply(self, outputs: Outputs) -> Applied:
        self.identity = hashlib.sha256(outputs.model_dump_json().encode()).hexdigest()
        self.subject = outputs.number
        if outputs.refs:
            commits.push(self.repo, outputs.refs)
            self.result.done.append("pushed " + ", ".join(sorted(outputs.refs)))
        # The tracking state goes last but for the dispatch: it is the commit point. A job
        # re-run after a writer died earlier redoes its work rather than trusting a state that
        # names comments or reviews never posted. Statuses go before a merge (branch protection
        # may ask for them), the merge before what depends on its outcome.
        ops = self._with_spend(outputs)
        for opening in [op for op in ops if isinstance(op, OpenPrOp)]:
            self._open_pr(opening)
        for status in [op for op in ops if isinstance(op, StatusOp)]:
            self._status(status)
        for merge in [op for op in ops if isinstance(op, MergeOp)]:
            refusal = self._merge(merge)
            if refusal is not None:
                ops = refused_merge.blocked_instead(ops, self.number(merge.number), refusal)
        middle = [op for op in ops if not isinstance(op, OpenPrOp | StatusOp | MergeOp
                                                     | TrackingOp | DispatchOp)]
        state = [op for op in ops if isinstance(op, TrackingOp)]
        last = [op for op in ops if isinstance(op, DispatchOp)]
        for op in [*middle, *state, *last]:
            if self.number(getattr(op, "number", 0)) in self.unopened:
                self.result.skipped.append(f"{op.op} for a PR not opened (its branch has no "
                                           "commits yet)")
                continue
            if isinstance(op, DispatchOp) and self.deferred is not None:
                self.deferred.append((self, op))
                continue
            getattr(self, f"_{op.op}")(op)
        if self.spend_left is not None:
            issue, spend = self.spend_left
            if tracking.remember(self.forge, issue, {"spend": spend}):
                self.result.done.append(f"spend of {len(spend)} job(s) kept on #{issue}")
        return self.result

    def _with_spend(self, outputs: Outputs) -> list[Operation]:
        """The outputs' operations, with what the job spent added to its issue's tracking
        state (or kept for an edit of it at the end, when the job saves no state)."""
        ops: list[Operation] = list(outputs.ops)
        spent = {**outputs.spend, **self.verdict.spend}  # the detection model's too
        issue = outputs.issue or (outputs.number if outputs.role in ("plan", "build") else None)
        if not spent or issue is None:
            return ops
        for index, op in enumerate(ops):
            if isinstance(op, TrackingOp) and op.number == issue:
                spend = {**(op.state.get("spend") or {}), **spent}
                ops[index] = op.model_copy(update={"state": {**op.state, "spend": spend}})
                return ops
        self.spend_left = (issue, spent)
        return ops

    def _resolve_state(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (self._resolve_pr(v) if k == "pr" and isinstance(v, int)
                        else self._resolve_state(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve_state(v) for v in value]
        return value

    def _resolve_pr(self, value: int) -> int | None:
        number = self.number(value)
        return None if number in self.unopened else number

    def _open_pr(self, op: OpenPrOp) -> None:
        body = neutralise_mentions(op.body)
        issue = issue_of_branch(op.head)
        if issue is not None:  # GitHub links the PR to its issue and closes it on merge
            body = f"{body.rstrip()}\n\nCloses #{issue}"
        try:
            pr = self.forge.open_pr(op.head, op.base, neutralise_mentions(op.title), body,
                                    draft=True)
        except EmptyPullRequest:
            self.unopened.add(op.ref)
            self.result.skipped.append(f"PR for {op.head}: no commits over {op.base} yet")
            return
        self.result.pr_numbers[op.ref] = pr.number
        self.result.done.append(f"PR #{pr.number} ({op.head})")

    def _tracking(self, op: TrackingOp) -> None:
        number = self.number(op.number)
        current = tracking.read_state(self.forge, number) if op.task else None
        if op.task and current:
            # One task's job: its part goes into the state as it is now (other task jobs of
            # the same wave may have been applied since this one started).
            state = RunState.model_validate(current)
            state.merge_task(RunState.model_validate(op.state), op.task)
            body, saved = render_body(state), state.stored()
        else:
            body, saved = op.body, self._resolve_state(op.state)
        body = neutralise_mentions(body)
        if op.number == self.subject:  # the verdict on these outputs, shown where they report
            body = tracking.with_section(body, SECTION, render(self.verdict))
        tracking.upsert(self.forge, number, body, saved)
        self.result.done.append(f"tracking comment on #{number}")

    def _comment(self, op: CommentOp) -> None:
        number = self.number(op.number)
        key = key_of("comment", number, op.body)
        if key in self.posted("comment", number):
            self.result.skipped.append(f"comment on #{number} (already posted)")
            return
        self.forge.post_comment(number, keyed(op.body, key))
        self.posted("comment", number).add(key)
        self.result.done.append(f"comment on #{number}")

    def _labels(self, op: LabelsOp) -> None:
        number = self.number(op.number)
        self.forge.set_labels(number, add=op.add, remove=op.remove)
        self.result.done.append(f"labels on #{number}: +{op.add} -{op.remove}")

    def _review(self, op: ReviewOp) -> None:
        number = self.number(op.number)
        key = key_of("review", number, op.body)
        inline = [InlineComment(c.path, c.line, neutralise_mentions(c.body)) for c in op.comments]
        for placeholder, comment in zip(op.comments, inline, strict=True):
            if placeholder.ref is not None:
                self._inline[placeholder.ref] = comment
        if key in self.posted("review", number):
            self.result.skipped.append(f"review on #{number} (already posted)")
            return
        self.forge.post_review(number, op.commit, keyed(op.body, key), op.verdict, inline)
        self.posted("review", number).add(key)
        self.result.done.append(f"review on #{number}")

    def _thread(self, number: int, comment_id: int) -> int:
        """A real review comment id for a placeholder: the inline comment posted here."""
        if comment_id > 0:
            return comment_id
        wanted = self._inline.get(comment_id)
        if wanted is not None:
            for comment in self.forge.review_comments(number):
                if comment.in_reply_to is None and comment.path == wanted.path \
                        and wanted.body.strip() in comment.body:
                    return comment.id
        raise WorkFailed(f"reply to review comment {comment_id}: its comment was not posted")

    def _reply(self, op: ReplyOp) -> None:
        number = self.number(op.number)
        thread = self._thread(number, op.comment_id)
        key = key_of("reply", number, f"{thread}\0{op.body}")
        if key in self.posted("reply", number):
            self.result.skipped.append(f"reply in thread {thread} (already posted)")
            return
        self.forge.reply_to_review_comment(number, thread, keyed(op.body, key))
        self.posted("reply", number).add(key)
        self.result.done.append(f"reply in thread {thread}")

    def _status(self, op: StatusOp) -> None:
        set_status = getattr(self.forge, "set_status", None)
        if set_status is None:
            self.result.skipped.append(f"status {op.context} (this forge has none)")
            return
        set_status(op.sha, op.state, op.context, op.description)
        self.result.done.append(f"status {op.context}: {op.state}")

    def _close(self, op: CloseOp) -> None:
        number = self.number(op.number)
        if number in self.closed_by_merge:
            self.result.skipped.append(f"closing #{number}: its PR's merge closed it")
            return
        self.forge.close_issue(number)
        self.result.done.append(f"closed #{number}")

    def _merge(self, op: MergeOp) -> str | None:
        """Merge a factory PR; None when done (or not asked for), else why GitHub would not."""
        number = self.number(op.number)
        if not self.config.auto_merge:
            self.result.skipped.append(f"merge of #{number}: factory.yaml has no auto_merge")
            return None
        pr = self.forge.get_pr(number)
        if not pr.head.startswith("factory/"):
            self.result.skipped.append(f"merge of #{number}: not a factory PR")
            return None
        if NEEDS_HUMAN in pr.labels:
            self.result.skipped.append(f"merge of #{number}: held for a person ({NEEDS_HUMAN})")
            return None
        if not pr.merged:
            try:
                self.forge.merge_pr(number, neutralise_mentions(op.message), op.sha)
            except MergeRefused as exc:
                self.result.skipped.append(f"merge of #{number}: {exc.message}")
                return f"GitHub would not merge #{number}: {exc.message}"
        issue = issue_of_branch(pr.head)
        if issue is not None and f"Closes #{issue}" in pr.body \
                and pr.base == commits.default_branch(self.repo) \
                and not isinstance(self.cache.inner, LocalForge):
            self.closed_by_merge.add(issue)
        self.result.done.append(f"merged #{number}")
        return None

    def _lessons(self, op: LessonsOp) -> None:
        lessons = lessons_branch.validate(op.lessons)
        pending, added = lessons_branch.commit_lessons(self.repo, lessons, op.pr)
        if not pending:
            self.result.skipped.append(f"lessons from #{op.pr}: all already merged")
            return
        base = commits.default_branch(self.repo)
        pr = self.forge.open_pr(lessons_branch.BRANCH, base, "factory: lessons learned",
                                neutralise_mentions(lessons_branch.pr_body(added or lessons,
                                                                           op.pr)), draft=True)
        self.result.done.append(f"{len(added)} lesson(s) on {lessons_branch.BRANCH} (#{pr.number})")

    def dispatch_now(self, op: DispatchOp) -> None:
        """A deferred dispatch, once the other outputs are applied: read the forge afresh."""
        self.cache = CachingForge(self.cache.inner)
        self.forge = cast(Forge, self.cache)
        self._dispatch(op)

    def _dispatch(self, op: DispatchOp) -> None:
        number = self.number(op.number)
        if self.dispatch is None:
            self.result.skipped.append(f"next: factory {op.command} {number}")
            return
        # The same outputs applied again (a re-run writer) must not start the job twice; the
        # task jobs of one wave share a key, so they start one next wave.
        key = hashlib.sha256(f"{op.key or self.identity}:{op.command}:{number}"
                             .encode()).hexdigest()[:16]
        done = list((tracking.read_state(self.forge, number) or {}).get("dispatched") or [])
        if key in done:
            self.result.skipped.append(f"{op.command} #{number} (already dispatched)")
            return
        self.dispatch(op.command, number)
        tracking.remember(self.forge, number, {"dispatched": [*done, key][-MAX_DISPATCH_KEYS:],
                                               "heartbeat": now_iso()})
        self.result.done.append(f"dispatched {op.command} #{number}")
