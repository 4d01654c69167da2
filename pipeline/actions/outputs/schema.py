"""What a role job emits for the writer: `outputs.json` (operations) and `commits.bundle`.

A role given `--outputs DIR` writes nothing to the forge; these records say what it wants
done. `factory apply DIR` validates them all, then applies them. A PR the job opened has no
number yet: it is named by a negative placeholder (`ref`), resolved when the writer opens it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.core.errors import BadInput

MAX_SPEND_SOURCES = 20
OUTPUTS_FILE = "outputs.json"
BUNDLE_FILE = "commits.bundle"
SUMMARY_FILE = "summary.md"


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrackingOp(_Op):
    """Create or edit in place the one tracking comment of an issue or PR."""

    op: Literal["tracking"] = "tracking"
    number: int
    body: str
    state: dict[str, Any]
    task: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
    """Set by a job that built one task: only that task's part of the state (its status,
    checkpoint and cost, the criteria it moved, a stop) is merged into the state as it is
    when applied, so parallel task jobs do not overwrite each other."""


class CommentOp(_Op):
    op: Literal["comment"] = "comment"
    number: int
    body: str


class LabelsOp(_Op):
    op: Literal["labels"] = "labels"
    number: int
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)


class OpenPrOp(_Op):
    op: Literal["open_pr"] = "open_pr"
    ref: int = Field(lt=0)
    """The placeholder number other operations use for this PR."""
    head: str
    base: str
    title: str
    body: str


class InlineOp(_Op):
    path: str
    line: int = Field(ge=1)
    body: str
    ref: int | None = None
    """A placeholder id a reply in the same outputs may answer."""


class ReviewOp(_Op):
    op: Literal["review"] = "review"
    number: int
    commit: str | None = None
    body: str
    verdict: Literal["approve", "changes", "comment"]
    comments: list[InlineOp] = Field(default_factory=list)


class ReplyOp(_Op):
    op: Literal["reply"] = "reply"
    number: int
    comment_id: int
    """A real review comment id, or the placeholder of an inline comment emitted here."""
    body: str


class StatusOp(_Op):
    op: Literal["status"] = "status"
    sha: str = Field(pattern=r"^[0-9a-f]{40}$")
    state: Literal["pending", "success", "failure", "error"]
    context: str
    description: str = ""


class CloseOp(_Op):
    op: Literal["close"] = "close"
    number: int


class MergeOp(_Op):
    """Merge a factory PR: applied only where factory.yaml says `auto_merge: true`."""

    op: Literal["merge"] = "merge"
    number: int
    message: str
    sha: str | None = Field(default=None, pattern=r"^[0-9a-f]{40}$")
    """The head the job checked: GitHub merges only while the PR's head is still this."""


class DispatchOp(_Op):
    """Start the next phase (workflow_dispatch): jobs started by GITHUB_TOKEN start no runs."""

    op: Literal["dispatch"] = "dispatch"
    command: Literal["build", "review", "evaluate", "respond", "learn"]
    number: int
    key: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]{1,80}$")
    """Dispatches with the same key start one job (the task jobs of one wave each ask for
    the next wave); without a key, the outputs themselves are the key."""


class LessonsOp(_Op):
    """Lessons learned from a merged PR, proposed on the `factory/lessons` branch."""

    op: Literal["lessons"] = "lessons"
    pr: int
    lessons: list[dict[str, Any]]


Operation = Annotated[
    TrackingOp | CommentOp | LabelsOp | OpenPrOp | ReviewOp | ReplyOp | StatusOp | CloseOp
    | MergeOp | DispatchOp | LessonsOp, Field(discriminator="op")]


class Outputs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    role: Literal["plan", "build", "review", "evaluate", "respond", "learn"]
    number: int = Field(ge=1)
    """The issue or PR the job was about: where a refusal is reported."""
    ops: list[Operation] = Field(default_factory=list)
    refs: dict[str, str] = Field(default_factory=dict)
    """Branch → commit sha, carried in commits.bundle."""
    summary: str = ""
    issue: int | None = Field(default=None, ge=1)
    """The issue the job worked for (a PR job's is the PR's issue): its tracking state keeps
    what the job spent."""
    spend: dict[str, list[list[Any]]] = Field(default_factory=dict, max_length=MAX_SPEND_SOURCES)
    """What the job spent on models (its run id, and its review matrix's, → rows per UTC day,
    role and model: ledger/persisted.py), for the writer to keep in the issue's tracking state."""


def save(directory: Path, outputs: Outputs) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / OUTPUTS_FILE
    path.write_text(outputs.model_dump_json(indent=1), encoding="utf-8")
    (directory / SUMMARY_FILE).write_text(outputs.summary or f"{outputs.role}: done\n",
                                          encoding="utf-8")
    return path


def load(directory: Path) -> Outputs:
    """The outputs in directory, schema-checked; BadInput says what is wrong."""
    path = directory / OUTPUTS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(f"{path} is not valid JSON: {exc}") from None
    try:
        return Outputs.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise BadInput(f"{path}: {where}: {first['msg']}") from None
