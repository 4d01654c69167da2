"""The factory workflow's jobs, run for real against the fake GitHub.

Each job is what `pipeline/templates/factory.yml` runs: the router (`factory dispatch
--dry-run` on the event), then the role job in a fresh clone of the bare `origin` with
`--outputs`, the review panel as one job per reviewer plus the panel job, the detect job on
the outputs (`factory detect`), and the writer (`factory apply --verdict`) in its own clone. The next event is the `workflow_dispatch` the writer sent,
so `follow` walks whatever sequence of jobs the factory chooses, and counts the GitHub API
calls of each one.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from click.testing import CliRunner, Result

from doubles.fake_github import FakeGitHub
from pipeline.cli import main
from pipeline.forge.backoff import Backoff
from pipeline.forge.github import GitHubForge

FORGE_OPENERS = ("pipeline.actions.job.open_forge", "pipeline.commands.apply.open_forge",
                 "pipeline.commands.nightly.open_forge")


def fast_forge(_repo: Path | None = None, environ: Mapping[str, str] | None = None) -> GitHubForge:
    """GitHubForge from the environment, without PyGithub's pauses (meant for the real API)."""
    return GitHubForge.from_env(environ, throttle=False, backoff=Backoff(sleep=lambda _s: None))


@dataclass
class JobRun:
    """One workflow job: its name (`plan`, `review[0]`, `panel`, `apply`...), and its API calls."""

    name: str
    number: int
    calls: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.calls.values())


class Actions:
    def __init__(self, root: Path, origin: Path, fake: FakeGitHub, repository: str) -> None:
        self.root, self.origin, self.fake = root, origin, fake
        self.env = {"GITHUB_API_URL": fake.base_url, "GITHUB_TOKEN": "ghs_actions-installation-token",
                    "GITHUB_REPOSITORY": repository}
        self._runs = itertools.count(1)
        self.seen_dispatches = 0
        self.jobs: list[JobRun] = []
        """Every job `follow` ran, in order."""

    def checkout(self, name: str) -> Path:
        path = self.root / "runs" / f"{next(self._runs):02d}-{name}"
        subprocess.run(["git", "clone", "-q", str(self.origin), str(path)], check=True)
        return path

    @contextmanager
    def _forges(self) -> Iterator[None]:
        with ExitStack() as stack:
            for target in FORGE_OPENERS:
                stack.enter_context(mock.patch(target, fast_forge))
            yield

    def invoke(self, *args: str, env: Mapping[str, str] | None = None) -> Result:
        with self._forges():
            return CliRunner().invoke(main, list(args), env={**self.env, **(env or {})},
                                      catch_exceptions=False)

    def role(self, command: str, number: int, *, env: Mapping[str, str] | None = None,
             extra: tuple[str, ...] = ()) -> Path:
        """A role job: its own checkout, read-only on GitHub, outputs in a directory."""
        repo = self.checkout(command)
        out = self.root / "outputs" / repo.name
        result = self.invoke(command, str(number), "--outputs", str(out), "--repo", str(repo),
                             *extra, env=env)
        assert result.exit_code == 0, result.output
        return out

    def apply(self, out: Path, *, ok: bool = True, verdict: Path | None = None) -> Result:
        repo = self.checkout("apply")
        judged = ("--verdict", str(verdict)) if verdict is not None else ()
        result = self.invoke("apply", str(out), "--repo", str(repo), *judged)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def detect(self, out: Path, env: Mapping[str, str] | None = None) -> Path:
        """The detect job: the verdict on out, for the writer."""
        verdict = self.root / "verdicts" / f"{out.name}.json"
        result = self.invoke("detect", str(out), "--verdict", str(verdict), "--repo",
                             str(self.checkout("detect")), env=env)
        assert result.exit_code == 0, result.output
        return verdict

    def dispatched(self) -> list[tuple[str, int]]:
        """workflow_dispatch requests since the last look: (command, number)."""
        new = self.fake.dispatches[self.seen_dispatches:]
        self.seen_dispatches = len(self.fake.dispatches)
        return [(inputs["command"], int(inputs["number"])) for _, _, _, inputs in new]

    def outputs(self, out: Path) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((out / "outputs.json").read_text())
        return loaded

    # the workflow -----------------------------------------------------------------------
    def route(self, event: str, payload: Mapping[str, Any]
              ) -> tuple[dict[str, Any], list[int], dict[str, str]]:
        """The router job: `factory dispatch --dry-run`; (its job, the review matrix, the
        event every job of the run sees)."""
        path = self.root / "events" / f"{next(self._runs):02d}-{event}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload))
        seen = {"GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": str(path)}
        checkout = self.checkout("route")
        outputs = path.with_suffix(".out")
        result = self.invoke("dispatch", "--dry-run", env={
            **seen, "GITHUB_WORKSPACE": str(checkout), "GITHUB_OUTPUT": str(outputs)})
        assert result.exit_code == 0, result.output
        exported = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
        return json.loads(result.output), json.loads(exported["reviewers"]), seen

    def _job(self, name: str, number: int, run: Any) -> Any:
        before = Counter(self.fake.calls)
        try:
            return run()
        finally:
            calls = Counter(self.fake.calls)
            calls.subtract(before)
            self.jobs.append(JobRun(name, number, +calls))

    def run_job(self, job: Mapping[str, Any], reviewers: list[int],
                env: Mapping[str, str] | None = None) -> None:
        """The role job(s) the router chose, then the writer on their outputs."""
        action = job["action"]
        number = job["issue"] if job["issue"] is not None else job["pr"]
        if action == "review":
            # The matrix: one job per reviewer; their artifacts downloaded into one folder.
            panel = self.root / "reviews" / f"{next(self._runs):02d}"
            panel.mkdir(parents=True)
            for index in reviewers:
                one = {**(env or {}), "FACTORY_REVIEWER": str(index)}
                out = self._job(f"review[{index}]", number,
                                lambda one=one: self.role("review", number, env=one))
                out.rename(panel / f"factory-review-{index}")
            out = self._job("panel", number, lambda: self.role(
                "review", number, env=env, extra=("--panel", str(panel))))
        else:
            out = self._job(action, number, lambda: self.role(action, number, env=env))
        verdict = self._job("detect", number, lambda: self.detect(out, env))
        self._job("apply", number, lambda: self.apply(out, verdict=verdict))

    def follow(self, event: str, payload: Mapping[str, Any], *,
               until: Collection[str] = ("learn",), env: Mapping[str, str] | None = None,
               max_jobs: int = 40) -> list[JobRun]:
        """Run the workflow from event, then every job the writer dispatches, until none is
        dispatched or the next is in `until`; the jobs run, with their API calls."""
        started = len(self.jobs)
        for _ in range(max_jobs):
            job, reviewers, seen = self.route(event, payload)
            if job["action"] in ("ignore", "reject", *until):
                break
            self.run_job(job, reviewers, {**seen, **(env or {})})
            found = list(dict.fromkeys(self.dispatched()))
            if not found:
                break
            assert len(found) == 1, f"the writer started {len(found)} jobs: {found}"
            command, number = found[0]
            event, payload = "workflow_dispatch", {
                "inputs": {"command": command, "number": str(number)},
                "sender": {"login": "github-actions[bot]", "type": "Bot"}}
        return self.jobs[started:]


def by_endpoint(jobs: list[JobRun]) -> Counter[str]:
    total: Counter[str] = Counter()
    for job in jobs:
        total.update(job.calls)
    return total
