"""A bench task set on disk (bench/tasks/README.md): every `task.yaml` checked before anything
runs, and what each task needs from the machine."""

from __future__ import annotations

import importlib.util
import shlex
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.core.errors import BadInput

CHROMIUM = Path("/usr/bin/chromium")
DEFAULT_TIMEOUT_MINUTES = 30.0

Requirement = Literal["node", "chromium", "playwright"]

# What each `requires` entry needs: (is it here, what to install).
REQUIREMENTS: dict[str, tuple[Callable[[], bool], str]] = {
    "node": (lambda: shutil.which("node") is not None and shutil.which("npm") is not None,
             "node and npm on PATH"),
    "chromium": (CHROMIUM.exists, f"Chromium at {CHROMIUM} (apt-get install chromium)"),
    "playwright": (lambda: importlib.util.find_spec("playwright") is not None,
                   "the playwright package (pip install playwright; no browser download)"),
}


class TaskSpec(BaseModel):
    """task.yaml."""

    model_config = ConfigDict(extra="forbid")
    brief: str = Field(min_length=1)
    test_command: str = Field(min_length=1)
    kind: Literal["library", "bugfix", "cli", "web", "refactor", "feature"]
    timeout_minutes: float = Field(default=DEFAULT_TIMEOUT_MINUTES, gt=0)
    requires: list[Requirement] = Field(default_factory=list)

    @field_validator("brief", "test_command")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


@dataclass(frozen=True)
class Task:
    name: str
    root: Path
    spec: TaskSpec

    @property
    def repo(self) -> Path:
        return self.root / "repo"

    @property
    def hidden(self) -> Path:
        return self.root / "hidden"

    @property
    def test_command(self) -> str:
        """The task's command, a leading `python` being the interpreter running the bench."""
        command = self.spec.test_command.strip()
        first = command.split(maxsplit=1)[0]
        if first in ("python", "python3"):
            return shlex.quote(sys.executable) + command[len(first):]
        return command

    def missing(self) -> list[str]:
        """What this machine lacks to judge the task; empty when it can run."""
        missing = [what for need in self.spec.requires
                   for available, what in [REQUIREMENTS[need]] if not available()]
        argv = shlex.split(self.spec.test_command)
        if argv[:3] in (["python", "-m", "pytest"], ["python3", "-m", "pytest"]) \
                and importlib.util.find_spec("pytest") is None:
            missing.append(f"pytest in {sys.executable} (pip install pytest)")
        return missing


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    return f"{where}: {message}"


def load_task(root: Path) -> Task:
    path = root / "task.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        raise BadInput(f"{path} is not valid YAML: fix its syntax") from None
    if not isinstance(data, dict):
        raise BadInput(f"{path}: the top level must be a mapping (brief, test_command, kind)")
    try:
        spec = TaskSpec.model_validate(data)
        shlex.split(spec.test_command)
    except ValidationError as exc:
        raise BadInput(f"{path}: {_describe(exc)} (see bench/tasks/README.md)") from None
    except ValueError as exc:
        raise BadInput(f"{path}: test_command: {exc}") from None
    for part in ("repo", "hidden"):
        if not (root / part).is_dir() or not any((root / part).iterdir()):
            raise BadInput(f"{root}: {part}/ is missing or empty (see bench/tasks/README.md)")
    return Task(root.name, root, spec)


def load_tasks(tasks_dir: Path, names: Sequence[str] = ()) -> list[Task]:
    """Every task under tasks_dir (or the named ones), each checked; BadInput on the first fault."""
    if not tasks_dir.is_dir():
        raise BadInput(f"{tasks_dir} is not a directory: pass a task set such as bench/tasks")
    roots = sorted(path for path in tasks_dir.iterdir() if (path / "task.yaml").is_file())
    if not roots:
        raise BadInput(f"{tasks_dir} holds no task (no */task.yaml): see bench/tasks/README.md")
    known = {root.name for root in roots}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise BadInput(f"no task named {unknown[0]!r} in {tasks_dir}: choose from "
                       + ", ".join(sorted(known)))
    return [load_task(root) for root in roots if not names or root.name in names]
