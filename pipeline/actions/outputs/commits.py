"""Commits travel from a role job to the writer as a git bundle of named refs.

The role job bundles its `factory/` branches that differ from origin; the writer fetches them
into a private namespace, has them judged (detection: files, patch, protected paths, secrets)
and only then pushes them to its checkout's `origin`.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.core import git
from pipeline.core.errors import BadInput
from pipeline.detection.changes import Change, between

INCOMING = "refs/factory-incoming/"


def has_origin(repo: Path) -> bool:
    return git.git_result(repo, "remote", "get-url", "origin").ok


def remote_sha(repo: Path, branch: str) -> str | None:
    result = git.git_result(repo, "rev-parse", "--verify", "--quiet",
                            f"refs/remotes/origin/{branch}")
    return result.stdout.strip() if result.ok else None


def _patterns(root: str, branch: str) -> list[str]:
    """branch and its task branches (`branch-<task>`)."""
    return [f"{root}{branch}", f"{root}{branch}-*"]


def track_remote_branches(repo: Path, branch: str) -> None:
    """Local branches for origin's branch and `branch-*` that a fresh checkout lacks."""
    out = git.git(repo, "for-each-ref", "--format=%(refname:strip=3)",
                  *_patterns("refs/remotes/origin/", branch))
    for branch in out.splitlines():
        if branch and not git.branch_exists(repo, branch):
            git.git(repo, "branch", branch, f"refs/remotes/origin/{branch}")


def changed_refs(repo: Path, branch: str) -> dict[str, str]:
    """Local branch and `branch-*` whose commit origin does not have yet."""
    out = git.git(repo, "for-each-ref", "--format=%(refname:strip=2) %(objectname)",
                  *_patterns("refs/heads/", branch))
    refs = dict(line.split(" ", 1) for line in out.splitlines() if line)
    return {branch: sha for branch, sha in refs.items() if remote_sha(repo, branch) != sha}


def write_bundle(repo: Path, refs: dict[str, str], path: Path) -> None:
    names = [f"refs/heads/{branch}" for branch in sorted(refs)]
    # Only what origin lacks; a bundle that would be empty is written whole instead.
    if has_origin(repo) and git.git_result(repo, "bundle", "create", str(path), *names,
                                           "--not", "--remotes=origin").ok:
        return
    git.git(repo, "bundle", "create", str(path), *names)


def fetch_bundle(repo: Path, path: Path, refs: dict[str, str]) -> None:
    """The bundle's refs into refs/factory-incoming/, each checked against the sha declared."""
    if not path.is_file():
        raise BadInput(f"outputs name {len(refs)} branch(es) but {path.name} is missing")
    verified = git.git_result(repo, "bundle", "verify", str(path))
    if not verified.ok:
        raise BadInput(f"{path.name} does not apply to this repository: "
                       f"{verified.stderr.strip().splitlines()[-1:]}")
    specs = [f"+refs/heads/{branch}:{INCOMING}{branch}" for branch in sorted(refs)]
    git.git(repo, "fetch", "-q", str(path), *specs)
    for branch, sha in refs.items():
        if git.head(repo, f"{INCOMING}{branch}") != sha:
            raise BadInput(f"{path.name}: {branch} is not at the commit outputs.json declares")


def incoming(repo: Path, refs: dict[str, str]) -> list[Change]:
    """What each fetched branch would change against the checkout's (default) branch."""
    return [between(repo, branch, "HEAD", f"{INCOMING}{branch}") for branch in sorted(refs)]


def push(repo: Path, refs: dict[str, str]) -> None:
    """Branches to origin (forced: a re-run job rebuilds them), or locally without an origin."""
    if not refs:
        return
    if has_origin(repo):
        git.git(repo, "push", "-q", "--force", "origin",
                *[f"{sha}:refs/heads/{branch}" for branch, sha in sorted(refs.items())])
        return
    for branch, sha in refs.items():
        if git.branch_exists(repo, branch) and git.head(repo, branch) == sha:
            continue
        git.git(repo, "update-ref", f"refs/heads/{branch}", sha)


def default_branch(repo: Path) -> str:
    """The branch the writer's checkout is on: the default branch, on Actions."""
    result = git.git_result(repo, "symbolic-ref", "--quiet", "--short", "HEAD")
    return result.stdout.strip() if result.ok else "main"
