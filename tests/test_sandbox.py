from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from pipeline.config.settings import Sandbox
from pipeline.sandbox.bwrap import available as bwrap_available
from pipeline.sandbox.worktree import WorktreeSandbox, scrubbed_env


def test_environment_is_an_allow_list() -> None:
    env = scrubbed_env(["MY_SETTING", "EXTRA_TOKEN"],
                       environ={"PATH": "/bin", "MY_SETTING": "1", "EXTRA_TOKEN": "t",
                                "AWS_SECRET_ACCESS_KEY": "k", "RANDOM": "r"})
    assert env["PATH"] == "/bin" and env["MY_SETTING"] == "1"
    assert "EXTRA_TOKEN" not in env and "AWS_SECRET_ACCESS_KEY" not in env and "RANDOM" not in env


@pytest.mark.parametrize("isolation", ["none", "bwrap"])
def test_env_shows_no_secret_of_the_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           isolation: str) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret_value_123")
    monkeypatch.setenv("WEIRDLY_NAMED_THING", "also-secret")
    (tmp_path / "wt").mkdir()
    result = WorktreeSandbox(tmp_path / "wt", Sandbox(isolation=isolation)).run("env")  # type: ignore[arg-type]
    assert result.ok
    assert "ghp_secret_value_123" not in result.stdout and "also-secret" not in result.stdout
    assert "PATH=" in result.stdout


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    (tmp_path / "wt").mkdir()
    sandbox = WorktreeSandbox(tmp_path / "wt", Sandbox(isolation="none"))
    result = sandbox.run("(sleep 30; echo late > late.txt) & echo $! > child.pid; wait", timeout=1)
    assert result.timed_out and not result.ok
    child = int((tmp_path / "wt" / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(child)
    assert not (tmp_path / "wt" / "late.txt").exists()


def running(pid: int) -> bool:
    """Alive and not a zombie (in a container, PID 1 may be slow to reap orphans)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_output_is_capped_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "wt").mkdir()
    sandbox = WorktreeSandbox(tmp_path / "wt", Sandbox(isolation="none"), output_cap=1000)
    result = sandbox.run("yes x | head -c 100000")
    assert len(result.stdout) < 1200 and "bytes of output cut" in result.stdout


@pytest.mark.skipif(not bwrap_available(), reason="bubblewrap is not installed")
def test_bubblewrap_keeps_the_rest_of_the_disk_read_only(tmp_path: Path) -> None:
    (tmp_path / "wt").mkdir()
    beside = tmp_path / "beside.txt"  # under /tmp, which the sandbox replaces with a tmpfs
    elsewhere = Path("/var/tmp") / f"factory-sandbox-{os.getpid()}.txt"
    sandbox = WorktreeSandbox(tmp_path / "wt", Sandbox(isolation="bwrap"))
    result = sandbox.run(f"echo inside > in.txt; echo x > {beside}; echo x > {elsewhere}; "
                         "echo x > /usr/x")
    assert (tmp_path / "wt" / "in.txt").read_text() == "inside\n"
    assert not beside.exists() and not elsewhere.exists()
    assert "/var/tmp/factory-sandbox" in result.stderr and "No such file" in result.stderr
    assert "/usr/x: Read-only file system" in result.stderr
    assert "bubblewrap" in sandbox.describe()


@pytest.mark.skipif(not bwrap_available(), reason="bubblewrap is not installed")
def test_git_works_in_a_worktree_but_branches_cannot_be_moved(git_repo: Path) -> None:
    from factory_testlib import git

    worktree = git_repo.parent / "wt"
    git(git_repo, "worktree", "add", "-q", "-b", "task", str(worktree))
    before = git(git_repo, "rev-parse", "main")
    sandbox = WorktreeSandbox(worktree, Sandbox(isolation="bwrap"))

    status = sandbox.run("echo x > new.txt && git add new.txt && git status --short")
    moved = sandbox.run("git commit -qm sneaky && git branch -f main HEAD")

    assert status.ok and "A  new.txt" in status.stdout
    assert not moved.ok
    assert git(git_repo, "rev-parse", "main") == before


@pytest.mark.skipif(not bwrap_available(), reason="bubblewrap is not installed")
def test_tools_installed_under_tmp_stay_reachable(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "venv"
    (tools / "bin").mkdir(parents=True)
    (tools / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (tools / "bin" / "hello-tool").write_text("#!/bin/sh\necho hello from a tmp venv\n")
    (tools / "bin" / "hello-tool").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools / 'bin'}:{os.environ['PATH']}")
    (tmp_path / "wt").mkdir()

    result = WorktreeSandbox(tmp_path / "wt", Sandbox(isolation="bwrap")).run("hello-tool")

    assert result.ok and result.stdout == "hello from a tmp venv\n"


@pytest.mark.skipif(not bwrap_available(), reason="bubblewrap is not installed")
def test_the_sandbox_shows_no_home_no_state_and_no_repository_outside_the_worktree(
        git_repo: Path) -> None:
    from factory_testlib import git

    state = git_repo / ".factory"
    state.mkdir()
    (state / "forge.db").write_text("canary-state-0a1b2c")
    (git_repo / "untracked-secret.txt").write_text("canary-repo-3d4e5f")
    git(git_repo, "config", "remote.origin.url", "https://user:canary-token-6a7b8c@example.com/r")
    git(git_repo, "config", "http.extraheader", "AUTHORIZATION: basic canary-header-9d0e1f")
    worktree = state / "worktrees" / "task"
    git(git_repo, "worktree", "add", "-q", "-b", "task", str(worktree))
    sandbox = WorktreeSandbox(worktree, Sandbox(isolation="bwrap"))
    home = Path.home()

    looked = sandbox.run(f"cat {state}/forge.db {git_repo}/untracked-secret.txt; "
                         f"cat {git_repo}/.git/config; ls -A {home}; ls -A /home; "
                         f"ls {git_repo}; git status --short; {sys.executable} -c 'print(6*7)'")

    seen = looked.stdout + looked.stderr
    for canary in ("canary-state", "canary-repo", "canary-token", "canary-header"):
        assert canary not in seen
    assert "repositoryformatversion" in seen  # git still reads the repository it needs
    assert "42" in looked.stdout  # and the interpreter the tests need is there
    interpreter_path = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    needed = {part for path in interpreter_path for part in path.parts}
    shown = looked.stdout.split()
    hidden = [entry.name for entry in home.iterdir() if entry.name not in needed]
    assert hidden and not [name for name in hidden if name in shown]


@pytest.mark.skipif(not bwrap_available(), reason="bubblewrap is not installed")
def test_no_network_and_no_capabilities(tmp_path: Path) -> None:
    (tmp_path / "wt").mkdir()
    sandbox = WorktreeSandbox(tmp_path / "wt", Sandbox(isolation="bwrap"))
    result = sandbox.run(f"{sys.executable} -c \"import socket; "
                         "socket.create_connection(('1.1.1.1', 53), 3)\"; "
                         "grep CapEff /proc/self/status; ls /sys /run 2>&1 | head -2")
    assert "Network is unreachable" in result.stderr
    assert "CapEff:\t0000000000000000" in result.stdout


@pytest.mark.skipif(not bwrap_available(), reason="bubblewrap is not installed")
def test_a_setsid_child_dies_with_the_command(tmp_path: Path) -> None:
    (tmp_path / "wt").mkdir()
    sandbox = WorktreeSandbox(tmp_path / "wt", Sandbox(isolation="bwrap"))
    quick = sandbox.run("setsid sh -c 'sleep 2; echo late > late-quick.txt' > /dev/null 2>&1 &"
                        " echo started")
    slow = sandbox.run("setsid sh -c 'sleep 2; echo late > late-slow.txt' & sleep 30", timeout=1)
    assert quick.ok and slow.timed_out
    time.sleep(3)
    assert not (tmp_path / "wt" / "late-quick.txt").exists()
    assert not (tmp_path / "wt" / "late-slow.txt").exists()


@pytest.mark.skipif(not bwrap_available(), reason="bubblewrap is not installed")
def test_the_worktree_cannot_redirect_what_the_host_reads(git_repo: Path) -> None:
    from factory_testlib import git

    worktree = git_repo.parent / "wt"
    git(git_repo, "worktree", "add", "-q", "-b", "task", str(worktree))
    sandbox = WorktreeSandbox(worktree, Sandbox(isolation="bwrap"))
    admin = git(worktree, "rev-parse", "--absolute-git-dir")

    result = sandbox.run(f"echo 'ref: refs/heads/main' > {admin}/HEAD; "
                         f"echo /tmp > {admin}/commondir; echo x > {admin}/gitdir; "
                         f"echo x > {git_repo}/.git/objects/info/alternates; "
                         f"echo '[core]' > {git_repo}/.git/config")

    assert result.stderr.count("Read-only file system") == 5
    assert git(worktree, "symbolic-ref", "HEAD") == "refs/heads/task"
