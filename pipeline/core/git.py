"""Git through the one subprocess helper: branches, worktrees, commits and merges on real repos."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.core import proc
from pipeline.core.errors import BadInput

FACTORY_AUTHOR = ("Dark Factory", "factory@localhost")


def _env() -> dict[str, str]:
    # A hook or a parent git process leaves GIT_DIR, GIT_INDEX_FILE, ... behind; they would
    # silently point our commands at the wrong repository.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.setdefault("GIT_TERMINAL_PROMPT", "0")
    return env


def git(repo: Path, *args: str, check: bool = True, timeout: float = 120) -> str:
    result = proc.run(["git", "-C", str(repo), *args], env=_env(), timeout=timeout, check=check)
    return result.stdout.strip()


def git_result(repo: Path, *args: str, timeout: float = 120) -> proc.Result:
    return proc.run(["git", "-C", str(repo), *args], env=_env(), timeout=timeout)


def repo_root(path: Path) -> Path:
    result = git_result(path, "rev-parse", "--show-toplevel")
    if not result.ok:
        raise BadInput(f"{path} is not a git repository: run `git init` there or pass --repo")
    return Path(result.stdout.strip())


def current_branch(repo: Path) -> str:
    result = git_result(repo, "symbolic-ref", "--quiet", "--short", "HEAD")
    if not result.ok:
        raise BadInput(f"{repo} has a detached HEAD: check out a branch before `factory run`")
    return result.stdout.strip()


def has_commits(repo: Path) -> bool:
    return git_result(repo, "rev-parse", "--verify", "--quiet", "HEAD").ok


def head(repo: Path, ref: str = "HEAD") -> str:
    return git(repo, "rev-parse", ref)


def branch_exists(repo: Path, branch: str) -> bool:
    return git_result(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").ok


def ensure_branch(repo: Path, branch: str, start: str) -> None:
    if not branch_exists(repo, branch):
        git(repo, "branch", branch, start)


def add_worktree(repo: Path, path: Path, branch: str) -> Path:
    """A worktree for branch at path; an existing one is reused, a stale registration pruned."""
    git(repo, "worktree", "prune")
    if (path / ".git").exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    git(repo, "worktree", "add", "--force", str(path), branch)
    return path


def remove_worktree(repo: Path, path: Path) -> None:
    if path.exists():
        git(repo, "worktree", "remove", "--force", str(path), check=False)
    git(repo, "worktree", "prune")


def commit_all(worktree: Path, message: str) -> str | None:
    """Stage everything and commit as the factory; None when there was nothing to commit."""
    git(worktree, "add", "-A")
    if git_result(worktree, "diff", "--cached", "--quiet").ok:
        return None
    name, email = FACTORY_AUTHOR
    git(worktree, "-c", f"user.name={name}", "-c", f"user.email={email}", "commit", "-q",
        "--no-verify", "-m", message)
    return head(worktree)


def merge(worktree: Path, branch: str, message: str) -> bool:
    """Merge branch into the worktree's checked-out branch; False (and aborted) on conflict."""
    name, email = FACTORY_AUTHOR
    result = git_result(worktree, "-c", f"user.name={name}", "-c", f"user.email={email}",
                        "merge", "--no-ff", "-m", message, branch)
    if not result.ok:
        git(worktree, "merge", "--abort", check=False)
        return False
    return True


def diff(repo: Path, base: str, head_ref: str = "HEAD") -> str:
    return git(repo, "diff", f"{base}...{head_ref}")


def changed_files(repo: Path, base: str, head_ref: str = "HEAD") -> list[str]:
    out = git(repo, "diff", "--name-only", f"{base}...{head_ref}")
    return [line for line in out.splitlines() if line]


def is_clean(repo: Path) -> bool:
    """No changes to tracked files (untracked files do not stop a merge unless they collide)."""
    return git(repo, "status", "--porcelain", "--untracked-files=no") == ""
