"""The lines a change adds, read from git's zero-context diff. Stdlib only: runs on every commit."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

# The options pin the output format against user config: prefixes, colour, external diff
# drivers and textconv would all change what we parse.
_DIFF = [
    "git",
    "--literal-pathspecs",
    "-c",
    "core.quotePath=false",
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "-U0",
    "--diff-filter=d",
]

AddedLines = dict[str, list[tuple[int, str]]]
_ESCAPES = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r"}


class DiffError(Exception):
    pass


def diff_range() -> list[str]:
    """`pre-commit run --from-ref A --to-ref B` (CI) checks A...B; a commit checks the index."""
    start, end = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    return [f"{start}...{end}"] if start and end else ["--cached"]


def added_lines(paths: Sequence[str] = (), *, cwd: str | None = None) -> AddedLines:
    """path → [(line number in the new file, text)] for every added line, deletions skipped."""
    argv = [*_DIFF, *diff_range(), "--", *paths]
    done = subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    if done.returncode != 0:
        raise DiffError(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace').strip()}")
    return parse(done.stdout.decode("utf-8", "replace"))


def parse(patch: str) -> AddedLines:
    added: AddedLines = {}
    lines: list[tuple[int, str]] | None = None
    number = 0
    in_header = False
    for line in patch.splitlines():
        if line.startswith("diff --git "):
            in_header, lines = True, None
        elif in_header and line.startswith("+++ "):
            target = _unquote(line[4:])
            lines = None if target == "/dev/null" else added.setdefault(target[2:], [])
        elif line.startswith("@@"):
            in_header = False
            # "@@ -a,b +c,d @@": added lines are numbered from c.
            number = int(line.split("+", 1)[1].split(" ", 1)[0].split(",", 1)[0])
        elif not in_header and lines is not None and line.startswith("+"):
            lines.append((number, line[1:]))
            number += 1
    return {path: found for path, found in added.items() if found}


def _unquote(name: str) -> str:
    """git C-quotes names holding tabs, newlines, quotes or backslashes: "b/a\\tb"."""
    if not (len(name) > 1 and name.startswith('"') and name.endswith('"')):
        return name
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            if body[i + 1] in "01234567":
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out += _ESCAPES.get(body[i + 1], body[i + 1]).encode()
            i += 2
            continue
        out += body[i].encode()
        i += 1
    return out.decode("utf-8", "replace")
