"""One task run in one mode, in a process of its own (`python -m pipeline.lift.worker JOB.json`),
so the bench can hold it to the task's time limit and kill it with everything it started.

The job file names the mode, the prepared repository, the brief and the configuration; the
worker writes what became of the run to the job's result file. It never learns where the task's
hidden tests are."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rich.console import Console

from pipeline.config.settings import Config
from pipeline.core.errors import FactoryError


class Job(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Literal["factory", "single"]
    repo: Path
    brief: str
    config: Config
    result: Path


class JobResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phase: str
    """done, blocked, stopped (budget, model outage), or error (the run itself broke)."""
    reason: str | None = None


def run_job(job: Job) -> JobResult:
    if job.mode == "single":
        from pipeline.lift.single import run_single

        single = run_single(job.repo, job.brief, job.config)
        return JobResult(phase=single.phase, reason=single.reason)
    from pipeline.local.run import RunOptions, run_brief

    outcome = run_brief(RunOptions(repo=job.repo, brief=job.brief, config=job.config),
                        Console(file=sys.stdout, force_terminal=False, width=120))
    return JobResult(phase=outcome.state.phase, reason=outcome.state.reason)


def main(argv: list[str]) -> int:
    job = Job.model_validate_json(Path(argv[0]).read_text(encoding="utf-8"))
    try:
        result = run_job(job)
    except FactoryError as exc:
        result = JobResult(phase="error", reason=exc.message)
    job.result.write_text(result.model_dump_json(), encoding="utf-8")
    print(json.dumps(result.model_dump()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
