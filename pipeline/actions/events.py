"""A GitHub Actions event payload → the one job it asks for, and whether its actor may ask.

Pure: no API, no model. Routing (the dispatch JSON's `action`):

- `issues` labeled with the trigger label → plan (labelling needs triage access on GitHub)
- `issue_comment` created with `/factory plan|build|retry|review|stop|status` → that command
- `pull_request_review` submitted / `pull_request_review_comment` created on a factory PR
  (head branch `factory/...`) → respond
- `pull_request` closed with `merged: true` on a factory PR → learn
- `schedule` → nightly; `workflow_dispatch` with inputs `command`, `number` → that command
- anything else → ignore. Actors without write access → reject. The factory's own
  comments (signed `<!-- factory`) are ignored; other bots are rejected unless allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.core.errors import BadInput
from pipeline.forge.types import WRITE_ACCESS

ACTIONS = ("plan", "build", "review", "evaluate", "respond", "learn", "nightly", "ignore", "reject")
COMMANDS = ("plan", "build", "retry", "review", "stop", "status")
DISPATCHABLE = ("plan", "build", "review", "evaluate", "respond", "learn", "nightly")
FACTORY_BRANCH = "factory/"
_SIGNED = re.compile(r"<!-- factory[ :]")
_SLASH = re.compile(r"^[ \t]*/factory(?:[ \t]+(\S+))?", re.MULTILINE)


class PayloadError(BadInput):
    """The event payload is not what GitHub sends for this event."""


@dataclass(frozen=True)
class Job:
    action: str
    issue: int | None = None
    pr: int | None = None
    actor: str | None = None
    reason: str = ""
    command: str | None = None
    """The slash command or workflow_dispatch input behind the job (`stop`, `status`, ...)."""

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "issue": self.issue, "pr": self.pr, "actor": self.actor,
                "reason": self.reason}


def _get(payload: Mapping[str, Any], path: str, kind: type | tuple[type, ...],
         event: str) -> Any:
    node: Any = payload
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise PayloadError(f"{event} payload has no {path}: not a GitHub event payload")
        node = node[part]
    if not isinstance(node, kind) or (kind is int and isinstance(node, bool)):
        raise PayloadError(f"{event} payload: {path} has the wrong type")
    return node


def _opt(payload: Mapping[str, Any], path: str) -> Any:
    node: Any = payload
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


class Router:
    def __init__(self, trigger_label: str = "factory", allowed_actors: Iterable[str] = ()) -> None:
        self.trigger_label = trigger_label
        self.allowed = {a.lower() for a in allowed_actors}

    def route(self, event: str, payload: Any) -> Job:
        if not isinstance(payload, Mapping):
            raise PayloadError(f"{event} payload must be a JSON object")
        handler = getattr(self, f"_on_{event}", None)
        if handler is None:
            return Job("ignore", reason=f"the factory does not act on {event} events")
        job: Job = handler(payload)
        return job

    # who may trigger
    def _refusal(self, sender: Mapping[str, Any], association: str | None) -> str | None:
        login = str(sender.get("login") or "")
        if login.lower() in self.allowed:
            return None
        if sender.get("type") == "Bot":
            return f"{login} is a bot and not in allowed_actors"
        if association not in WRITE_ACCESS:
            return (f"{login} has no write access (author_association {association or 'missing'});"
                    " only OWNER, MEMBER, COLLABORATOR or allowed_actors may trigger the factory")
        return None

    def _sender(self, payload: Mapping[str, Any], event: str) -> Mapping[str, Any]:
        sender = _get(payload, "sender", Mapping, event)
        _get(sender, "login", str, f"{event} sender")
        return sender

    # events
    def _on_schedule(self, payload: Mapping[str, Any]) -> Job:
        return Job("nightly", reason=f"scheduled run ({payload.get('schedule') or 'cron'})")

    def _on_issues(self, payload: Mapping[str, Any]) -> Job:
        action = _get(payload, "action", str, "issues")
        number = _get(payload, "issue.number", int, "issues")
        sender = self._sender(payload, "issues")
        actor = sender["login"]
        if action != "labeled":
            return Job("ignore", issue=number, actor=actor, reason=f"issues {action}: not a trigger")
        label = _get(payload, "label.name", str, "issues")
        if label.lower() != self.trigger_label.lower():
            return Job("ignore", issue=number, actor=actor,
                       reason=f"label {label!r} is not the trigger label {self.trigger_label!r}")
        if _opt(payload, "issue.state") == "closed":
            return Job("ignore", issue=number, actor=actor, reason="the issue is closed")
        if sender.get("type") == "Bot" and actor.lower() not in self.allowed:
            return Job("reject", issue=number, actor=actor,
                       reason=f"{actor} is a bot and not in allowed_actors")
        return Job("plan", issue=number, actor=actor,
                   reason=f"{actor} labelled #{number} {label!r}")

    def _on_issue_comment(self, payload: Mapping[str, Any]) -> Job:
        action = _get(payload, "action", str, "issue_comment")
        number = _get(payload, "issue.number", int, "issue_comment")
        body = _get(payload, "comment.body", (str, type(None)), "issue_comment") or ""
        user = _get(payload, "comment.user", Mapping, "issue_comment")
        actor = _get(user, "login", str, "issue_comment comment.user")
        on_pr = isinstance(_opt(payload, "issue.pull_request"), Mapping)
        where = {"pr": number} if on_pr else {"issue": number}
        if action != "created":
            return Job("ignore", actor=actor, reason=f"comment {action}: only new comments count",
                       **where)
        if _SIGNED.search(body):
            return Job("ignore", actor=actor, reason="the factory's own comment", **where)
        found = _SLASH.search(body)
        if found is None:
            return Job("ignore", actor=actor, reason="no /factory command", **where)
        command = (found.group(1) or "").lower()
        if command not in COMMANDS:
            said = f"unknown command /factory {command}" if command else "/factory without a command"
            return Job("ignore", actor=actor,
                       reason=f"{said}; expected one of {', '.join(COMMANDS)}", **where)
        refusal = self._refusal(user, _opt(payload, "comment.author_association"))
        if refusal:
            return Job("reject", actor=actor, reason=refusal, command=command, **where)
        labels = {str(_opt(label, "name")).lower() for label in _opt(payload, "issue.labels") or ()
                  if isinstance(label, Mapping)}
        action_name, why = _command_action(command, on_pr, labels)
        return Job(action_name, actor=actor, command=command,
                   reason=f"/factory {command} by {actor} on #{number}: {why}", **where)

    def _factory_pr(self, payload: Mapping[str, Any], event: str) -> tuple[int, bool]:
        number = _get(payload, "pull_request.number", int, event)
        head = _get(payload, "pull_request.head.ref", str, event)
        return number, head.startswith(FACTORY_BRANCH)

    def _on_pull_request_review(self, payload: Mapping[str, Any]) -> Job:
        event = "pull_request_review"
        action = _get(payload, "action", str, event)
        number, ours = self._factory_pr(payload, event)
        user = _get(payload, "review.user", Mapping, event)
        actor = _get(user, "login", str, f"{event} review.user")
        state = str(_opt(payload, "review.state") or "").lower()
        body = _opt(payload, "review.body") or ""
        return self._respond(event, action, "submitted", number, ours, actor, user, body,
                             _opt(payload, "review.author_association"),
                             f"review ({state or 'no state'})", approved=state == "approved")

    def _on_pull_request_review_comment(self, payload: Mapping[str, Any]) -> Job:
        event = "pull_request_review_comment"
        action = _get(payload, "action", str, event)
        number, ours = self._factory_pr(payload, event)
        user = _get(payload, "comment.user", Mapping, event)
        actor = _get(user, "login", str, f"{event} comment.user")
        body = _get(payload, "comment.body", (str, type(None)), event) or ""
        return self._respond(event, action, "created", number, ours, actor, user, body,
                             _opt(payload, "comment.author_association"), "review comment")

    def _respond(self, event: str, action: str, wanted: str, number: int, ours: bool,
                 actor: str, user: Mapping[str, Any], body: str, association: Any, what: str,
                 approved: bool = False) -> Job:
        if action != wanted:
            return Job("ignore", pr=number, actor=actor, reason=f"{event} {action}: not a trigger")
        if not ours:
            return Job("ignore", pr=number, actor=actor,
                       reason=f"#{number} is not a factory PR (head is not {FACTORY_BRANCH}...)")
        if _SIGNED.search(body):
            return Job("ignore", pr=number, actor=actor, reason=f"the factory's own {what}")
        if approved:
            return Job("ignore", pr=number, actor=actor, reason="an approval needs no response")
        refusal = self._refusal(user, association)
        if refusal:
            return Job("reject", pr=number, actor=actor, reason=refusal)
        return Job("respond", pr=number, actor=actor, reason=f"{what} by {actor} on #{number}")

    def _on_pull_request(self, payload: Mapping[str, Any]) -> Job:
        action = _get(payload, "action", str, "pull_request")
        number, ours = self._factory_pr(payload, "pull_request")
        actor = self._sender(payload, "pull_request")["login"]
        merged = _opt(payload, "pull_request.merged") is True
        if action != "closed" or not merged:
            what = "closed without merging" if action == "closed" else action
            return Job("ignore", pr=number, actor=actor,
                       reason=f"pull_request {what}: only merges count")
        if not ours:
            return Job("ignore", pr=number, actor=actor, reason=f"#{number} is not a factory PR")
        merger = _opt(payload, "pull_request.merged_by.login") or actor
        return Job("learn", pr=number, actor=merger, reason=f"factory PR #{number} was merged")

    def _on_workflow_dispatch(self, payload: Mapping[str, Any]) -> Job:
        # Running a workflow by hand needs write access; GitHub checks it before we run.
        actor = self._sender(payload, "workflow_dispatch")["login"]
        inputs = payload.get("inputs") or {}
        if not isinstance(inputs, Mapping):
            raise PayloadError("workflow_dispatch payload: inputs must be an object")
        command = str(inputs.get("command") or "").strip().lower()
        if not command:
            return Job("ignore", actor=actor, reason="workflow_dispatch without a command input")
        if command not in DISPATCHABLE:
            raise BadInput(f"workflow_dispatch command {command!r} is not one of "
                           f"{', '.join(DISPATCHABLE)}")
        if command == "nightly":
            return Job("nightly", actor=actor, command=command, reason=f"nightly run by {actor}")
        raw = str(inputs.get("number") or "").strip().lstrip("#")
        if not raw.isdigit() or int(raw) < 1:
            raise BadInput(f"workflow_dispatch {command} needs a number input (issue or PR), "
                           f"got {raw or 'nothing'!r}")
        target = {"issue": int(raw)} if command in ("plan", "build") else {"pr": int(raw)}
        return Job(command, actor=actor, command=command,
                   reason=f"workflow_dispatch {command} #{raw} by {actor}", **target)


def _command_action(command: str, on_pr: bool, labels: set[str]) -> tuple[str, str]:
    """A slash command → (action, why). stop and status start no role: see the workflow."""
    if command == "stop":
        return "ignore", "running factory jobs for it are cancelled (workflow concurrency)"
    if command == "status":
        return "ignore", "the tracking comment shows phases, tasks and cost"
    if command == "retry":
        if on_pr:
            return ("respond", "retry the response") if "factory:building" in labels else (
                "review", "retry the review panel")
        return ("plan", "retry planning") if "factory:planning" in labels else (
            "build", "retry the build")
    if on_pr and command in ("plan", "build"):
        return "ignore", f"{command} applies to issues, not PRs"
    if not on_pr and command == "review":
        return "ignore", "review applies to PRs, not issues"
    return command, command


def route(event: str, payload: Any, trigger_label: str = "factory",
          allowed_actors: Iterable[str] = ()) -> Job:
    return Router(trigger_label, allowed_actors).route(event, payload)


def snapshot(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The issue or PR text as it was when the event fired, sanitised for a prompt.

    Every job of a workflow run reads the same payload at GITHUB_EVENT_PATH, so roles that
    take their text from here never see edits made after the trigger.
    """
    from pipeline.core.sanitize import sanitize

    subject = _opt(payload, "issue") or _opt(payload, "pull_request") or {}
    said = _opt(payload, "comment") or _opt(payload, "review") or {}
    return {"number": subject.get("number"), "title": sanitize(subject.get("title")),
            "body": sanitize(subject.get("body")),
            "author": _opt(subject, "user.login"),
            "comment": sanitize(said.get("body")) if said else None,
            "comment_author": _opt(said, "user.login") if said else None}
