"""Commands the agent runs: in its worktree, with a scrubbed environment, a timeout, and
bubblewrap isolation (worktree writable, everything else read-only, no network) when present."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from pipeline.config.settings import Sandbox as SandboxConfig
from pipeline.core import proc

# Only these reach agent commands. An allow-list, because a secret can hide under any name.
BASE_VARIABLES = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "PYTHONPATH",
                  "VIRTUAL_ENV", "PYTHONHASHSEED")
SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE",
                         re.IGNORECASE)


def scrubbed_env(passthrough: Sequence[str] = (),
                 environ: Mapping[str, str] | None = None) -> dict[str, str]:
    source = os.environ if environ is None else environ
    names = [*BASE_VARIABLES, *(n for n in passthrough if not SECRET_NAME.search(n))]
    env = {name: source[name] for name in names if name in source}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@cache
def bwrap_available() -> bool:
    """bwrap is installed and works here (it needs user namespaces, which some systems
    forbid unprivileged users: then commands run as plain subprocesses, and doctor says so)."""
    if shutil.which("bwrap") is None:
        return False
    probe = proc.run(["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--unshare-all",
                      "--die-with-parent", "true"], timeout=30)
    return probe.ok


def _tools_in_tmp() -> tuple[Path, ...]:
    """Interpreters and tool directories under /tmp (a virtualenv in a temp checkout, as on CI),
    which the sandbox's private /tmp would otherwise hide."""
    candidates = {Path(sys.prefix), Path(sys.base_prefix)}
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        path = Path(entry)
        candidates.add(path.parent if (path.parent / "pyvenv.cfg").exists() else path)
    tmp = Path("/tmp")
    return tuple(sorted(p for p in candidates
                        if p.is_absolute() and p.is_relative_to(tmp) and p != tmp and p.exists()))


def _git_dirs(root: Path) -> tuple[tuple[Path, bool], ...]:
    """A worktree's git metadata lives in the main repository's .git, which the sandbox's
    private /tmp (or any path outside the worktree) would hide. Refs and config stay
    read-only; the object store (pre-commit writes trees) and the worktree's own part (index,
    HEAD) are writable, so git and pre-commit work inside but no branch can be moved."""
    result = proc.run(["git", "-C", str(root), "rev-parse", "--path-format=absolute",
                       "--git-common-dir", "--git-dir"], timeout=30)
    if not result.ok:
        return ()
    common, own = (Path(line) for line in result.stdout.split())
    if own.is_relative_to(root):
        return ()
    return ((common, False), (common / "objects", True), (own, True))


class WorktreeSandbox:
    """Implements protocols.Sandbox for one task's worktree."""

    def __init__(self, root: Path, config: SandboxConfig, timeout: float = 300,
                 output_cap: int = 100_000) -> None:
        self.root = root.resolve()
        self.timeout = timeout
        self.output_cap = output_cap
        self.passthrough = list(config.env_passthrough)
        self.isolated = config.isolation == "bwrap" or (
            config.isolation == "auto" and bwrap_available())
        self.git_dirs = _git_dirs(self.root) if self.isolated else ()
        self.tools_in_tmp = _tools_in_tmp() if self.isolated else ()

    def describe(self) -> str:
        if self.isolated:
            return "bubblewrap (worktree writable, rest read-only, no network)"
        return "plain subprocess (install bubblewrap for isolation)"

    def _argv(self, command: str, home: Path) -> list[str]:
        shell = ["bash", "-c", command]
        if not self.isolated:
            return shell
        binds = ["--bind", str(self.root), str(self.root), "--bind", str(home), str(home)]
        for path in self.tools_in_tmp:
            binds += ["--ro-bind", str(path), str(path)]
        for path, writable in self.git_dirs:
            binds += ["--bind" if writable else "--ro-bind", str(path), str(path)]
        return ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                "--tmpfs", "/tmp", *binds, "--unshare-all", "--die-with-parent",
                "--new-session", "--chdir", str(self.root), "--", *shell]

    def run(self, command: str, timeout: float | None = None) -> proc.Result:
        home = self.root.parent / f".home-{self.root.name}"
        home.mkdir(exist_ok=True)
        env = scrubbed_env(self.passthrough)
        env["HOME"] = str(home)
        env["TMPDIR"] = "/tmp" if self.isolated else str(home)
        return proc.run(self._argv(command, home), cwd=self.root, env=env,
                        timeout=timeout or self.timeout, output_cap=self.output_cap)
