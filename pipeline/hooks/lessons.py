"""factory-lessons: the added lines of a change against every active lesson carrying a check.

It runs on every commit, so it imports the standard library only (importing pydantic alone
costs more than the whole check): the lesson file is read leniently here, and validated in
full by the factory-config hook.
"""

from __future__ import annotations

import json
import os
import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from pipeline.hooks import diff, globs, literals
from pipeline.memory.patterns import compile_pattern

# The same path as pipeline.memory.lesson.LESSONS_FILE, which cannot be imported cheaply.
LESSONS_FILE = ".factory/lessons.jsonl"
_SLUG = re.compile(r"[\w.-]+/[\w.-]+")


class LessonsError(Exception):
    pass


@dataclass(frozen=True)
class Guard:
    """One active lesson's check, with what a hit must show."""

    lesson_id: str
    trigger: str
    insight: str
    origin: str
    files: str
    severity: str
    pattern: str
    where: str


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    text: str
    guard: Guard


def origin(source: object) -> str:
    """Where a lesson came from, as a link when the source names a GitHub repo and PR."""
    if not isinstance(source, dict):
        return ""
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    repo, parts = source.get("repo"), []
    if isinstance(repo, str) and _SLUG.fullmatch(repo) and source.get("pr"):
        parts.append(f"{server}/{repo}/pull/{source['pr']}")
    elif isinstance(repo, str) and _SLUG.fullmatch(repo) and source.get("issue"):
        parts.append(f"{server}/{repo}/issues/{source['issue']}")
    elif repo:
        parts.append(f"{repo} PR #{source['pr']}" if source.get("pr") else str(repo))
    if source.get("commit"):
        parts.append(f"commit {str(source['commit'])[:12]}")
    if source.get("by"):
        parts.append(f"by {source['by']}")
    return ", ".join(parts)


def _guard(data: dict[str, object], check: dict[str, object], where: str) -> Guard:
    pattern, files = check.get("pattern"), check.get("files", "**")
    severity = check.get("severity", "warn")
    if not isinstance(pattern, str) or not isinstance(files, str):
        raise LessonsError(f"{where}: check.pattern and check.files must be strings")
    if severity not in ("error", "warn"):
        raise LessonsError(f"{where}: check.severity must be error or warn, not {severity!r}")
    return Guard(
        lesson_id=str(data.get("id", "")),
        trigger=str(data.get("trigger", "")),
        insight=str(data.get("insight", "")),
        origin=origin(data.get("source")),
        files=files,
        severity=str(severity),
        pattern=pattern,
        where=where,
    )


def load_guards(path: str = LESSONS_FILE) -> list[Guard]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return []
    guards: list[Guard] = []
    for number, line in enumerate(text.splitlines(), start=1):
        # Lessons are written one JSON object a line with `"check": null` when they have none;
        # skipping those unparsed keeps a thousand-lesson file cheap.
        if '"check"' not in line or '"check": null' in line:
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LessonsError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        check = data.get("check") if isinstance(data, dict) else None
        if isinstance(check, dict) and data.get("status", "active") == "active":
            guards.append(_guard(data, check, f"{path}:{number}"))
    return guards


class _Block:
    """The added lines of the files one glob selects, joined so that a lesson is screened
    against all of them at once; every hit is then confirmed on its own line."""

    def __init__(self, paths: list[str], added: diff.AddedLines) -> None:
        self.rows = [(path, number, text) for path in paths for number, text in added[path]]
        self.starts: list[int] = []
        offset = 0
        for _, _, text in self.rows:
            self.starts.append(offset)
            offset += len(text) + 1
        self.text = "\n".join(text for _, _, text in self.rows)
        self._words: set[str] | None = None

    def _has_word(self, word: str) -> bool:
        if self._words is None:
            self._words = set(literals.WORD.findall(self.text))
        return word in self._words

    def search(self, guard: Guard) -> Iterator[Hit]:
        need = literals.required(guard.pattern)
        if (need.word and not self._has_word(need.word)) or need.literal not in self.text:
            return
        try:
            # MULTILINE changes nothing on one line, and lets ^ and $ work in the block.
            pattern = compile_pattern(guard.pattern, re.MULTILINE)
        except ValueError as exc:
            raise LessonsError(f"{guard.where}: {exc}") from None
        if need.literal:
            candidates = self._lines_after(lambda at: self.text.find(need.literal, at))
        elif "\\A" in guard.pattern or "\\Z" in guard.pattern:
            candidates = iter(range(len(self.rows)))
        else:
            candidates = self._lines_after(lambda at: _start(pattern.search(self.text, at)))
        for index in candidates:
            path, number, text = self.rows[index]
            if pattern.search(text):
                yield Hit(path, number, text, guard)

    def _lines_after(self, find: Callable[[int], int]) -> Iterator[int]:
        """Indexes of the lines where find (an offset in the block, or -1) lands, in order."""
        at = find(0)
        while at != -1:
            index = bisect_right(self.starts, at) - 1
            yield index
            if index + 1 >= len(self.rows):
                return
            at = find(self.starts[index + 1])


def _start(match: re.Match[str] | None) -> int:
    return -1 if match is None else match.start()


def find_hits(guards: Sequence[Guard], added: diff.AddedLines) -> list[Hit]:
    by_glob: dict[str, list[Guard]] = {}
    for guard in guards:
        by_glob.setdefault(guard.files, []).append(guard)
    hits: list[Hit] = []
    for glob, group in by_glob.items():
        paths = [path for path in added if globs.matches(glob, path)]
        if paths:
            block = _Block(paths, added)
            for guard in group:
                hits.extend(block.search(guard))
    return sorted(hits, key=lambda hit: (hit.path, hit.line, hit.guard.severity))


def render(hit: Hit) -> str:
    guard = hit.guard
    lines = [
        f"{hit.path}:{hit.line}: {guard.severity}: {guard.insight} [{guard.lesson_id}]",
        f"    when: {guard.trigger}",
        f"    line: {hit.text.strip()[:160]}",
    ]
    if guard.origin:
        lines.append(f"    from: {guard.origin}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    path = LESSONS_FILE
    if args[:1] == ["--lessons"] and len(args) > 1:
        path, args = args[1], args[2:]
    try:
        guards = load_guards(path)
        hits = find_hits(guards, diff.added_lines(args)) if guards else []
    except (LessonsError, diff.DiffError) as exc:
        print(f"factory-lessons: {exc}", file=sys.stderr)
        return 1
    if not hits:
        return 0
    print("\n\n".join(render(hit) for hit in hits))
    errors = sum(hit.guard.severity == "error" for hit in hits)
    print(
        f"\nfactory-lessons: {errors} error(s), {len(hits) - errors} warning(s) from lessons in "
        f"{path}"
    )
    if errors:
        print("Fix the lines above (or, if a lesson is wrong, retire it in the lessons file).")
    return 1 if errors else 0
