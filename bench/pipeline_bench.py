"""Figures for a scripted `factory run` (the same code path as a real one):

- prompt tokens sent per task and the fraction of them in a cacheable prefix;
- wall time with --workers 1 against --workers 2 on 4 independent tasks whose stub replies are
  slowed to 1 s (median of several runs; the speed-up is the ratio of the medians).

Usage: python bench/pipeline_bench.py [--runs N] [--delay S]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from click.testing import CliRunner

from pipeline.cli import main as factory
from pipeline.demo.scripted import ScriptedModel
from pipeline.ledger.store import Ledger

# The test doubles (stub model, fake GitHub) live in tests/, outside the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from doubles.stub_model import ChatRequest, Reply, StubModelServer, call

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "sample_calc"
UNITTEST = f"{sys.executable} -m unittest discover -s tests -t . -q"
NAMES = ["subtract", "multiply", "power", "modulo"]
SYMBOL = {"subtract": "-", "multiply": "*", "power": "**", "modulo": "%"}


def scripts() -> dict[tuple[object, ...], list[Reply]]:
    tasks = [{"id": f"T{i + 1}", "title": name, "description": f"calc/{name}.py with a test",
              "criteria": ["AC1"], "checks": [f"calc.{name}.{name}(7, 2) prints its value"]}
             for i, name in enumerate(NAMES)]
    plan = call("submit_plan", spec="Four independent operations, each in its own module.",
                acceptance_criteria=[{"id": "AC1", "text": "each operation returns the right value"}],
                tasks=tasks)
    result: dict[tuple[object, ...], list[Reply]] = {("planner",): [plan]}
    for i, name in enumerate(NAMES):
        task = f"T{i + 1}"
        code = f"def {name}(a: int, b: int) -> int:\n    return a {SYMBOL[name]} b\n"
        result[("generator", task)] = [
            call("write_file", path=f"calc/{name}.py", content=code),
            call("finish", summary=f"added {name}")]
        result[("reviewer", task)] = [call("submit_review", verdict="approve", findings=[])]
        result[("evaluator", task)] = [
            call("run", command=f"{sys.executable} -c 'from calc.{name} import {name}; "
                                f"print({name}(7, 2))'"),
            call("submit_evaluation", verdict="pass", criteria=[
                {"id": "AC1", "met": True, "evidence": "printed the value"},
                {"id": f"{task}-check1", "met": True, "evidence": "printed the value"}])]
    result[("evaluator", None)] = [call("submit_evaluation", verdict="pass", criteria=[
        {"id": "AC1", "met": True, "evidence": "ran each"}])]
    result[("learner",)] = [call("submit_lessons", lessons=[])]
    return result


def make_repo(workers: int) -> Path:
    repo = Path(tempfile.mkdtemp(prefix="factory-bench-")) / "calc"
    shutil.copytree(SAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "factory.yaml").write_text(yaml.safe_dump({
        "models": {"default": "openai/bench"},
        "pricing": {"openai/bench": {"input_per_mtok": 3.0, "output_per_mtok": 15.0}},
        "test_command": UNITTEST, "limits": {"workers": workers}}))
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "init"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True)
    return repo


def one_run(server: StubModelServer, workers: int, delay: float) -> tuple[float, Path]:
    script = ScriptedModel(scripts())

    def slowed(request: ChatRequest) -> Reply:
        return dataclasses.replace(script(request), delay_s=delay)

    server.responder = slowed
    repo = make_repo(workers)
    start = time.perf_counter()
    result = CliRunner().invoke(factory, ["run", "--repo", str(repo), "--yes", "four operations"])
    elapsed = time.perf_counter() - start
    if result.exit_code != 0:
        raise SystemExit(f"run failed: {result.output}")
    return elapsed, repo


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--delay", type=float, default=1.0)
    args = parser.parse_args()
    with StubModelServer() as server:
        os.environ.update(OPENAI_API_BASE=server.url, OPENAI_API_KEY="bench",
                          LITELLM_LOCAL_MODEL_COST_MAP="True")
        _, repo = one_run(server, 2, 0)
        ledger = Ledger.for_repo(repo)
        totals = ledger.totals()
        prompt_by_task: dict[str, int] = {}
        for record in ledger.calls():
            if record.task:
                prompt_by_task[record.task] = prompt_by_task.get(record.task, 0) + record.input_tokens
        print(f"prompt tokens per task (median of {len(prompt_by_task)} tasks): "
              f"{statistics.median(prompt_by_task.values()):.0f}")
        task_calls = [c for c in ledger.calls() if c.task]
        task_prompt = sum(c.input_tokens for c in task_calls)
        task_cacheable = sum(c.cacheable_prompt_tokens for c in task_calls)
        print(f"cacheable prefix, task calls: {task_cacheable} of {task_prompt} prompt tokens = "
              f"{task_cacheable / task_prompt:.1%} (goal >= 80%)")
        print(f"cacheable prefix, whole run (planner, final check, learner too): "
              f"{totals.cacheable_prompt_tokens} of {totals.input_tokens} = "
              f"{totals.cacheable_fraction:.1%}")
        timings = {}
        for workers in (1, 2):
            timings[workers] = statistics.median(
                one_run(server, workers, args.delay)[0] for _ in range(args.runs))
            print(f"--workers {workers}: median {timings[workers]:.2f} s over {args.runs} runs "
                  f"(replies slowed to {args.delay:g} s)")
        print(f"speed-up with 2 workers: {timings[1] / timings[2]:.2f}x (goal >= 1.7)")


if __name__ == "__main__":
    main()
