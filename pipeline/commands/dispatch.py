"""`factory dispatch`: the router job of the Actions workflow. Reads the event, prints the job."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from pipeline.actions.events import Job, route
from pipeline.core.errors import BadInput


def _payload(path: Path, event: str) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot read the event payload {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise BadInput(f"event payload {path} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{event} payload {path} is not valid JSON (truncated?): {exc.msg} at "
                       f"line {exc.lineno} column {exc.colno}") from None


def _export(job: Job, reviewers: int) -> None:
    """Step outputs and a summary for the workflow; only where Actions provides the files.

    `reviewers` is the review matrix: one index per reviewer of the configured panel.
    """
    number = job.issue if job.issue is not None else job.pr
    outputs = {"action": job.action, "issue": job.issue, "pr": job.pr, "number": number,
               "actor": job.actor, "command": job.command,
               "reviewers": json.dumps(list(range(reviewers)))}
    if path := os.environ.get("GITHUB_OUTPUT"):
        with open(path, "a", encoding="utf-8") as out:
            for key, value in outputs.items():
                out.write(f"{key}={'' if value is None else value}\n")
    if path := os.environ.get("GITHUB_STEP_SUMMARY"):
        target = f"#{number}" if number is not None else "the repository"
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"### factory dispatch: `{job.action}` on {target}\n\n{job.reason}\n")


@click.command()
@click.option("--event-name", help="Event name; default $GITHUB_EVENT_NAME.")
@click.option("--event-path", type=click.Path(path_type=Path, dir_okay=False),
              help="Event payload JSON; default $GITHUB_EVENT_PATH.")
@click.option("--dry-run", is_flag=True, help="Only route: call no API and no model.")
def dispatch(event_name: str | None, event_path: Path | None, dry_run: bool) -> None:
    """Turn a GitHub Actions event into a factory job, printed as one JSON object."""
    from pipeline.config import settings as config

    event = event_name or os.environ.get("GITHUB_EVENT_NAME") or ""
    if not event:
        raise BadInput("no event: pass --event-name or set GITHUB_EVENT_NAME")
    raw_path = event_path or os.environ.get("GITHUB_EVENT_PATH")
    if not raw_path:
        raise BadInput("no payload: pass --event-path or set GITHUB_EVENT_PATH")
    payload = _payload(Path(raw_path), event)
    settings = config.load(Path(os.environ.get("GITHUB_WORKSPACE") or "."))
    job = route(event, payload, settings.trigger_label, settings.allowed_actors)
    # The roles run as separate workflow jobs chosen from this output, so dispatch itself
    # starts nothing, with or without --dry-run.
    click.echo(json.dumps(job.to_json()))
    _export(job, len(settings.models.panel()))
