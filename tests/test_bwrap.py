"""No silent fallback: without a working bubblewrap the factory refuses to run agent commands
(exit 2, one line with the fix), `factory doctor` names the cause — AppArmor's restriction on
GitHub's ubuntu-24.04 runners included — and `isolation: none` is the explicit opt-out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory_testlib import factory_yaml, git

from pipeline.cli import main
from pipeline.sandbox import bwrap


def path_without_bwrap(tmp_path: Path) -> str:
    """A PATH with git and the interpreter, and no bubblewrap."""
    bin_dir = tmp_path / "bin"
    if bin_dir.is_dir():
        return f"{bin_dir}:{Path(sys.executable).parent}"
    bin_dir.mkdir()
    for tool in ("git", "bash", "sh"):
        found = subprocess.run(["which", tool], capture_output=True, text=True).stdout.strip()
        (bin_dir / tool).symlink_to(found)
    return f"{bin_dir}:{Path(sys.executable).parent}"


def run_cli(args: list[str], path: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path, "OPENAI_API_KEY": "sk-test-not-a-real-key"}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_run_refuses_without_bubblewrap(sample_repo: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in sample_repo.iterdir())

    result = run_cli(["run", "--repo", str(sample_repo), "--yes", "add a thing"],
                     path_without_bwrap(tmp_path))

    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert line.count("\n") == 0
    assert "bubblewrap" in line and "apt-get install bubblewrap" in line
    assert "isolation: none" in line
    assert sorted(p.name for p in sample_repo.iterdir()) == before  # nothing written


def test_a_build_job_refuses_without_bubblewrap_but_a_plan_job_needs_none(
        sample_repo: Path, tmp_path: Path) -> None:
    result = run_cli(["build", "1", "--repo", str(sample_repo)], path_without_bwrap(tmp_path))
    assert result.returncode == 2 and "bubblewrap" in result.stderr
    planned = run_cli(["plan", "1", "--repo", str(sample_repo)], path_without_bwrap(tmp_path))
    assert "bubblewrap" not in planned.stderr


def test_isolation_none_is_an_explicit_choice_doctor_warns_about(sample_repo: Path,
                                                                  tmp_path: Path) -> None:
    (sample_repo / "factory.yaml").write_text(factory_yaml(sandbox={"isolation": "none"}))
    git(sample_repo, "commit", "-qam", "no sandbox")

    result = run_cli(["doctor", "--repo", str(sample_repo)], path_without_bwrap(tmp_path))

    assert "isolation: none" in result.stdout and "unsandboxed" in result.stdout


def test_the_old_auto_setting_is_refused_with_its_name(sample_repo: Path) -> None:
    (sample_repo / "factory.yaml").write_text(factory_yaml(sandbox={"isolation": "auto"}))
    git(sample_repo, "commit", "-qam", "the old setting")
    result = CliRunner().invoke(main, ["run", "--repo", str(sample_repo), "--yes", "x"])
    assert result.exit_code == 2
    assert "sandbox.isolation" in result.output and "'bwrap' or 'none'" in result.output


def test_doctor_names_apparmor_and_prints_the_fix(sample_repo: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    # What GitHub's ubuntu-24.04 runners do: bwrap is installed, AppArmor forbids the
    # unprivileged user namespace it needs, and bwrap fails setting up its uid map.
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    (fake_bin / "bwrap").write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission "
                                    "denied' >&2\nexit 1\n")
    (fake_bin / "bwrap").chmod(0o755)
    switch = tmp_path / "apparmor_restrict_unprivileged_userns"
    switch.write_text("1\n")
    monkeypatch.setenv("PATH", f"{fake_bin}:{os.environ['PATH']}")
    monkeypatch.setattr(bwrap, "APPARMOR_SWITCH", switch)
    bwrap.problem.cache_clear()
    try:
        result = CliRunner().invoke(main, ["doctor", "--repo", str(sample_repo)])
        refused = CliRunner().invoke(main, ["run", "--repo", str(sample_repo), "--yes", "x"])
    finally:
        bwrap.problem.cache_clear()

    assert result.exit_code == 1
    assert "FAIL sandbox" in result.output and "AppArmor" in result.output
    assert "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0" in result.output
    assert refused.exit_code == 2 and "apparmor_restrict_unprivileged_userns=0" in refused.output


def test_the_demo_runs_its_scripted_commands_unsandboxed_and_says_so(tmp_path: Path) -> None:
    result = run_cli(["demo", "--dir", str(tmp_path / "demo")], path_without_bwrap(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "UNSANDBOXED" in result.stdout and "bubblewrap" in result.stdout
    config = (tmp_path / "demo" / "factory.yaml").read_text()
    assert "isolation: none" in config
