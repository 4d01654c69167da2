"""Every hook test: pre-commit's cache in the tmp dir, the hooks' interpreter on PATH."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _pre_commit_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pre-commit's cache in the test's tmp dir; this venv's python3 first on PATH (the hook
    scripts' `#!/usr/bin/env python3`), and `factory-hook` as pip would install it."""
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "factory-hook"
    shim.write_text(
        f"#!{sys.executable}\nimport sys\nfrom pipeline.precommit.__main__ import main\n"
        "sys.exit(main())\n"
    )
    shim.chmod(0o755)
    path = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]])
    monkeypatch.setenv("PATH", path)
