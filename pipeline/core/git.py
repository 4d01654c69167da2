"""Git through the one subprocess helper: branches, worktrees, commits and merges on real repos.

Host git is inert. Everything in a worktree, its `.git` file included, is the agent's to write,
and without bubblewrap so is the repository's git dir; yet no git command the factory runs on
the host may execute what the agent wrote. So every command here runs

- with `core.hooksPath=/dev/null` (no hook of any stage can be found under it; `--no-verify`
  alone skips only pre-commit and commit-msg — post-commit and post-merge ran, issue #12),
  `core.fsmonitor` off and commit signing off;
- with the filter, merge and diff drivers the repository's own config defines emptied, and
  `--no-ext-diff --no-textconv` on every diff, log and show;
- against the git dir the factory names itself: a linked worktree's admin dir is found through
  the main repository's registration, never through the `.git` file in the worktree, so a
  redirected `.git` cannot bring its own config.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from pipeline.core import proc
from pipeline.core.errors import BadInput

FACTORY_AUTHOR = ("Dark Factory", "factory@localhost")
NO_HOOKS = "/dev/null"
"""core.hooksPath: not a directory, so no hook can ever be put there."""
INERT = ("-c", f"core.hooksPath={NO_HOOKS}", "-c", "core.fsmonitor=false",
         "-c", "commit.gpgSign=false", "-c", "tag.gpgSign=false",
         "-c", "submodule.recurse=false", "-c", "diff.ignoreSubmodules=all",
         "-c", "protocol.ext.allow=never")
_DIFFING = {"diff", "log", "show"}
# Repository-config keys that name a command git would run: emptied on the command line.
_DRIVER = re.compile(r"^(?:filter\.(?:.+)\.(?:clean|smudge|process)|merge\.(?:.+)\.driver"
                     r"|diff\.(?:.+)\.(?:command|textconv))$")
_REQUIRED = re.compile(r"^filter\.(?:.+)\.required$")


def _env() -> dict[str, str]:
    # A hook or a parent git process leaves GIT_DIR, GIT_INDEX_FILE, ... behind; they would
    # silently point our commands at the wrong repository.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_EDITOR="true", GIT_SEQUENCE_EDITOR="true",
               GIT_PAGER="cat")
    return env


def _common_dir(dot_git: Path) -> Path | None:
    """The common git dir behind a `.git` directory or file (a file outside any worktree the
    agent writes: a parent repository's, the user's own)."""
    if dot_git.is_dir():
        return dot_git
    try:
        text = dot_git.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    admin = (dot_git.parent / text.removeprefix("gitdir:").strip()).resolve()
    try:
        common = (admin / "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return admin
    return (admin / common).resolve()


def common_dir(git_dir: Path) -> Path:
    """The common dir of a git dir (itself, or what a worktree's admin dir links to)."""
    link = git_dir / "commondir"
    if not link.is_file():
        return git_dir
    return (git_dir / link.read_text(encoding="utf-8").strip()).resolve()


def local_config(git_dir: Path) -> list[tuple[str, str]]:
    """(key, value) of the repository's own config file, includes not followed."""
    listed = proc.run(["git", *INERT, f"--git-dir={git_dir}", "config", "--file",
                       str(common_dir(git_dir) / "config"), "--list"], env=_env(), timeout=60)
    return [(key, value) for key, _, value in
            (line.partition("=") for line in listed.stdout.splitlines())]


def _registered(common: Path, worktree: Path) -> Path | None:
    """worktree's admin dir in common, as `git worktree add` recorded it."""
    admins = common / "worktrees"
    if not admins.is_dir():
        return None
    for admin in admins.iterdir():
        try:
            recorded = Path((admin / "gitdir").read_text(encoding="utf-8").strip())
        except OSError:
            continue
        if recorded.parent == worktree:
            return admin
    return None


def locate(path: Path) -> tuple[Path, Path] | None:
    """(git dir, work tree) for a worktree of an enclosing repository or a repository's root;
    None for anything else (a subdirectory: git discovers its repository)."""
    path = path.absolute()
    for parent in path.parents:
        dot_git = parent / ".git"
        if dot_git.exists():
            common = _common_dir(dot_git)
            admin = _registered(common, path) if common else None
            if admin is not None:
                return admin, path
            break
    if (path / ".git").is_dir():
        return path / ".git", path
    if (path / ".git").is_file():  # a worktree the factory did not make: the user's own
        common = _common_dir(path / ".git")
        admin = _registered(common, path) if common else None
        if admin is not None:
            return admin, path
    return None


@cache
def _neutralised(config_files: tuple[tuple[str, int, int], ...], git_dir: str) -> tuple[str, ...]:
    """`-c key=` for every driver command the repository's own config (local, worktree and
    what they include) sets; cached while those files are unchanged."""
    listed = proc.run(["git", *INERT, f"--git-dir={git_dir}", "config", "--list",
                       "--show-scope", "--name-only"], env=_env(), timeout=60)
    found: list[str] = []
    for line in listed.stdout.splitlines():
        scope, _, key = line.partition("\t")
        if scope not in ("local", "worktree"):
            continue
        if _DRIVER.match(key):
            found += ["-c", f"{key}="]
        elif _REQUIRED.match(key):
            found += ["-c", f"{key}=false"]
    return tuple(found)


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        info = path.stat()
    except OSError:
        return str(path), 0, -1
    return str(path), info.st_mtime_ns, info.st_size


def _argv(repo: Path, args: tuple[str, ...]) -> list[str]:
    located = locate(repo)
    where: list[str] = ["-C", str(repo)]
    overrides: tuple[str, ...] = ()
    if located is not None:
        git_dir, work_tree = located
        common = common_dir(git_dir)
        stamps = (_stamp(common / "config"), _stamp(git_dir / "config.worktree"))
        overrides = _neutralised(stamps, str(git_dir))
        where = ["-C", str(work_tree), f"--git-dir={git_dir}", f"--work-tree={work_tree}"]
    command = list(args)
    index = _subcommand(command)
    if index is not None and command[index] in _DIFFING:
        command[index + 1:index + 1] = ["--no-ext-diff", "--no-textconv"]
    return ["git", *INERT, *overrides, *where, *command]


def _subcommand(args: list[str]) -> int | None:
    index = 0
    while index < len(args):
        if args[index] == "-c":
            index += 2
        elif args[index].startswith("-"):
            index += 1
        else:
            return index
    return None


def is_worktree(path: Path) -> bool:
    """path is a registered linked worktree (whatever its `.git` file now says)."""
    located = locate(path)
    return located is not None and located[0] != path.absolute() / ".git"


def git(repo: Path, *args: str, check: bool = True, timeout: float = 120) -> str:
    result = proc.run(_argv(repo, args), env=_env(), timeout=timeout, check=check)
    return result.stdout.strip()


def git_result(repo: Path, *args: str, timeout: float = 120,
               output_cap: int = proc.DEFAULT_OUTPUT_CAP,
               input_text: str | None = None,
               env: dict[str, str] | None = None) -> proc.Result:
    return proc.run(_argv(repo, args), env={**_env(), **(env or {})}, timeout=timeout,
                    output_cap=output_cap, input_text=input_text)


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
    if is_worktree(path):
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


def merge(worktree: Path, branch: str, message: str, *, dated: bool = False) -> bool:
    """Merge branch into the worktree's checked-out branch; False (and aborted) on conflict.

    dated: the merge commit takes the merged commit's date, so the same merges made by
    different jobs are the same commits."""
    return not merge_conflicts(worktree, branch, message, dated=dated)


def merge_conflicts(worktree: Path, ref: str, message: str, *, dated: bool = False
                    ) -> list[str]:
    """Merge ref into the worktree's checked-out branch: [] when it merged, else the files that
    conflict (and the merge aborted)."""
    name, email = FACTORY_AUTHOR
    env = None
    if dated:
        when = git(worktree, "log", "-1", "--format=%cI", ref)
        env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    result = git_result(worktree, "-c", f"user.name={name}", "-c", f"user.email={email}",
                        "merge", "--no-ff", "--no-verify", "-m", message, ref, env=env)
    if result.ok:
        return []
    conflicted = git(worktree, "diff", "--name-only", "--diff-filter=U", check=False)
    git(worktree, "merge", "--abort", check=False)
    return conflicted.splitlines() or [f"(git merge {ref} failed: {result.stderr.strip()[:200]})"]


def diff(repo: Path, base: str, head_ref: str = "HEAD") -> str:
    return git(repo, "diff", f"{base}...{head_ref}")


def change_id(repo: Path, base: str, head_ref: str = "HEAD") -> str:
    """What a diff of base...head_ref shows, as one value: the trees it compares. Two diffs
    with the same id show the same change, whatever commits they were made from."""
    start = git(repo, "merge-base", base, head_ref)
    return f"{head(repo, start + '^{tree}')}:{head(repo, head_ref + '^{tree}')}"


def changed_files(repo: Path, base: str, head_ref: str = "HEAD") -> list[str]:
    out = git(repo, "diff", "--name-only", f"{base}...{head_ref}")
    return [line for line in out.splitlines() if line]


def is_clean(repo: Path) -> bool:
    """No changes to tracked files (untracked files do not stop a merge unless they collide)."""
    return git(repo, "status", "--porcelain", "--untracked-files=no") == ""
