"""What a sandbox shows, and the one function that turns it into bubblewrap's arguments.

Shown: the system directories read-only (less the files that hold the host's secrets), the
interpreter and the tools on PATH read-only, the worktree and a scratch home read-write, a
private /tmp, and of the repository's git dir only what the worktree needs (objects writable;
refs read-only; the config reduced to the settings git needs to read the repository, so a
credential in a remote URL or an `extraheader` stays out). Never `$HOME` or other homes, the
repository's `.factory/` state or anything else on the disk. No network, no capabilities.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core import git, proc

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
HIDDEN_IN_SYSTEM = ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-",
                    "/etc/sudoers", "/etc/sudoers.d", "/etc/ssh", "/etc/ssl/private",
                    "/etc/docker", "/etc/containerd")
"""Files and directories under SYSTEM_DIRS a sandbox never needs (and root could read)."""
GIT_CONFIG_KEPT = ("core.repositoryformatversion", "core.bare", "core.filemode",
                   "core.symlinks", "core.ignorecase", "core.precomposeunicode",
                   "core.autocrlf", "core.eol", "core.safecrlf", "core.logallrefupdates")
PACKAGE_DIR = Path(__file__).resolve().parent.parent
"""The factory's own package: its hooks (`factory-hook`) run inside the sandbox."""


@dataclass(frozen=True)
class View:
    """Everything one sandbox shows; `bwrap_argv` is the only reader."""

    worktree: Path
    home: Path
    tools: tuple[Path, ...] = ()
    """Read-only: the interpreter, its venv, tool directories on PATH, the factory's code."""
    git: tuple[tuple[Path, bool], ...] = ()
    """(path, writable) of the repository's git dir, mounted in this order: a later mount
    inside an earlier one sits on top of it."""
    overlays: tuple[tuple[Path, Path], ...] = ()
    """(host file, where it appears), read-only: the reduced git config."""
    extra: tuple[str, ...] = field(default=())
    """More bubblewrap arguments, placed before the command (a socket, a service's port)."""


def _system_args() -> list[str]:
    args: list[str] = []
    for name in SYSTEM_DIRS:
        path = Path(name)
        if path.is_symlink():  # merged /usr: /bin -> usr/bin
            args += ["--symlink", os.readlink(path), name]
        elif path.is_dir():
            args += ["--ro-bind", name, name]
    for name in HIDDEN_IN_SYSTEM:
        path = Path(name)
        if path.is_dir() and not path.is_symlink():
            args += ["--tmpfs", name, "--remount-ro", name]
        elif path.exists():
            args += ["--ro-bind", "/dev/null", name]
    return args


def bwrap_argv(view: View, command: Sequence[str]) -> list[str]:
    """bubblewrap's command line for view: later mounts sit on top of earlier ones."""
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            *_system_args(), "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for path in view.tools:
        args += ["--ro-bind", str(path), str(path)]
    for path in (view.worktree, view.home):
        args += ["--bind", str(path), str(path)]
    for path, writable in view.git:
        args += ["--bind" if writable else "--ro-bind", str(path), str(path)]
    for source, target in view.overlays:
        args += ["--ro-bind", str(source), str(target)]
    args += [*view.extra, "--remount-ro", "/", "--chdir", str(view.worktree), "--", *command]
    return args


def _inside(path: Path, roots: Sequence[str]) -> bool:
    return any(path == Path(root) or path.is_relative_to(root) for root in roots)


def _homes() -> tuple[str, ...]:
    return tuple({str(Path.home()), "/root", "/home"})


def tools(extra: Sequence[str] = ()) -> tuple[Path, ...]:
    """The interpreter (and its venv), PATH's tool directories and the factory's code, less
    what the system directories show already; a PATH entry in a home is left out (only the
    interpreter itself may live there)."""
    wanted = {Path(sys.prefix), Path(sys.base_prefix), PACKAGE_DIR}
    wanted |= {Path(p) for p in extra}
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        path = Path(entry)
        if not path.is_absolute() or _inside(path, _homes()):
            continue
        wanted.add(path.parent if (path.parent / "pyvenv.cfg").exists() else path)
    found = sorted({p.resolve() for p in wanted
                    if p.is_absolute() and p.exists() and str(p) != "/"})
    outside = [p for p in found if not _inside(p, SYSTEM_DIRS)]
    return tuple(p for p in outside if not any(p != q and p.is_relative_to(q) for q in outside))


def reduced_git_config(common: Path, target: Path) -> Path:
    """common's config with only what git needs to read the repository, written to target."""
    lines: dict[str, list[str]] = {}
    for key, value in git.local_config(common):
        if key in GIT_CONFIG_KEPT or key.startswith("extensions."):
            section, _, name = key.rpartition(".")
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            lines.setdefault(section, []).append(f'\t{name} = "{escaped}"')
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(f"[{section}]\n" + "\n".join(body) + "\n"
                              for section, body in lines.items()), encoding="utf-8")
    return target


def git_view(worktree: Path, scratch: Path) -> tuple[tuple[tuple[Path, bool], ...],
                                                      tuple[tuple[Path, Path], ...]]:
    """(mounts, overlays) for a linked worktree's git metadata, which lives in the main
    repository's git dir outside the worktree. Objects and the worktree's own admin dir (its
    index) are writable; its HEAD, its links back and every ref stay read-only, so the agent
    can stage and inspect but moves no branch and redirects nothing the host reads."""
    located = git.locate(worktree)
    if located is None or located[0].is_relative_to(worktree):
        return (), ()
    admin, _ = located
    common = git.common_dir(admin)
    mounts = [(common, False), (common / "objects", True), (admin, True)]
    pinned = [common / "objects" / "info",
              *(admin / name for name in ("HEAD", "commondir", "gitdir", "config.worktree"))]
    mounts += [(path, False) for path in pinned if path.exists()]
    config = reduced_git_config(common, scratch / "gitconfig")
    return tuple(mounts), ((config, common / "config"),)


def probe() -> proc.Result:
    """bubblewrap running a trivial command the way a sandbox runs it."""
    return proc.run(["bwrap", "--unshare-all", "--die-with-parent", "--cap-drop", "ALL",
                     *_system_args(), "--dev", "/dev", "--proc", "/proc", "true"], timeout=30)
