"""Every job's outputs of one workflow run, applied together: the apply job downloads the
artifacts of the wave and of each task's build job (one folder each) and applies them all.

Whole states go first, then each task's part (merged into the state as it then is); a folder
refused or held for a person is reported and the others still apply; the next jobs are started
last, once, when every state they will read is written."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from pipeline.actions.outputs import checks
from pipeline.actions.outputs.apply import Applied, Deferred, Dispatcher, apply_dir
from pipeline.actions.outputs.held import Held
from pipeline.actions.outputs.schema import OUTPUTS_FILE
from pipeline.actions.outputs.validate import Refused
from pipeline.config.settings import Config
from pipeline.core.errors import BadInput, WorkFailed
from pipeline.detection.verdict import load
from pipeline.forge.protocol import Forge


def _task_scoped(directory: Path) -> bool:
    try:
        raw = json.loads((directory / OUTPUTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    ops = raw.get("ops") if isinstance(raw, dict) else None
    return any(isinstance(op, dict) and op.get("op") == "tracking" and op.get("task")
               for op in ops or [])


def apply_all(directory: Path, repo: Path, forge: Forge, config: Config,
              environ: Mapping[str, str], *, dispatch: Dispatcher | None = None,
              limits: checks.Limits | None = None, verdicts: Path | None = None) -> Applied:
    """DIR holds one job's outputs, or folders of several; verdicts: the detect job's verdict
    on DIR, or a folder of them (`<folder>.json`). Refused or Held say what was not applied,
    once everything else was."""
    if (directory / OUTPUTS_FILE).exists():
        return apply_dir(directory, repo, forge, config, environ, dispatch=dispatch,
                         limits=limits, verdict=load(verdicts) if verdicts else None)
    parts = sorted((d for d in directory.iterdir() if d.is_dir()),
                   key=lambda d: (_task_scoped(d), d.name))
    deferred: list[Deferred] = []
    results: list[Applied] = []
    skipped: list[str] = []
    refused: list[str] = []
    held: list[str] = []
    for part in parts:
        if not (part / OUTPUTS_FILE).exists():
            skipped.append(f"{part.name}: no outputs (its job ended before writing them)")
            continue
        try:
            verdict = load(verdicts / f"{part.name}.json") if verdicts else None
            results.append(apply_dir(part, repo, forge, config, environ, dispatch=dispatch,
                                     limits=limits, deferred=deferred, verdict=verdict))
        except Refused as exc:
            refused += [f"{part.name}: {reason}" for reason in exc.reasons]
        except (Held, BadInput) as exc:
            held.append(f"{part.name}: {exc.message}")
    started: set[tuple[str, int]] = set()
    for writer, op in deferred:
        job = (op.command, writer.number(op.number))
        if job in started:
            writer.result.skipped.append(f"{op.command} #{job[1]} (started once for this run)")
            continue
        started.add(job)
        writer.dispatch_now(op)
    total = Applied(skipped=skipped)
    for result in results:
        total.done += result.done
        total.skipped += result.skipped
    if refused:
        raise Refused(refused + held)
    if held:
        raise WorkFailed("; ".join(held))
    return total
