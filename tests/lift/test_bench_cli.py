"""`factory bench` through the real CLI: tasks made here, the scripted model over HTTP, every run
in its own process and git repository, hidden tests judged in the sandbox."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from doubles.stub_model import Reply, StubModelServer, call
from factory_testlib import TEST_MODEL
from lift_testlib import ByTask, bench_home, make_task, requests_text, solving

from pipeline.cli import main
from pipeline.demo.scripted import ScriptedModel
from pipeline.lift import tasks as task_set

DOUBLE = "def double(x):\n    return 2 * x\n"
SQUARE = "def square(x):\n    return x * x\n"
HALVE_FLOORED = "def halve(x):\n    return x // 2\n"
HIDDEN_DOUBLE = ("from mathx.double import double\n\n\ndef test_double():\n"
                 "    assert double(3) == 6\n    assert double(-2) == -4\n")
HIDDEN_SQUARE = ("import pytest\n\nfrom mathx.square import square\n\n\n"
                 "@pytest.mark.parametrize('x, y', [(3, 9), (-4, 16), (0, 0)])\n"
                 "def test_square(x, y):\n    assert square(x) == y\n")
HIDDEN_HALVE = ("from mathx.halve import halve\n\n\ndef test_halve_keeps_fractions():\n"
                "    assert halve(3) == 1.5\n")


def bench(home: Path, tasks: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["bench", str(tasks), "--repo", str(home), *args])


def test_bench_reports_the_hidden_verdicts_of_both_modes(stub: StubModelServer, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         bench_scratch: Path) -> None:
    tasks = tmp_path / "tasks"
    make_task(tasks, "node-only", module="n", code_hint="n", hidden_test="", requires=["node"])
    monkeypatch.setitem(task_set.REQUIREMENTS, "node", (lambda: False, "node and npm on PATH"))
    secrets = [
        make_task(tasks, "double", module="double", code_hint="double(x) is 2 * x",
                  hidden_test=HIDDEN_DOUBLE),
        make_task(tasks, "square", module="square", code_hint="square(x) is x * x",
                  hidden_test=HIDDEN_SQUARE),
        make_task(tasks, "halve", module="halve", code_hint="halve(x) is x / 2, fractions kept",
                  hidden_test=HIDDEN_HALVE)]
    hidden_file = tasks / "double" / "hidden" / "tests" / "test_hidden_double.py"
    # The double task's agent goes looking for the hidden tests, by every way it has.
    prying = [call("read_file", path=str(hidden_file)),
              call("read_file", path=f"../../../../../../..{hidden_file}"),
              call("run", command=f"cat {hidden_file}; ls {tasks}/*/hidden/tests")]
    # The halve task's agent makes its red test green the careless way.
    cheating = [call("write_file", path="conftest.py",
                     content="collect_ignore_glob = ['tests/test_hidden_*']\n"),
                call("write_file", path="tests/test_hidden_halve.py",
                     content="def test_halve():\n    assert True\n"),
                call("write_file", path="tests/test_ops.py",
                     content="def test_identity():\n    assert True\n")]
    stub.responder = ByTask({"double": solving("double", "double", DOUBLE, extra=prying),
                             "square": solving("square", "square", SQUARE),
                             "halve": solving("halve", "halve", HALVE_FLOORED, extra=cheating)})
    home = bench_home(tmp_path)

    result = bench(home, tasks, "--json", "--workers", "2")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    outcome = {(r["task"], r["mode"]): r for r in report["results"]}
    assert sorted(outcome) == sorted((task, mode) for task in ("double", "halve", "square")
                                     for mode in ("factory", "single"))
    for mode in ("factory", "single"):
        assert outcome[("double", mode)]["passed"] is True
        assert outcome[("square", mode)]["passed"] is True
        halve = outcome[("halve", mode)]
        assert halve["passed"] is False and halve["outcome"] == "failed"
        assert "hidden tests failed" in halve["failure"] and "1 failed" in halve["failure"]
        assert halve["reset_files"] == ["tests/test_ops.py",
                                        "conftest.py (added by the run; removed)"]
    assert report["skipped"] == [{"task": "node-only", "reason": "needs node and npm on PATH"}]
    assert "Skipping node-only: needs node and npm on PATH" in result.stderr
    for task in ("double", "square"):
        factory, single = outcome[(task, "factory")], outcome[(task, "single")]
        assert factory["model_calls"] > single["model_calls"] > 0
        assert set(factory["calls_by_role"]) >= {"planner", "generator", "reviewer", "evaluator"}
        assert set(single["calls_by_role"]) == {"generator"}
        for record in (factory, single):
            assert record["cost_usd"] > 0 and record["tokens"]["prompt"] > 0
            assert record["tokens"]["completion"] > 0 and record["wall_s"] > 0
            assert record["context_resets"] == 0 and record["reset_files"] == []
            assert record["budget_usd"] == 5.0 and record["failure"] is None
    summary = report["summary"]
    for mode in ("factory", "single"):
        assert summary["modes"][mode]["passed"] == 2 and summary["modes"][mode]["runs"] == 3
        low, high = summary["modes"][mode]["ci95"]
        assert 0 < low < 2 / 3 < high < 1
    assert summary["lift"]["pass_rate_difference"] == 0
    assert summary["lift"]["cost_ratio"] > 1

    # Nothing of any hidden test reached the model, however the agent looked for it.
    sent = requests_text(stub)
    assert len(sent) == sum(r["model_calls"] for r in report["results"])
    for secret in secrets:
        assert not any(secret in body for body in sent)
    seen = "\n".join(out for r in stub.requests for out in r.tool_results())
    assert "absolute paths are refused" in seen and "outside the repository" in seen
    assert "No such file or directory" in seen

    # Every result went to the history, which `factory report` draws.
    history = home / ".factory" / "bench" / "history.jsonl"
    lines = [json.loads(line) for line in history.read_text().splitlines()]
    assert len(lines) == 6 and {line["bench_id"] for line in lines} == {report["bench_id"]}
    assert report["work_dir"] is None and list(bench_scratch.iterdir()) == []


def test_timeouts_spent_budgets_and_blocked_runs_count_as_failures(
        stub: StubModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the table's rows on one line each
    tasks = tmp_path / "tasks"
    for name in ("slow", "pricey", "mute"):
        make_task(tasks, name, module=name, code_hint=name, hidden_test="def test_x():\n    pass\n",
                  timeout_minutes=0.1 if name == "slow" else None)
    never = [Reply(delay_s=60, content="(never seen: the run is killed first)")]
    prose = [Reply(content="I would write it like so.", usage={"completion_tokens": 0})] * 3
    stub.responder = ByTask({
        "slow": solving("slow", "slow", "x = 1\n", extra=never),
        "pricey": solving("pricey", "pricey", "x = 1\n"),
        "mute": ScriptedModel({("planner",): prose, ("generator", "T1"): prose})})
    # Prompts cost nothing here: the first call is sent, and its answer alone spends the cap.
    home = bench_home(tmp_path, pricing={TEST_MODEL: {"input_per_mtok": 0, "output_per_mtok": 15}})
    history = tmp_path / "elsewhere" / "runs.jsonl"

    result = bench(home, tasks, "--workers", "3", "--budget", "0.0000001",
                   "--history", str(history))

    assert result.exit_code == 0, result.output
    outcome = {(r["task"], r["mode"]): r for r in map(json.loads, history.read_text().splitlines())}
    assert len(outcome) == 6 and not any(r["passed"] for r in outcome.values())
    for mode in ("factory", "single"):
        slow, pricey, mute = (outcome[(name, mode)] for name in ("slow", "pricey", "mute"))
        assert slow["outcome"] == "timeout" and slow["failure"] == "ran past its 0.1-minute limit"
        assert pricey["outcome"] == "stopped" and "budget" in pricey["failure"]
        assert pricey["budget_usd"] == 0.0000001 and pricey["model_calls"] == 1
        assert pricey["cost_usd"] > 0.0000001  # the call that crossed the cap completed
        assert mute["outcome"] == "blocked" and "broke the protocol" in mute["failure"]
    assert "pricey · factory #1: stopped: budget" in result.stderr
    for text in ("Runs (means over repeats)", "0/1", "ran past its 0.1-minute limit",
                 "Pass rate per mode (Wilson score interval, 95%)", "USD per solved task",
                 "Lift (factory − single): +0 points", f"Results appended to {history}"):
        assert text in result.stdout, text
    assert not (home / ".factory").exists()


BAD_TASKS = {
    "yaml": ("brief: [unclosed\n", "is not valid YAML"),
    "mapping": ("- a list\n", "the top level must be a mapping"),
    "unknown key": ("brief: b\ntest_command: t\nkind: library\nhints: x\n", "hints: unknown key"),
    "no brief": ("test_command: t\nkind: library\n", "brief: Field required"),
    "kind": ("brief: b\ntest_command: t\nkind: poem\n", "kind: Input should be"),
    "timeout": ("brief: b\ntest_command: t\nkind: cli\ntimeout_minutes: 0\n",
                "timeout_minutes: Input should be greater than 0"),
    "requires": ("brief: b\ntest_command: t\nkind: cli\nrequires: [gpu]\n", "requires.0"),
    "quotes": ("brief: b\ntest_command: \"python -c 'x\"\nkind: cli\n", "test_command:"),
}


@pytest.mark.parametrize("fault", sorted(BAD_TASKS))
def test_a_malformed_task_is_refused_before_anything_runs(tmp_path: Path, fault: str) -> None:
    tasks = tmp_path / "tasks"
    make_task(tasks, "good", module="m", code_hint="m", hidden_test="")
    make_task(tasks, "bad", module="m", code_hint="m", hidden_test="")
    text, message = BAD_TASKS[fault]
    (tasks / "bad" / "task.yaml").write_text(text)
    home = bench_home(tmp_path)

    result = bench(home, tasks)

    assert_refused(result, home, message)
    assert "bad/task.yaml" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--modes", "factory,solo"], "unknown mode 'solo' in --modes: choose from factory, single"),
    (["--tasks", "double,nope"], "no task named 'nope'"),
    (["--model", "anthropic/claude-sonnet-4-5"], "set ANTHROPIC_API_KEY"),
    (["--repo", "/nonexistent/home"], "/nonexistent/home is not a directory"),
    (["--history", "."], "is a directory"),
])
def test_bad_options_exit_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    tasks = tmp_path / "tasks"
    make_task(tasks, "double", module="double", code_hint="2 * x", hidden_test=HIDDEN_DOUBLE)
    home = bench_home(tmp_path)

    result = CliRunner().invoke(main, ["bench", str(tasks), "--repo", str(home), *args])

    assert_refused(result, home, message)


@pytest.mark.parametrize("layout", ["missing", "empty", "no hidden"])
def test_a_task_set_that_is_not_one_is_refused(tmp_path: Path, layout: str) -> None:
    tasks = tmp_path / "tasks"
    home = bench_home(tmp_path)
    if layout != "missing":
        tasks.mkdir()
    if layout == "no hidden":
        make_task(tasks, "double", module="double", code_hint="2 * x", hidden_test="x")
        for path in sorted((tasks / "double" / "hidden").rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    message = {"missing": "is not a directory", "empty": "holds no task",
               "no hidden": "hidden/ is missing or empty"}[layout]

    assert_refused(bench(home, tasks), home, message)


def assert_refused(result: Any, home: Path, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stdout == ""
    assert not (home / ".factory").exists()


def workers_running(marker: str) -> list[str]:
    """Command lines of live bench workers whose job lies under marker."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "pipeline.lift.worker" in text and marker in text:
            found.append(text)
    return found


def test_ctrl_c_stops_every_run_and_records_none(stub: StubModelServer, tmp_path: Path) -> None:
    tasks = tmp_path / "tasks"
    make_task(tasks, "slow", module="slow", code_hint="slow", hidden_test="def test_x():\n    pass\n")
    waiting = [Reply(delay_s=60, content="(never seen: interrupted)")]
    stub.responder = ByTask({"slow": ScriptedModel({("planner",): waiting,
                                                    ("generator", "T1"): waiting})})
    home, scratch = bench_home(tmp_path), tmp_path / "scratch"
    scratch.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "bench", str(tasks), "--repo",
                                str(home), "--workers", "2"], env={**os.environ,
                                                                   "TMPDIR": str(scratch)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(1200):
            if len(stub.requests) >= 2 or process.poll() is not None:
                break
            time.sleep(0.1)
        assert len(workers_running(str(scratch))) == 2, "both runs are waiting on the model"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode != 0 and "Traceback" not in stderr, stderr
    assert workers_running(str(scratch)) == []
    assert list(scratch.iterdir()) == []  # the scratch runs are gone
    assert not (home / ".factory" / "bench" / "history.jsonl").exists()
