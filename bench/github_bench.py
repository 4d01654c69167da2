"""GitHub-side figures: dispatch latency and API calls per issue → PR cycle. Not pass/fail.

    .venv/bin/python bench/github_bench.py [--runs N]

1. `factory dispatch --dry-run` wall time on a real webhook payload (the `issues` labeled
   example from @octokit/webhooks-examples, labelled `factory`), a fresh process per run
   as on Actions: median and max of N. Goal: under 0.5 s.
2. GitHub API calls for one scripted issue → PR cycle through GitHubForge on the fake
   GitHub (tracking comments, labels, PR, a two-reviewer panel, statuses, replies,
   updates), by endpoint. Goal: at most 40.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.forge.github import GitHubForge

# The test doubles (stub model, fake GitHub) live in tests/, outside the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from doubles.fake_github import FakeGitHub
from doubles.github_cycle import issue_to_pr

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "node_modules/@octokit/webhooks-examples/api.github.com/index.json"
FACTORY = Path(sys.executable).with_name("factory")


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


def cycle_calls() -> tuple[int, dict[str, int], float]:
    with FakeGitHub() as fake:
        fake.add_repo("octo/widgets")
        forge = GitHubForge("octo/widgets", "token", fake.base_url, throttle=False)
        started = time.perf_counter()
        issue_to_pr(forge, fake, "octo/widgets")
        elapsed = time.perf_counter() - started
        assert not fake.errors, fake.errors
        return fake.total_calls, dict(fake.calls), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    times = dispatch_times(args.runs)
    print(f"factory dispatch --dry-run ({args.runs} runs, fresh process each): "
          f"median {statistics.median(times):.3f} s, max {max(times):.3f} s (goal < 0.5 s)")

    total, calls, elapsed = cycle_calls()
    print(f"\nAPI calls for one issue -> PR cycle: {total} (goal <= 40), "
          f"{elapsed * 1000:.0f} ms against the fake")
    for key, count in sorted(calls.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {count:3d}  {key}")


if __name__ == "__main__":
    main()
