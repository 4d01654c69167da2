"""factory-config: factory.yaml and .factory/lessons.jsonl validated, each error naming file and line."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

from pipeline.config import settings as config
from pipeline.core.errors import BadInput
from pipeline.memory import lesson


def _node_line(node: yaml.Node, loc: Sequence[object]) -> int:
    """The line of the deepest YAML node on a validation error's path (a key's own line)."""
    shown = node
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if pair is None:
                break
            shown, node = pair
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            shown = node = node.value[part]
        else:
            break
    return shown.start_mark.line + 1


def _config_line(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="utf-8")
        config.Config.model_validate(yaml.safe_load(text) or {})
    except ValidationError as exc:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        return _node_line(root, exc.errors()[0]["loc"]) if root is not None else None
    except (OSError, yaml.YAMLError):
        return None
    return None


def check_config(repo: Path) -> str | None:
    """factory.yaml as written (environment overrides ignored); None when it is valid."""
    try:
        config.load(repo, environ={})
    except BadInput as exc:
        message = exc.format_message()
        path = repo / config.CONFIG_FILE
        prefix = f"{path}: "
        line = _config_line(path) if message.startswith(prefix) else None
        return f"{path}:{line}: {message[len(prefix) :]}" if line else message
    return None


def check_lessons(repo: Path) -> str | None:
    try:
        lesson.read_file(repo / lesson.LESSONS_FILE)
    except BadInput as exc:
        return exc.format_message()
    return None


def main(argv: Sequence[str] | None = None) -> int:
    del argv  # pre-commit passes the changed files; both files are always checked whole
    repo = Path(".")
    problems = [p for p in (check_config(repo), check_lessons(repo)) if p]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0
