"""Helpers shared by the tests (importable: tests/ is on pytest's pythonpath)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

SAMPLE = Path(__file__).parent / "fixtures" / "sample_calc"
TEST_MODEL = "openai/scripted"
UNITTEST = f"{sys.executable} -m unittest discover -s tests -t . -q"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def factory_yaml(**overrides: object) -> str:
    config: dict[str, object] = {
        "models": {"default": TEST_MODEL, "max_retries": 2, "request_timeout_s": 20},
        "pricing": {TEST_MODEL: {"input_per_mtok": 3.0, "output_per_mtok": 15.0}},
        "test_command": UNITTEST,
        "limits": {"eval_rounds": 2, "workers": 2},
    }
    config.update(overrides)
    return yaml.safe_dump(config, sort_keys=False)
