"""Commands the agent runs: in its worktree, with a scrubbed environment, a timeout that kills
the whole process tree, and bubblewrap showing only what the work needs (view.py)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from pipeline.config.settings import Sandbox as SandboxConfig
from pipeline.core import proc
from pipeline.sandbox import bwrap
from pipeline.sandbox.view import View, bwrap_argv, git_view, tools

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


class WorktreeSandbox:
    """Implements protocols.Sandbox for one task's worktree."""

    def __init__(self, root: Path, config: SandboxConfig, timeout: float = 300,
                 output_cap: int = 100_000) -> None:
        self.root = root.resolve()
        self.timeout = timeout
        self.output_cap = output_cap
        self.passthrough = list(config.env_passthrough)
        self.isolated = config.isolation == "bwrap"
        self.config = config
        self.home = self.root.parent / f".home-{self.root.name}"
        self.scratch = self.root.parent / f".sandbox-{self.root.name}"
        self._view: View | None = None

    def describe(self) -> str:
        if self.isolated:
            return ("bubblewrap (worktree writable; system, interpreter and tools read-only; "
                    "no home, no network)")
        return "none: agent commands run unsandboxed (sandbox.isolation: none in factory.yaml)"

    def view(self) -> View:
        """What the sandbox shows, worked out once (the git layout does not change)."""
        if self._view is None:
            mounts, overlays = git_view(self.root, self.scratch)
            self._view = View(worktree=self.root, home=self.home,
                              tools=tools(self.config.read_only), git=mounts, overlays=overlays)
        return self._view

    def argv(self, command: str) -> list[str]:
        shell = ["bash", "-c", command]
        return bwrap_argv(self.view(), shell) if self.isolated else shell

    def run(self, command: str, timeout: float | None = None) -> proc.Result:
        if self.isolated:
            bwrap.require(self.config)
        self.home.mkdir(exist_ok=True)
        env = scrubbed_env(self.passthrough)
        env["HOME"] = str(self.home)
        env["TMPDIR"] = "/tmp" if self.isolated else str(self.home)
        return proc.run(self.argv(command), cwd=self.root, env=env,
                        timeout=timeout or self.timeout, output_cap=self.output_cap)
