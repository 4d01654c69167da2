"""The factory's hooks in a repository's .pre-commit-config.yaml, and running that config."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from pipeline.core import git, proc
from pipeline.core.errors import BadInput
from pipeline.sandbox.protocol import Sandbox

CONFIG_FILE = ".pre-commit-config.yaml"
# Where `ensure_factory_hooks(repo, rev=...)` points pre-commit, which clones it at rev.
# A placeholder until the project's public repository is settled: callers may pass url=.
HOOKS_REPO = "https://github.com/dark-factory/dark-factory"
HOOK_TYPES = ("pre-commit", "commit-msg", "post-commit")
MINIMUM_PRE_COMMIT = "4.4.0"

# What .pre-commit-hooks.yaml declares, less entry and language: those depend on where the
# hook runs from (a clone of the factory's repository, or the installed `factory-hook`).
HOOKS: tuple[dict[str, Any], ...] = (
    {
        "id": "factory-lessons",
        "name": "factory lessons",
        "command": "lessons",
        "stages": ["pre-commit", "pre-push", "manual"],
        "types": ["text"],
        "require_serial": True,
    },
    {
        "id": "factory-lesson-trailer",
        "name": "factory lesson trailer",
        "command": "lesson-trailer",
        "stages": ["commit-msg", "post-commit"],
        "always_run": True,
    },
    {
        "id": "factory-config",
        "name": "factory config",
        "command": "config",
        "stages": ["pre-commit", "pre-push", "manual"],
        "files": r"^(factory\.yaml|\.factory/lessons\.jsonl)$",
        "pass_filenames": False,
    },
)
HEADER = "# pre-commit (https://pre-commit.com): `pre-commit install` sets these hooks up.\n"


def _local_hook(spec: dict[str, Any]) -> dict[str, Any]:
    hook = {
        "id": spec["id"],
        "name": spec["name"],
        "entry": f"factory-hook {spec['command']}",
        "language": "unsupported",
    }
    hook.update((key, value) for key, value in spec.items() if key not in hook and key != "command")
    hook["minimum_pre_commit_version"] = MINIMUM_PRE_COMMIT
    return hook


def _repo_entry(missing: list[dict[str, Any]], rev: str | None, url: str) -> dict[str, Any]:
    if rev is None:
        return {"repo": "local", "hooks": [_local_hook(spec) for spec in missing]}
    return {"repo": url, "rev": rev, "hooks": [{"id": spec["id"]} for spec in missing]}


def _load(path: Path, text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BadInput(f"{path} is not valid YAML ({exc}); fix it before adding hooks") from None
    data = {} if data is None else data
    if not isinstance(data, dict) or not isinstance(data.get("repos") or [], list):
        raise BadInput(f"{path}: expected a mapping with a `repos:` list")
    return data


def _hook_ids(data: dict[str, Any]) -> set[str]:
    return {
        str(hook.get("id"))
        for entry in data.get("repos") or []
        if isinstance(entry, dict)
        for hook in entry.get("hooks") or []
        if isinstance(hook, dict)
    }


def _insert_entry(lines: list[str], entry: dict[str, Any]) -> list[str] | None:
    """The entry appended at the end of the `repos:` block, comments kept; None if the
    block is not in the plain block style this understands."""
    dumped = yaml.safe_dump([entry], sort_keys=False, default_flow_style=False).splitlines()
    start = next(
        (i for i, line in enumerate(lines) if line.split("#")[0].rstrip() == "repos:"), None
    )
    if start is None:
        if any(line.startswith("repos:") for line in lines):
            return None
        return [*lines, "repos:\n", *(f"  {line}\n" for line in dumped)]
    last, indent = start, None
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not lines[index].startswith((" ", "\t", "-")):
            break
        last = index
        if indent is None and stripped.startswith("-"):
            indent = len(lines[index]) - len(lines[index].lstrip())
    pad = " " * (2 if indent is None else indent)
    return [*lines[: last + 1], *(f"{pad}{line}\n" for line in dumped), *lines[last + 1 :]]


def _set_hook_types(lines: list[str], types: list[str], existed: bool) -> list[str] | None:
    line = f"default_install_hook_types: [{', '.join(types)}]\n"
    if not existed:
        first = next((i for i, text in enumerate(lines) if not text.startswith("#")), len(lines))
        return [*lines[:first], line, *lines[first:]]
    for index, text in enumerate(lines):
        if text.startswith("default_install_hook_types:") and text.rstrip().endswith("]"):
            return [*lines[:index], line, *lines[index + 1 :]]
    return None


def ensure_factory_hooks(repo: Path, rev: str | None = None, *, url: str = HOOKS_REPO) -> bool:
    """Add the factory's hooks to repo's .pre-commit-config.yaml; True if the file changed.

    Creates the file or merges into it: hooks already configured (by id, in any repo entry)
    are left alone, the rest are added as one new entry, and `default_install_hook_types`
    gains commit-msg and post-commit so that `pre-commit install` sets up the trailer hook.
    With rev, the entry is this project's repository pinned at rev; without, a `repo: local`
    entry running the installed `factory-hook`. Comments and layout are kept when the file
    is in plain block style; otherwise it is rewritten from its parsed content.
    """
    path = repo / CONFIG_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    data = _load(path, text)
    missing = [spec for spec in HOOKS if spec["id"] not in _hook_ids(data)]
    types = data.get("default_install_hook_types")
    wanted = list(types) if isinstance(types, list) else ["pre-commit"]
    wanted += [kind for kind in HOOK_TYPES if kind not in wanted]
    if not missing and wanted == types:
        return False
    desired = dict(data, default_install_hook_types=wanted)
    lines: list[str] | None = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if missing:
        entry = _repo_entry(missing, rev, url)
        desired["repos"] = [*(data.get("repos") or []), entry]
        lines = _insert_entry(lines or [], entry)
    if lines is not None and wanted != types:
        lines = _set_hook_types(lines, wanted, "default_install_hook_types" in data)
    new_text = "".join(lines) if lines is not None else ""
    if lines is None or yaml.safe_load(new_text) != desired:
        new_text = HEADER + yaml.safe_dump(desired, sort_keys=False, default_flow_style=False)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new_text, encoding="utf-8")
    tmp.replace(path)
    return True


def run_precommit(
    worktree: Path,
    files: Sequence[str] | None = None,
    *,
    sandbox: Sandbox,
    timeout: float = 600,
) -> proc.Result:
    """Run the repository's pre-commit hooks on the change as it would be committed.

    Stages the change first (all of it, or `files`), as a commit would, so that hooks that
    read the index (factory-lessons) see it. A repository without a .pre-commit-config.yaml
    passes. A failing result's stdout is the hooks' own report, fit to show a model; hooks
    that fix files (formatters) leave the fixes in the working tree, unstaged. The hooks run
    in the sandbox, never on the host: they are the repository's code, which the agent may
    have edited.
    """
    if not (worktree / CONFIG_FILE).exists():
        return proc.Result(
            command="pre-commit run",
            returncode=0,
            stdout=f"no {CONFIG_FILE}: no hooks to run\n",
            stderr="",
        )
    argv = [sys.executable, "-m", "pre_commit", "run", "--color=never", "--show-diff-on-failure"]
    if files is None:
        git.git(worktree, "add", "-A")
    else:
        git.git(worktree, "add", "--", *files)
        argv += ["--files", *files]
    return sandbox.run(shlex.join(argv), timeout=timeout)


def is_framework_error(result: proc.Result) -> bool:
    """pre-commit itself failed (a hook repo it could not fetch, a crash): not the change's fault."""
    return result.returncode == 3 or "An unexpected error has occurred" in result.stdout \
        or "An error has occurred" in result.stdout
