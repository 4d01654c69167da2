"""Whether bubblewrap can sandbox agent commands here, and if not, the one fix to apply.

There is no silent fallback: `sandbox.isolation: bwrap` (the default) without a working
bubblewrap refuses to start work that runs agent commands; `none` is the explicit opt-out.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from pipeline.config.settings import Sandbox as SandboxConfig
from pipeline.core.errors import BadInput
from pipeline.sandbox.view import probe

APPARMOR_SWITCH = Path("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
INSTALL = ("install it (`sudo apt-get install bubblewrap`, `sudo dnf install bubblewrap`, or "
           "your distribution's package)")
OPT_OUT = "or set `sandbox: {isolation: none}` in factory.yaml to run agent commands unsandboxed"


def apparmor_restricts() -> bool:
    """Ubuntu 23.10+ (GitHub's ubuntu-24.04 runners among them) forbid unprivileged user
    namespaces through AppArmor, which bubblewrap needs."""
    try:
        return APPARMOR_SWITCH.read_text(encoding="utf-8").strip() == "1"
    except OSError:
        return False


@cache
def problem() -> str | None:
    """Why bubblewrap cannot sandbox here, with the fix; None when it works."""
    if shutil.which("bwrap") is None:
        return f"bubblewrap (`bwrap`) is not installed: {INSTALL}"
    result = probe()
    if result.ok:
        return None
    if apparmor_restricts():
        return ("bubblewrap cannot create a user namespace: AppArmor restricts them "
                "(kernel.apparmor_restrict_unprivileged_userns=1); lift it with `sudo sysctl -w "
                "kernel.apparmor_restrict_unprivileged_userns=0` (or give bwrap an AppArmor "
                "profile)")
    detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
    return (f"bubblewrap is installed but cannot start a sandbox ({detail}): it needs "
            "unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, "
            "user.max_user_namespaces > 0)")


def available() -> bool:
    return problem() is None


def require(config: SandboxConfig) -> None:
    """BadInput (exit 2, one line) when agent commands would run without the isolation the
    config asks for."""
    if config.isolation == "none":
        return
    reason = problem()
    if reason is not None:
        raise BadInput(f"agent commands need a sandbox: {reason}, {OPT_OUT}")
