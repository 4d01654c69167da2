"""The panel's one review on the forge: a summary table, inline comments, and hidden state.

The review body carries the panel's whole result in the tracking marker
(`<!-- factory:state {"panel": ...} -->`), keyed by scope (a task id, or `pr`) and commit:

- the same scope and commit already reviewed → nothing is posted, the stored result is reused;
- a new commit → the summary says what was fixed, what is still open and what is new against
  the scope's previous review; still-open findings keep their id and their thread, and only
  new findings get inline comments.

Inline comments go only on lines the PR's diff shows, at a commit of the PR (GitHub refuses the
whole review otherwise): the summary table lists every finding, and the text of each new one
that has no such line is written out in the body. A task's review is about a commit that is
not (yet) on the PR, so it has no inline comments at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, Field, ValidationError
from unidiff import PatchSet
from unidiff.errors import UnidiffParseError

from pipeline.core.sanitize import neutralise_mentions, redact
from pipeline.forge import tracking
from pipeline.forge.protocol import Forge
from pipeline.forge.types import InlineComment, Review, Verdict
from pipeline.review.merge import alike
from pipeline.review.panel import PanelResult
from pipeline.roles.schemas import MergedFinding

FINDING_MARK = "<!-- factory:finding {id} -->"
_FINDING = re.compile(r"<!-- factory:finding ([0-9a-f]+) -->")
MAX_REVIEW_CHARS = 60_000
SLIM_BODY_CHARS = 200
SUMMARY_CUT = ("\n\n(The table is cut here: too long for one review. The factory keeps every "
               "finding and hands them all to the generator.)")
FORGE_VERDICT: dict[str, Verdict] = {"approve": "approve", "changes": "changes",
                                     "no_quorum": "comment"}


class PanelRecord(BaseModel):
    scope: str
    commit: str
    result: PanelResult
    fixed: list[MergedFinding] = Field(default_factory=list)


@dataclass(frozen=True)
class Delta:
    fixed: list[MergedFinding] = field(default_factory=list)
    still_open: list[MergedFinding] = field(default_factory=list)
    new: list[MergedFinding] = field(default_factory=list)
    unchecked: list[MergedFinding] = field(default_factory=list)
    """Earlier findings none of whose reviewers answered this time: kept open, not 'fixed'."""


def finding_of(body: str) -> str | None:
    """The finding id an inline comment was posted for."""
    match = _FINDING.search(body)
    return match.group(1) if match else None


def record_of(body: str) -> PanelRecord | None:
    """The panel's result a review body carries, if it is a panel review."""
    state = tracking.parse_state(body)
    if not state or "panel" not in state:
        return None
    try:
        return PanelRecord.model_validate(state["panel"])
    except ValidationError:
        return None  # an older or hand-edited marker: not ours to trust


def records(forge: Forge, pr: int, scope: str | None = None) -> list[tuple[Review, PanelRecord]]:
    """The panel reviews on pr, oldest first, optionally for one scope only."""
    found = []
    for posted in forge.reviews(pr, inline_comments=False):
        record = record_of(posted.body)
        if record is not None and (scope is None or record.scope == scope):
            found.append((posted, record))
    return found


def latest(forge: Forge, pr: int, scope: str) -> PanelRecord | None:
    found = records(forge, pr, scope)
    return found[-1][1] if found else None


def latest_in(bodies: list[str], scope: str) -> PanelRecord | None:
    """The scope's last panel record among review bodies not posted yet."""
    found = [r for r in map(record_of, bodies) if r is not None and r.scope == scope]
    return found[-1] if found else None


def compare(previous: list[MergedFinding], current: list[MergedFinding],
            answered: set[str] | None = None) -> Delta:
    """Match findings across commits: same file and alike text (lines move, so not by line).

    An earlier finding no one reports now is fixed only if one of the reviewers that reported
    it answered this time (`answered`, all when None); otherwise it is unchecked."""
    unmatched = list(previous)
    still_open, new = [], []
    for finding in current:
        match = next((p for p in unmatched if p.path == finding.path and alike(p, finding)), None)
        if match is None:
            new.append(finding)
        else:
            unmatched.remove(match)
            still_open.append(finding.model_copy(update={"id": match.id}))
    checked = [f for f in unmatched if answered is None or answered & set(f.reviewers)]
    unchecked = [f for f in unmatched if f not in checked]
    return Delta(fixed=checked, still_open=still_open, new=new, unchecked=unchecked)


def diff_lines(diff: str) -> set[tuple[str, int]]:
    """(path, line in the new version) for every line the diff shows: where comments may go."""
    try:
        patch = PatchSet(diff)
    except UnidiffParseError:
        return set()
    return {(patched.path, line.target_line_no) for patched in patch for hunk in patched
            for line in hunk if line.target_line_no is not None}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")[:160]


def _row(finding: MergedFinding, status: str = "") -> str:
    return (f"| {finding.severity} | `{finding.where}` | {_cell(finding.title)} | "
            f"{', '.join(finding.reviewers)} |" + (f" {status} |" if status else ""))


def render_summary(scope: str, commit: str, result: PanelResult, delta: Delta | None) -> str:
    answered, total = len(result.answered), len(result.reviewers)
    head = {"approve": "approve", "changes": "changes requested",
            "no_quorum": f"no quorum ({answered} of {total} answered, {result.quorum} needed)"}
    lines = [f"### Review panel on {scope} at `{commit[:12]}`: **{head[result.verdict]}**", "",
             f"{answered} of {total} reviewers answered; {len(result.findings)} finding(s), "
             f"{len(result.blocking)} blocking."]
    status = {}
    if delta is not None:
        lines.append(f"Since the last review: {len(delta.fixed)} fixed, "
                     f"{len(delta.still_open)} still open, {len(delta.new)} new."
                     + (f" {len(delta.unchecked)} not re-checked (their reviewers failed)."
                        if delta.unchecked else ""))
        status = ({f.id: "still open" for f in delta.still_open} | {f.id: "new" for f in delta.new}
                  | {f.id: "not re-checked" for f in delta.unchecked})
    if result.findings:
        extra = (" status |", "---|") if delta is not None else ("", "")
        lines += ["", f"| severity | where | what | who agreed |{extra[0]}",
                  f"|---|---|---|---|{extra[1]}"]
        lines += [_row(f, status.get(f.id, "") if delta is not None else "")
                  for f in result.findings]
    if delta is not None and delta.fixed:
        lines += ["", "Fixed since the last review:"]
        lines += [f"- ~~{f.severity}: `{f.where}` {_cell(f.title)}~~" for f in delta.fixed]
    if result.failed:
        lines += ["", "Failed reviewers (not counted as approval):"]
        lines += [f"- {r.name} ({r.focus}): {_cell(r.error or 'failed')}" for r in result.failed]
    lines += ["", "<details><summary>Reviewers</summary>", "",
              "| reviewer | focus | answer | findings | time | cost |", "|---|---|---|---|---|---|"]
    lines += [f"| {r.name} | {_cell(r.focus)} | {r.verdict or 'failed'} | {r.findings} | "
              f"{r.wall_s:.1f}s | ${r.cost_usd:.4f} |" for r in result.reviewers]
    lines += ["", "</details>"]
    left_out = sorted({p for r in result.answered for p in r.left_out})
    if left_out:
        lines += ["", "Not in every reviewer's diff (too large; read by tool): "
                  + ", ".join(f"`{p}`" for p in left_out)]
    return "\n".join(lines)


def safe(text: str) -> str:
    """Model-written text as the factory may post it: no secrets, pings or auto-closing."""
    return neutralise_mentions(redact(text))


UNPLACED_BODY_CHARS = 600


def unplaced_text(findings: list[MergedFinding]) -> str:
    """The text of findings no inline comment carries, for the review's body."""
    if not findings:
        return ""
    lines = ["", "Not on a line of the PR's diff, so here rather than inline:"]
    for finding in findings:
        body = " ".join(finding.body.split())
        if len(body) > UNPLACED_BODY_CHARS:
            body = body[:UNPLACED_BODY_CHARS] + " …"
        lines.append(f"- **{finding.severity}** `{finding.where}` {_cell(finding.title)}: {body}"
                     f" _({', '.join(finding.reviewers)})_")
    return "\n".join(lines)


def inline_body(finding: MergedFinding) -> str:
    also = "".join(f"\n- {line}" for line in finding.also)
    return (safe(f"**{finding.severity}**: {finding.title}\n\n{finding.body}\n\n"
                 f"_Reported by {', '.join(finding.reviewers)}._"
                 + (f"\nAlso put as:{also}" if also else ""))
            + "\n\n" + FINDING_MARK.format(id=finding.id))


def _slim(finding: MergedFinding) -> MergedFinding:
    return finding.model_copy(update={"body": finding.body[:SLIM_BODY_CHARS], "also": []})


def review_body(summary: str, record: PanelRecord, limit: int = MAX_REVIEW_CHARS) -> str:
    """The summary plus the record, within what a forge accepts for one review body (GitHub:
    65,536 characters): finding bodies are shortened in the record first (the inline comments
    keep them whole), then the summary is cut."""
    body = tracking.render(summary, {"panel": record.model_dump(mode="json")})
    if len(body) <= limit:
        return body
    result = record.result.model_copy(update={
        "findings": [_slim(f) for f in record.result.findings],
        "reviewers": [r.model_copy(update={"left_out": [], "omitted": []})
                      for r in record.result.reviewers]})
    slim = record.model_copy(update={"result": result, "fixed": [_slim(f) for f in record.fixed]})
    state = {"panel": slim.model_dump(mode="json")}
    room = limit - len(tracking.render("", state)) - len(SUMMARY_CUT)
    return tracking.render(summary if len(summary) <= room else summary[:max(room, 0)]
                           + SUMMARY_CUT, state)


@dataclass(frozen=True)
class Prepared:
    """One panel review ready to post."""

    result: PanelResult
    """As stored: ids of still-open findings carried over from the previous review."""
    body: str
    verdict: Verdict
    comments: list[InlineComment]


def post_panel(forge: Forge, pr: int, scope: str, commit: str, result: PanelResult,
               diff: str, *, inline: bool = True) -> tuple[PanelResult, Review | None]:
    """Post result as one review, or nothing if this scope and commit were already reviewed.
    inline: the diff is the PR's at commit, so findings on its lines go there as comments.

    Returns the result as stored (ids of still-open findings carried over) and the review
    posted, None when nothing was."""
    previous = latest(forge, pr, scope)
    if previous is not None and previous.commit == commit:
        return previous.result, None
    ready = prepare(previous, scope, commit, result, diff if inline else None)
    posted = forge.post_review(pr, commit if inline else None, ready.body, ready.verdict,
                               ready.comments)
    return ready.result, posted


def prepare(previous: PanelRecord | None, scope: str, commit: str, result: PanelResult,
            diff: str | None) -> Prepared:
    """The review of result against the scope's previous one; inline comments on diff's lines
    (none without a diff), the text of every other new finding in the body."""
    delta = None
    if previous is not None:
        delta = compare(previous.result.findings, result.findings,
                        {r.name for r in result.answered})
        carried = {f.path + f.title: f.id for f in delta.still_open}
        findings = [f.model_copy(update={"id": carried.get(f.path + f.title, f.id)})
                    for f in result.findings]
        verdict = result.verdict
        if verdict == "approve" and any(f.blocking for f in delta.unchecked):
            verdict = "changes"
        result = result.model_copy(update={"verdict": verdict, "findings": sorted(
            [*findings, *delta.unchecked], key=MergedFinding.sort_key)})
    fresh = {f.id for f in delta.new} if delta is not None else {f.id for f in result.findings}
    anchors = diff_lines(diff) if diff is not None else set()
    placed = [f for f in result.findings if f.id in fresh and (f.path, f.line) in anchors]
    unplaced = [f for f in result.findings if f.id in fresh and f not in placed]
    record = PanelRecord(scope=scope, commit=commit, result=result,
                         fixed=delta.fixed if delta else [])
    summary = render_summary(scope, commit, result, delta) + unplaced_text(unplaced)
    body = review_body(safe(summary), record)
    return Prepared(result, body, FORGE_VERDICT[result.verdict],
                    [InlineComment(f.path, f.line, inline_body(f)) for f in placed])
