"""Small bench tasks made in a test, and a scripted model that plays each task by name.

Each task's brief carries `task code: <name>`; the planner's spec repeats it, so every request of
a run (planner, generator, reviewers, evaluator, learner, or the single agent) names its task."""

from __future__ import annotations

import json
import re
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from doubles.stub_model import ChatRequest, Reply, StubModelServer, call
from factory_testlib import factory_yaml

from pipeline.demo.scripted import ScriptedModel
from pipeline.observe.bench import BenchResult, Tokens

_CODE = re.compile(r"task code: ([a-z-]+)")
PYPROJECT = "[project]\nname = \"mathx\"\nversion = \"0.1.0\"\n"


def make_task(tasks: Path, name: str, *, module: str, code_hint: str, hidden_test: str,
              timeout_minutes: float | None = None, requires: Sequence[str] = ()) -> str:
    """A task over a tiny `mathx` package; returns the secret its hidden test file carries."""
    root = tasks / name
    secret = f"HIDDEN-{name}-{uuid.uuid4().hex}"
    spec: dict[str, Any] = {
        "kind": "library", "test_command": "python -m pytest -q",
        "brief": f"Add {module} to the mathx package ({code_hint}). task code: {name}"}
    if timeout_minutes is not None:
        spec["timeout_minutes"] = timeout_minutes
    if requires:
        spec["requires"] = list(requires)
    files = {
        "README.md": "# mathx\n",
        "pyproject.toml": PYPROJECT,
        ".gitignore": "__pycache__/\n",
        "mathx/__init__.py": "",
        "mathx/ops.py": "def identity(x):\n    return x\n",
        "tests/test_ops.py": "from mathx.ops import identity\n\n\n"
                             "def test_identity():\n    assert identity(4) == 4\n",
        f"../hidden/tests/test_hidden_{name.replace('-', '_')}.py":
            f"# {secret}\n{hidden_test}",
        "../solution/README.md": "never copied into a run\n",
    }
    for path, text in files.items():
        target = (root / "repo" / path).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (root / "task.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return secret


def bench_home(tmp_path: Path, **overrides: object) -> Path:
    """Where the bench reads factory.yaml (the scripted model, its price) and keeps history."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "factory.yaml").write_text(factory_yaml(**overrides))
    return home


def solving(name: str, module: str, code: str, *, extra: Sequence[Reply] = ()) -> ScriptedModel:
    """A factory run and a single-agent run that both write `code` into mathx/<module>.py."""
    plan = call("submit_plan", spec=f"Write mathx/{module}.py as the brief says. task code: {name}",
                acceptance_criteria=[{"id": "AC1", "text": f"mathx/{module}.py does its job"}],
                tasks=[{"id": "T1", "title": f"mathx {module}",
                        "description": f"Write mathx/{module}.py.", "criteria": ["AC1"],
                        "checks": ["the tests pass"]}])
    return ScriptedModel({
        ("planner",): [plan],
        ("generator", "T1"): [*extra,
                              call("write_file", path=f"mathx/{module}.py", content=code),
                              call("run", command=f"{sys.executable} -m pytest -q"),
                              call("finish", summary=f"added mathx/{module}.py")],
        ("reviewer", "T1"): [call("submit_review", verdict="approve", findings=[])],
        ("evaluator", "T1"): [call("submit_evaluation", verdict="pass", criteria=[
            {"id": "AC1", "met": True, "evidence": "the tests pass"},
            {"id": "T1-check1", "met": True, "evidence": "they do"}])],
        ("evaluator", None): [call("submit_evaluation", verdict="pass", criteria=[
            {"id": "AC1", "met": True, "evidence": "the tests pass"}])],
        ("learner",): [call("submit_lessons", lessons=[])],
    })


class ByTask:
    """The stub model's responder: the script of the task a request names."""

    def __init__(self, scripts: Mapping[str, ScriptedModel]) -> None:
        self.scripts = scripts

    def __call__(self, request: ChatRequest) -> Reply:
        found = _CODE.search(request.text())
        if not found or found.group(1) not in self.scripts:
            return Reply.error(500, "scripted model: the request names no known task")
        return self.scripts[found.group(1)](request)


def requests_text(stub: StubModelServer) -> list[str]:
    """Every request the stub received, whole (messages, tools, everything)."""
    return [json.dumps(request.body) for request in stub.requests]


def result(task: str, mode: str, passed: bool, cost: float, bench: str = "b1",
           started: str = "2026-01-02T03:04:05+00:00", model: str = "openai/m") -> BenchResult:
    """A bench result as the history keeps it."""
    return BenchResult.model_validate({
        "task": task, "mode": mode, "repeat": 1, "passed": passed,
        "outcome": "passed" if passed else "failed", "failure": None if passed else "red",
        "cost_usd": cost, "tokens": Tokens(prompt=100, completion=10), "model_calls": 3,
        "wall_s": 1.5, "context_resets": 0, "budget_usd": 5.0, "calls_by_role": {},
        "reset_files": [], "isolation": "bwrap", "bench_id": bench, "model": model,
        "started": started})
