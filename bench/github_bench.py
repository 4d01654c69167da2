"""GitHub-side figures: dispatch latency, and the API calls of one issue. Not pass/fail.

    .venv/bin/python bench/github_bench.py [--runs N] [--latency S]

1. `factory dispatch --dry-run` wall time on a real webhook payload (the `issues` labeled
   example from @octokit/webhooks-examples, labelled `factory`), a fresh process per run
   as on Actions: median and max of N. Goal: under 0.5 s.
2. GitHub API calls for one one-task issue, from its label to its merged PR, made by the
   workflow's real jobs (router, plan, build, the review matrix and panel, evaluate, and the
   writer after each; tests/doubles/actions.py runs them as factory.yml does) against the
   fake GitHub and the scripted model: by job and by endpoint. Goal: at most 40.
3. The same issue's wall time with the fake answering every request after --latency seconds,
   against no latency (both after a warm-up run): what the call count costs in time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

# The test doubles (stub model, fake GitHub) live in tests/, outside the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from doubles.actions import Actions, JobRun, by_endpoint
from doubles.fake_github import FakeGitHub
from doubles.stub_model import StubModelServer
from factory_testlib import SAMPLE, factory_yaml, git
from github_e2e.scenario import one_task_issue

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "node_modules/@octokit/webhooks-examples/api.github.com/index.json"
FACTORY = Path(sys.executable).with_name("factory")
REPO = "octo/calc"


def _labeled_payload() -> dict[str, object]:
    index = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    examples = next(e["examples"] for e in index if e["name"] == "issues")
    payload: dict[str, object] = next(e for e in examples if e.get("action") == "labeled")
    payload["label"] = {**payload["label"], "name": "factory"}  # type: ignore[dict-item]
    return payload


def dispatch_times(runs: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "event.json"
        path.write_text(json.dumps(_labeled_payload()), encoding="utf-8")
        env = {**os.environ, "GITHUB_EVENT_NAME": "issues", "GITHUB_EVENT_PATH": str(path),
               "GITHUB_WORKSPACE": tmp}
        times = []
        for _ in range(runs + 1):
            started = time.perf_counter()
            done = subprocess.run([str(FACTORY), "dispatch", "--dry-run"], env=env,
                                  capture_output=True, text=True, check=True)
            times.append(time.perf_counter() - started)
            assert json.loads(done.stdout)["action"] == "plan"
        return times[1:]  # the first run warms the disk cache


@contextmanager
def isolated(tmp: Path, model_url: str) -> Iterator[None]:
    """The environment the tests give the factory: no real keys, a throwaway git identity."""
    (tmp / "gitconfig").write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n"
                                   "[init]\n\tdefaultBranch = main\n")
    keep = {k: v for k, v in os.environ.items()
            if not k.endswith(("_API_KEY", "_TOKEN")) and not k.startswith(
                ("GITHUB_", "GIT_", "FACTORY_", "OPENAI_"))}
    env = {**keep, "GIT_CONFIG_GLOBAL": str(tmp / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1",
           "OPENAI_API_BASE": model_url, "OPENAI_API_KEY": "sk-bench-not-a-key",
           "FACTORY_RETRY_BASE_S": "0.01", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    with mock.patch.dict(os.environ, env, clear=True):
        yield


def one_issue(latency: float = 0.0) -> tuple[list[JobRun], float]:
    """The one-task issue on a fresh fake: its jobs (with their calls) and its wall time."""
    with tempfile.TemporaryDirectory() as name, StubModelServer() as stub, \
            FakeGitHub() as fake:
        tmp = Path(name)
        with isolated(tmp, stub.url):
            sample = tmp / "calc"
            shutil.copytree(SAMPLE, sample, ignore=shutil.ignore_patterns("__pycache__"))
            (sample / "factory.yaml").write_text(factory_yaml(auto_merge=True))
            git(sample, "init", "-q", "-b", "main")
            git(sample, "add", "-A")
            git(sample, "commit", "-qm", "calc")
            origin = tmp / "origin.git"
            git(tmp, "clone", "-q", "--bare", str(sample), str(origin))
            fake.add_repo(REPO)
            fake.link_git(REPO, str(origin))
            fake.latency = latency
            started = time.perf_counter()
            jobs = one_task_issue(Actions(tmp, origin, fake, REPO), fake, stub, REPO)
            elapsed = time.perf_counter() - started
        assert not fake.errors, fake.errors
        assert fake.repos[REPO].pulls[2].merged, "the issue was not merged"
        return jobs, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--latency", type=float, default=0.1,
                        help="seconds the fake waits before each answer, for figure 3")
    args = parser.parse_args()

    times = dispatch_times(args.runs)
    print(f"factory dispatch --dry-run ({args.runs} runs, fresh process each): "
          f"median {statistics.median(times):.3f} s, max {max(times):.3f} s (goal < 0.5 s)")

    jobs, _ = one_issue()  # also warms imports and caches for the timed runs below
    total = sum(job.total for job in jobs)
    print(f"\nAPI calls for a one-task issue, label to merged PR: {total} (goal <= 40)")
    print("  by job:  " + ", ".join(f"{job.name} #{job.number}: {job.total}" for job in jobs))
    for key, count in sorted(by_endpoint(jobs).items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {count:3d}  {key}")

    _, fast = one_issue()
    _, slow = one_issue(args.latency)
    print(f"\nWall time of that issue on the fake: {fast:.1f} s; with {args.latency * 1000:.0f} ms "
          f"a request: {slow:.1f} s (+{slow - fast:.1f} s for {total} calls)")


if __name__ == "__main__":
    main()
