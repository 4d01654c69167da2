"""The fake's repositories are real bare git repositories: what GitHub computes from git
(commits between branches, the lines of a pull request's diff, whether it merges cleanly, the
merge commit itself) is computed here from the same objects the tests push."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field

from unidiff import PatchSet

_AUTHOR = {"GIT_AUTHOR_NAME": "GitHub", "GIT_AUTHOR_EMAIL": "noreply@github.com",
           "GIT_COMMITTER_NAME": "GitHub", "GIT_COMMITTER_EMAIL": "noreply@github.com"}


def run(git_dir: str, *args: str, env: Mapping[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(["git", "--git-dir", git_dir, *args], capture_output=True, text=True,
                          check=check, env={**clean, **_AUTHOR, **(env or {})})


def out(git_dir: str, *args: str) -> str:
    return run(git_dir, *args).stdout.strip()


def init(git_dir: str, branch: str) -> str:
    """A bare repository whose branch holds one commit (a README), like a new GitHub repo."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", branch, git_dir], check=True,
                   capture_output=True)
    return commit(git_dir, branch, {"README.md": "# repository\n"}, "Initial commit")


def exists(git_dir: str, sha: str) -> bool:
    return run(git_dir, "cat-file", "-e", f"{sha}^{{commit}}", check=False).returncode == 0


def head(git_dir: str, branch: str) -> str | None:
    found = run(git_dir, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False)
    return found.stdout.strip() if found.returncode == 0 else None


def commit(git_dir: str, branch: str, files: Mapping[str, str | None], message: str,
           start: str | None = None) -> str:
    """Commit files (None deletes one) on branch, from start (default: the branch's tip)."""
    parent = start or head(git_dir, branch)
    with tempfile.TemporaryDirectory(prefix="fake-github-index-") as tmp:
        index = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
        if parent:
            run(git_dir, "read-tree", parent, env=index)
        for path, text in files.items():
            if text is None:
                run(git_dir, "update-index", "--force-remove", path, env=index)
                continue
            blob = subprocess.run(["git", "--git-dir", git_dir, "hash-object", "-w", "--stdin"],
                                  input=text, capture_output=True, text=True,
                                  check=True).stdout.strip()
            run(git_dir, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}",
                env=index)
        tree = run(git_dir, "write-tree", env=index).stdout.strip()
    sha = out(git_dir, "commit-tree", tree, *(("-p", parent) if parent else ()), "-m", message)
    run(git_dir, "update-ref", f"refs/heads/{branch}", sha)
    return sha


def set_ref(git_dir: str, branch: str, sha: str) -> None:
    run(git_dir, "update-ref", f"refs/heads/{branch}", sha)


def commits_between(git_dir: str, base: str, tip: str) -> int:
    """Commits on tip that base lacks: what GitHub needs for a pull request."""
    return int(out(git_dir, "rev-list", "--count", f"{base}..{tip}"))


def in_pull(git_dir: str, base: str, tip: str, sha: str) -> bool:
    """Whether sha is one of the pull request's commits (on tip, not on base)."""
    if not exists(git_dir, sha):
        return False
    on_tip = run(git_dir, "merge-base", "--is-ancestor", sha, tip, check=False).returncode == 0
    on_base = run(git_dir, "merge-base", "--is-ancestor", sha, base, check=False).returncode == 0
    return on_tip and not on_base


@dataclass
class DiffLines:
    """Where a review comment may go: per path, the lines each side of the diff shows."""

    right: dict[str, set[int]] = field(default_factory=dict)
    left: dict[str, set[int]] = field(default_factory=dict)


def diff_lines(git_dir: str, base: str, tip: str) -> DiffLines:
    """The pull request's diff as GitHub shows it (three-dot: from the merge base)."""
    text = out(git_dir, "diff", "--no-color", "--no-renames", f"{base}...{tip}")
    found = DiffLines()
    for patched in PatchSet(text + "\n" if text else ""):
        path = patched.path
        for hunk in patched:
            for line in hunk:
                if line.target_line_no is not None:
                    found.right.setdefault(path, set()).add(line.target_line_no)
                if line.source_line_no is not None and line.is_removed:
                    found.left.setdefault(path, set()).add(line.source_line_no)
    return found


def merged_tree(git_dir: str, base: str, tip: str) -> str | None:
    """The tree of merging tip into base; None when they conflict."""
    result = run(git_dir, "merge-tree", "--write-tree", "--no-messages", base, tip, check=False)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"git merge-tree failed: {result.stderr.strip()}")
    return result.stdout.split()[0] if result.returncode == 0 else None


def merge(git_dir: str, branch: str, tip: str, message: str) -> str | None:
    """Merge tip into branch with a merge commit; None (and nothing changed) on conflict."""
    base = head(git_dir, branch)
    assert base is not None, f"no branch {branch}"
    tree = merged_tree(git_dir, base, tip)
    if tree is None:
        return None
    sha = out(git_dir, "commit-tree", tree, "-p", base, "-p", tip, "-m", message)
    set_ref(git_dir, branch, sha)
    return sha
