"""`factory run` end to end: real git repos, real sandboxed commands, litellm over HTTP to a
scripted model server. Each test scripts what a model would say and checks what a user sees."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from doubles.stub_model import Reply, StubModelServer, call
from factory_testlib import UNITTEST, git

from pipeline.cli import main
from pipeline.demo.scripted import ScriptedModel
from pipeline.forge.local import LocalForge
from pipeline.ledger.store import Ledger
from pipeline.steps.state import load

BRIEF = "Add subtract(a, b) and multiply(a, b) to calc."
PY = sys.executable

SUBTRACT = "def subtract(a: int, b: int) -> int:\n    return a - b\n"
MULTIPLY = "def multiply(a: int, b: int) -> int:\n    return a * b\n"
TEST_SUBTRACT = ("import unittest\n\nfrom calc.subtract import subtract\n\n\n"
                 "class SubtractTest(unittest.TestCase):\n    def test_it(self) -> None:\n"
                 "        self.assertEqual(subtract(5, 3), 2)\n")
TEST_MULTIPLY = ("import unittest\n\nfrom calc.multiply import multiply\n\n\n"
                 "class MultiplyTest(unittest.TestCase):\n    def test_it(self) -> None:\n"
                 "        self.assertEqual(multiply(4, 3), 12)\n")
CHECK_SUB = f"{PY} -c 'from calc.subtract import subtract; print(subtract(5, 3))'"
CHECK_MUL = f"{PY} -c 'from calc.multiply import multiply; print(multiply(4, 3))'"


LESSON = {"kind": "pattern", "trigger": "when adding an operation to calc",
          "insight": "put it in its own module under calc/ with a unittest beside it, because "
                     "parallel tasks editing one module conflict when merged",
          "evidence": "T1 and T2 each added a module and merged without conflict",
          "paths": ["calc/*.py"], "tags": ["structure"]}
VAGUE = {"kind": "preference", "trigger": "when writing any code at all",
         "insight": "be careful and follow best practices", "evidence": "general experience"}


def plan_reply() -> Reply:
    return call(
        "submit_plan",
        spec="Add subtract and multiply to the calc package, each in its own module.",
        acceptance_criteria=[
            {"id": "AC1", "text": "calc.subtract.subtract(5, 3) returns 2"},
            {"id": "AC2", "text": "calc.multiply.multiply(4, 3) returns 12"}],
        tasks=[
            {"id": "T1", "title": "subtract", "description": "calc/subtract.py with a test",
             "criteria": ["AC1"], "checks": ["calc/subtract.py has a passing unittest"]},
            {"id": "T2", "title": "multiply", "description": "calc/multiply.py with a test",
             "criteria": ["AC2"], "checks": ["calc/multiply.py has a passing unittest"]}])


def generator(name: str, code: str, test: str) -> list[Reply]:
    return [call("write_file", path=f"calc/{name}.py", content=code),
            call("write_file", path=f"tests/test_{name}.py", content=test),
            call("run", command=UNITTEST),
            call("finish", summary=f"added {name} with a test")]


def evaluation(task: str, criterion: str, check: str) -> list[Reply]:
    """A task's evaluation: the criterion it serves and its one check, both met."""
    return [call("run", command=check),
            call("submit_evaluation", verdict="pass", criteria=[
                {"id": criterion, "met": True, "evidence": f"ran {check}"},
                {"id": f"{task}-check1", "met": True, "evidence": "its unittest passed"}])]


def calc_scripts() -> dict[tuple[object, ...], list[Reply]]:
    return {
        ("planner",): [call("list_files", path="."), plan_reply()],
        ("generator", "T1"): generator("subtract", SUBTRACT, TEST_SUBTRACT),
        ("generator", "T2"): generator("multiply", MULTIPLY, TEST_MULTIPLY),
        ("reviewer", "T1"): [call("submit_review", verdict="approve", findings=[])],
        ("reviewer", "T2"): [call("submit_review", verdict="approve", findings=[])],
        ("evaluator", "T1"): evaluation("T1", "AC1", CHECK_SUB),
        ("evaluator", "T2"): evaluation("T2", "AC2", CHECK_MUL),
        ("learner",): [call("submit_lessons", lessons=[LESSON, VAGUE])],
        ("evaluator", None): [
            call("run", command=f"{CHECK_SUB} && {CHECK_MUL}"),
            call("submit_evaluation", verdict="pass", criteria=[
                {"id": "AC1", "met": True, "evidence": "printed 2"},
                {"id": "AC2", "met": True, "evidence": "printed 12"}])],
    }


def run_factory(repo: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["run", "--repo", str(repo), "--yes", *args])


def roles_requested(stub: StubModelServer) -> list[tuple[str, str | None]]:
    from pipeline.demo.scripted import role_of, task_of

    return [(role_of(r), task_of(r)) for r in stub.requests]


def test_brief_is_planned_built_evaluated_and_merged(stub: StubModelServer, sample_repo: Path) -> None:
    stub.responder = ScriptedModel(calc_scripts())

    result = run_factory(sample_repo, BRIEF)

    assert result.exit_code == 0, result.output
    assert "Done: merged factory/issue-1 into main" in result.output
    assert (sample_repo / "calc" / "subtract.py").read_text() == SUBTRACT
    assert (sample_repo / "calc" / "multiply.py").read_text() == MULTIPLY
    assert git(sample_repo, "branch", "--show-current") == "main"
    assert "Merge factory/issue-1" in git(sample_repo, "log", "-1", "--format=%s")
    tests = subprocess.run(UNITTEST.split(), cwd=sample_repo, capture_output=True, text=True)
    assert tests.returncode == 0 and "Ran 3 tests" in tests.stderr

    ledger = Ledger.for_repo(sample_repo)
    assert ledger.totals().calls == len(stub.requests)
    assert set(ledger.by_role()) == {"planner", "generator", "reviewer", "evaluator", "learner"}
    assert ledger.totals().cost_usd > 0

    forge = LocalForge(sample_repo / ".factory" / "forge.db")
    issue = forge.get_issue(1)
    assert issue.state == "closed" and "factory:done" in issue.labels
    assert forge.get_pr(2).merged
    evaluations = [c.body for c in forge.comments(2) if c.body.startswith("**Evaluation")]
    assert len(evaluations) == 3 and all("pass** (tests exit 0)" in e for e in evaluations)
    # The evaluator ran the test command itself and saw its real output.
    runs = next((sample_repo / ".factory" / "runs").iterdir())
    final = json.loads((runs / "evaluator.json").read_text())
    assert "exit code 0" in final[1]["content"] and "Ran 3 tests" in final[1]["content"]
    assert len([c for c in forge.comments(1) if c.by_factory]) == 1

    # The merged PR taught one lesson (the vague one was rejected), with provenance.
    assert "Lessons from #2: 1 added, 0 already known, 1 rejected" in result.output
    [lesson] = [json.loads(line) for line in
                (sample_repo / ".factory" / "lessons.jsonl").read_text().splitlines()]
    assert lesson["trigger"] == LESSON["trigger"]
    merge = git(sample_repo, "rev-parse", "HEAD")
    assert lesson["source"] == {"repo": "calc", "issue": 1, "pr": 2, "commit": merge,
                                "by": "openai/scripted"}

    # Learning from the same PR again adds nothing.
    again = CliRunner().invoke(main, ["learn", "2", "--repo", str(sample_repo), "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output) == {"pr": 2, "added": [], "known": [lesson["id"]],
                                        "rejected": [{"trigger": VAGUE["trigger"],
                                                      "why": "insight is too generic to act on: say what to do, where, and why"}]}
    assert len((sample_repo / ".factory" / "lessons.jsonl").read_text().splitlines()) == 1


def test_budget_spent_mid_task_stops_cleanly_and_resume_finishes(
        stub: StubModelServer, sample_repo: Path) -> None:
    stub.responder = ScriptedModel(calc_scripts())

    stopped = run_factory(sample_repo, BRIEF, "--budget", "0.02", "--workers", "1")

    assert stopped.exit_code == 1, stopped.output
    assert "budget" in stopped.output.lower()
    state = load(LocalForge(sample_repo / ".factory" / "forge.db"), 1)
    assert state is not None and state.phase == "stopped" and state.plan is not None
    assert not state.all_passed
    assert git(sample_repo, "log", "-1", "--format=%s") == "calc: add"
    ledger = Ledger.for_repo(sample_repo)
    first_run = ledger.run_totals(state.runs[0])
    largest_call = max(c.cost_usd for c in ledger.calls())
    assert 0.02 - largest_call <= first_run.cost_usd <= 0.02 + largest_call
    assert "budget" in (state.reason or "")
    planner_calls = roles_requested(stub).count(("planner", None))

    resumed = run_factory(sample_repo, "--resume", "--budget", "5")

    assert resumed.exit_code == 0, resumed.output
    assert roles_requested(stub).count(("planner", None)) == planner_calls
    assert (sample_repo / "calc" / "multiply.py").exists()


def test_garbage_replies_fail_the_role_and_block_the_task(stub: StubModelServer, sample_repo: Path) -> None:
    scripts = calc_scripts()
    scripts[("generator", "T1")] = [Reply(content="Sure! Here is my plan..."),
                                    Reply(content=""),
                                    Reply(tool_calls=[call("finish").tool_calls[0]],
                                          raw_arguments="{not json")]
    stub.responder = ScriptedModel(scripts)

    result = run_factory(sample_repo, BRIEF)

    assert result.exit_code == 1
    state = load(LocalForge(sample_repo / ".factory" / "forge.db"), 1)
    assert state is not None and state.phase == "blocked"
    assert state.tasks["T1"].status == "blocked"
    assert "broke the protocol 3 times" in (state.tasks["T1"].reason or "")
    assert state.tasks["T2"].status == "passed"
    requested = roles_requested(stub)
    assert ("reviewer", "T1") not in requested and ("evaluator", "T1") not in requested
    assert not (sample_repo / "calc" / "subtract.py").exists()


def test_tools_refuse_paths_outside_the_worktree(stub: StubModelServer, sample_repo: Path) -> None:
    scripts = calc_scripts()
    scripts[("generator", "T1")] = [call("read_file", path="../../../../../../etc/passwd"),
                                    call("read_file", path="/etc/passwd"),
                                    *generator("subtract", SUBTRACT, TEST_SUBTRACT)]
    stub.responder = ScriptedModel(scripts)

    assert run_factory(sample_repo, BRIEF).exit_code == 0

    seen = "\n".join(out for r in stub.requests for out in r.tool_results())
    assert "outside the repository; refused" in seen
    assert "absolute paths are refused" in seen
    assert "root:x:0:0" not in seen


def test_commands_the_agent_runs_see_no_secrets(stub: StubModelServer, sample_repo: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPLOY_TOKEN", "tok-1234567890")
    monkeypatch.setenv("ACME_SERVICE_PASSWORD", "hunter2hunter2")
    monkeypatch.setenv("ODDLY_NAMED", "not-secret-but-not-passed")
    scripts = calc_scripts()
    scripts[("generator", "T1")] = [call("run", command="env"),
                                    *generator("subtract", SUBTRACT, TEST_SUBTRACT)]
    stub.responder = ScriptedModel(scripts)

    assert run_factory(sample_repo, BRIEF).exit_code == 0

    env_outputs = [out for r in stub.requests for out in r.tool_results() if "PATH=" in out]
    assert env_outputs
    for output in env_outputs:
        for secret in ("tok-1234567890", "hunter2hunter2", "sk-test-not-a-real-key",
                       "not-secret-but-not-passed"):
            assert secret not in output


def test_killed_run_resumes_without_redoing_finished_tasks(stub: StubModelServer,
                                                           sample_repo: Path) -> None:
    scripts = calc_scripts()
    (sample_repo / "factory.yaml").write_text(
        (sample_repo / "factory.yaml").read_text().replace("workers: 2", "workers: 1"))
    git(sample_repo, "commit", "-qam", "one worker")
    scripts[("generator", "T2")] = [Reply(delay_s=60, content="(never seen: killed)")]
    stub.responder = ScriptedModel(scripts)
    process = subprocess.Popen([PY, "-m", "pipeline", "run", "--repo", str(sample_repo),
                                "--yes", BRIEF], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    db = sample_repo / ".factory" / "forge.db"
    try:
        for _ in range(1200):
            if ("generator", "T2") in roles_requested(stub):
                break
            if process.poll() is not None:
                pytest.fail("the run ended before it could be killed: "
                            + (process.stderr.read() if process.stderr else ""))
            time.sleep(0.1)
        process.kill()
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
    killed = load(LocalForge(db), 1)
    assert killed is not None and killed.tasks["T2"].status == "building"
    finished_first = killed.tasks["T1"].status

    resume_scripts = calc_scripts()
    del resume_scripts[("planner",)]
    if finished_first == "passed":
        del resume_scripts[("generator", "T1")]
    stub.responder = ScriptedModel(resume_scripts)
    before = len(stub.requests)

    result = run_factory(sample_repo, "--resume")

    assert result.exit_code == 0, result.output
    redone = [rt for rt in roles_requested(stub)[before:] if rt[1] == "T1"]
    assert finished_first != "passed" or not redone
    assert (sample_repo / "calc" / "multiply.py").read_text() == MULTIPLY
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM items WHERE kind='pr'").fetchone()[0] == 1


def test_failed_issue_check_sends_the_failures_to_a_fix_round(stub: StubModelServer,
                                                              sample_repo: Path) -> None:
    scripts = calc_scripts()
    scripts[("evaluator", None)] = [call("submit_evaluation", verdict="fail", criteria=[
        {"id": "AC1", "met": True, "evidence": "printed 2"},
        {"id": "AC2", "met": False, "evidence": "multiply is not exported from calc"}])]
    scripts[("generator", "fix")] = [
        call("write_file", path="calc/__init__.py",
             content="from calc.multiply import multiply\nfrom calc.ops import add\n\n"
                     "__all__ = ['add', 'multiply']\n"),
        call("finish", summary="exported multiply from calc")]
    scripts[("reviewer", "fix")] = [call("submit_review", verdict="approve", findings=[])]
    scripts[("evaluator", "fix")] = [call("submit_evaluation", verdict="pass", criteria=[
        {"id": "AC1", "met": True, "evidence": "printed 2"},
        {"id": "AC2", "met": True, "evidence": "from calc import multiply works"}])]
    stub.responder = ScriptedModel(scripts)

    result = run_factory(sample_repo, BRIEF)

    assert result.exit_code == 0, result.output
    fix_prompt = next(r for r in stub.requests if '<task id="fix">' in r.text())
    assert "AC2: not met: multiply is not exported from calc" in fix_prompt.text()
    assert "from calc.multiply import multiply" in (sample_repo / "calc" / "__init__.py").read_text()
    state = load(LocalForge(sample_repo / ".factory" / "forge.db"), 1)
    assert state is not None and state.phase == "done" and state.final_rounds == 1


def test_ctrl_c_saves_a_stopped_state_that_resume_finishes(stub: StubModelServer,
                                                           sample_repo: Path) -> None:
    scripts = calc_scripts()
    scripts[("generator", "T2")] = [Reply(delay_s=60, content="(never seen: interrupted)")]
    stub.responder = ScriptedModel(scripts)
    process = subprocess.Popen([PY, "-m", "pipeline", "run", "--repo", str(sample_repo),
                                "--yes", "--workers", "1", BRIEF],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(1200):
            if ("generator", "T2") in roles_requested(stub) or process.poll() is not None:
                break
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode != 0 and "Aborted" in stderr
    state = load(LocalForge(sample_repo / ".factory" / "forge.db"), 1)
    assert state is not None and state.phase == "stopped"
    assert "interrupted" in (state.reason or "")
    assert "factory:blocked" in LocalForge(sample_repo / ".factory" / "forge.db").get_issue(1).labels

    stub.responder = ScriptedModel(calc_scripts())
    result = run_factory(sample_repo, "--resume")

    assert result.exit_code == 0, result.output
    assert (sample_repo / "calc" / "multiply.py").read_text() == MULTIPLY


def test_a_planner_that_never_answers_properly_blocks_the_issue(stub: StubModelServer,
                                                                sample_repo: Path) -> None:
    stub.responder = ScriptedModel({("planner",): [Reply(content="I would plan it like so...")] * 3})

    result = run_factory(sample_repo, BRIEF)

    assert result.exit_code == 1
    forge = LocalForge(sample_repo / ".factory" / "forge.db")
    state = load(forge, 1)
    assert state is not None and state.phase == "blocked" and state.plan is None
    assert "planner broke the protocol 3 times" in (state.reason or "")
    assert "factory:blocked" in forge.get_issue(1).labels
    assert git(sample_repo, "branch", "--list", "factory/*") == ""
