"""Helpers for the review panel tests: a change on a branch, a panel of stub 'providers'."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from doubles.stub_model import Reply, call
from factory_testlib import git

from pipeline.agent.model import ModelClient
from pipeline.agent.workspace import Workspace
from pipeline.config.settings import Config
from pipeline.ledger.store import Ledger
from pipeline.review.panel import PanelInput
from pipeline.roles.base import RoleContext
from pipeline.roles.schemas import Criterion, Plan, PlannedTask

PROVIDERS = ("rev-anthropic", "rev-openai", "rev-gemini")
GARBAGE, SLOW = "rev-garbage", "rev-slow"
SPEC = "Add a safe divide(a, b) to calc that refuses to divide by zero."
CRITERIA = [Criterion(id="AC1", text="calc.divide(6, 3) returns 2")]
TASK = PlannedTask(id="T1", title="divide", description="calc/divide.py with a test",
                   criteria=["AC1"], checks=["calc/divide.py has a passing unittest"])
PLAN = Plan(spec=SPEC, acceptance_criteria=CRITERIA, tasks=[TASK])

DIVIDE = ("def divide(a: int, b: int) -> float:\n"
          "    # no check for zero\n"
          "    return a / b\n")
TEST_DIVIDE = ("import unittest\n\nfrom calc.divide import divide\n\n\n"
               "class DivideTest(unittest.TestCase):\n    def test_it(self) -> None:\n"
               "        self.assertEqual(divide(6, 3), 2)\n")


def config(**limits: Any) -> Config:
    models = [f"openai/{name}" for name in (*PROVIDERS, GARBAGE, SLOW)]
    return Config.model_validate({
        "models": {"default": "openai/rev-openai", "max_retries": 0, "request_timeout_s": 1.5,
                   "reviewers": [{"model": f"openai/{p}", "focus": focus} for p, focus in
                                 zip(PROVIDERS, ("correctness", "security", "tests"),
                                     strict=True)]},
        "pricing": {m: {"input_per_mtok": 3.0, "output_per_mtok": 15.0} for m in models},
        "limits": {"quorum": 2, **limits},
        "test_command": "true"})


def context(cfg: Config, repo: Path, ledger: Ledger | None = None) -> RoleContext:
    ledger = ledger or Ledger(repo.parent / "ledger.db")
    return RoleContext(cfg, ModelClient(cfg, ledger, run_id="test-run", retry_base_s=0.01), repo)


def make_change(repo: Path, files: dict[str, str], branch: str = "factory/issue-1-T1",
                message: str = "T1: divide") -> str:
    """Commit files on branch (created from main if new); returns the head sha."""
    if git(repo, "branch", "--show-current") != branch:
        existing = git(repo, "branch", "--list", branch)
        git(repo, "checkout", "-q", *(() if existing else ("-b",)), branch)
    for path, text in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


def panel_input(repo: Path, **overrides: Any) -> PanelInput:
    diff = git(repo, "diff", "main...HEAD") + "\n"
    values: dict[str, Any] = {"spec": SPEC, "criteria": CRITERIA, "task": TASK, "diff": diff,
                              "workspace": Workspace(repo)}
    values.update(overrides)
    return PanelInput(**values)


def finding(path: str, line: int, severity: str, title: str, body: str) -> dict[str, Any]:
    return {"path": path, "line": line, "severity": severity, "title": title, "body": body}


def review(*findings: dict[str, Any]) -> Reply:
    return call("submit_review", verdict="changes" if findings else "approve",
                findings=list(findings))


ZERO_A = finding("calc/divide.py", 3, "major", "Division by zero is not handled",
                 "divide(1, 0) raises ZeroDivisionError; check b == 0 and raise ValueError.")
ZERO_B = finding("calc/divide.py", 2, "critical", "divide() does not handle zero divisor",
                 "When b is zero the division raises; the spec says refuse zero explicitly.")
ZERO_C = finding("calc/divide.py", 3, "major", "Unhandled division by zero",
                 "Nothing guards against b == 0 before dividing.")
TEST_GAP = finding("tests/test_divide.py", 8, "minor", "No test for the zero case",
                   "Add a test that divide(1, 0) raises ValueError.")
FLOAT = finding("calc/divide.py", 1, "nit", "Return type float but test compares to int",
                "Use assertAlmostEqual or annotate the intent.")
