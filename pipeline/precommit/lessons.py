"""factory-lessons: the added lines of a change against every active lesson carrying a check.

It runs on every commit, so it imports the standard library and RE2 only (importing pydantic
alone costs more than the whole check): the lesson file is read leniently here, and validated
in full by the factory-config hook. Patterns run on RE2, in linear time, and the hook caps its
own time besides (FACTORY_LESSONS_TIMEOUT_S, default 30): past it, it says so and lets the
commit through rather than hold it forever.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence

from pipeline.memory.patterns import HAS_RE2, compile_pattern
from pipeline.precommit import diff, globs, literals

# The same path as pipeline.memory.lesson.LESSONS_FILE, which cannot be imported cheaply.
LESSONS_FILE = ".factory/lessons.jsonl"
DEFAULT_TIMEOUT_S = 30
_SLUG = r"[\w.-]+/[\w.-]+"  # compiled on first use: only a hit needs it


class LessonsError(Exception):
    pass


class OutOfTime(Exception):
    pass


def _out_of_time(_signum: int, _frame: object) -> None:
    raise OutOfTime


def time_cap() -> int:
    try:
        return max(1, int(os.environ.get("FACTORY_LESSONS_TIMEOUT_S", DEFAULT_TIMEOUT_S)))
    except ValueError:
        return DEFAULT_TIMEOUT_S


class Guard:
    """One active lesson's check; the rest of the lesson is read only when it hits."""

    __slots__ = ("files", "lesson", "pattern", "severity", "where")

    def __init__(self, lesson: dict[str, object], where: str) -> None:
        check = lesson["check"]
        assert isinstance(check, dict)
        pattern, files = check.get("pattern"), check.get("files", "**")
        severity = check.get("severity", "warn")
        if not isinstance(pattern, str) or not isinstance(files, str):
            raise LessonsError(f"{where}: check.pattern and check.files must be strings")
        if severity not in ("error", "warn"):
            raise LessonsError(f"{where}: check.severity must be error or warn, not {severity!r}")
        self.lesson, self.where = lesson, where
        self.pattern, self.files, self.severity = pattern, files, str(severity)

    def field(self, name: str) -> str:
        return str(self.lesson.get(name, ""))


class Hit:
    __slots__ = ("guard", "line", "path", "text")

    def __init__(self, path: str, line: int, text: str, guard: Guard) -> None:
        self.path, self.line, self.text, self.guard = path, line, text, guard


def origin(source: object) -> str:
    """Where a lesson came from, as a link when the source names a GitHub repo and PR."""
    if not isinstance(source, dict):
        return ""
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    repo, parts = source.get("repo"), []
    if isinstance(repo, str) and re.fullmatch(_SLUG, repo) and source.get("pr"):
        parts.append(f"{server}/{repo}/pull/{source['pr']}")
    elif isinstance(repo, str) and re.fullmatch(_SLUG, repo) and source.get("issue"):
        parts.append(f"{server}/{repo}/issues/{source['issue']}")
    elif repo:
        parts.append(f"{repo} PR #{source['pr']}" if source.get("pr") else str(repo))
    if source.get("commit"):
        parts.append(f"commit {str(source['commit'])[:12]}")
    if source.get("by"):
        parts.append(f"by {source['by']}")
    return ", ".join(parts)


def _parse(rows: list[tuple[int, str]], path: str) -> list[object]:
    try:
        # One call for the whole file; only a broken file is read line by line, for its line.
        return list(json.loads("[" + ",".join(line for _, line in rows) + "]"))
    except json.JSONDecodeError:
        for number, line in rows:
            try:
                json.loads(line)
            except json.JSONDecodeError as exc:
                raise LessonsError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        raise LessonsError(f"{path}: expected one JSON object a line") from None


def load_guards(path: str = LESSONS_FILE) -> list[Guard]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return []
    # Lessons are written one JSON object a line, with `"check": null` when they carry no
    # check: those are skipped unparsed. (Inside a JSON string the quotes would be escaped.)
    rows = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and '"check": null' not in line
    ]
    guards = []
    for (number, _), lesson in zip(rows, _parse(rows, path), strict=True):
        if (
            isinstance(lesson, dict)
            and isinstance(lesson.get("check"), dict)
            and lesson.get("status", "active") == "active"
        ):
            guards.append(Guard(lesson, f"{path}:{number}"))
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

    def search(self, guard: Guard, everything: _Block) -> Iterator[Hit]:
        """Hits of guard here; everything (all added lines) screens first, for its words
        are indexed once for all globs."""
        literal, word = literals.required(guard.pattern)
        if (word and not everything._has_word(word)) or literal not in self.text:
            return
        try:
            # Multi-line changes nothing on one line, and lets ^ and $ work in the block.
            pattern = compile_pattern(guard.pattern, multiline=True)
        except ValueError as exc:
            raise LessonsError(f"{guard.where}: {exc}") from None
        if literal:
            candidates = self._lines_after(lambda at: self.text.find(literal, at))
        elif "\\A" in guard.pattern or "\\z" in guard.pattern:
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


def _start(match: object) -> int:
    start = getattr(match, "start", None)
    return -1 if start is None else int(start())


def find_hits(guards: Sequence[Guard], added: diff.AddedLines) -> list[Hit]:
    by_glob: dict[str, list[Guard]] = {}
    for guard in guards:
        by_glob.setdefault(guard.files, []).append(guard)
    everything = _Block(list(added), added)
    hits: list[Hit] = []
    for glob, group in by_glob.items():
        paths = [path for path in added if globs.matches(glob, path)]
        if paths:
            block = everything if len(paths) == len(added) else _Block(paths, added)
            for guard in group:
                hits.extend(block.search(guard, everything))
    return sorted(hits, key=lambda hit: (hit.path, hit.line, hit.guard.severity))


def render(hit: Hit) -> str:
    guard = hit.guard
    lines = [
        f"{hit.path}:{hit.line}: {guard.severity}: {guard.field('insight')} [{guard.field('id')}]",
        f"    when: {guard.field('trigger')}",
        f"    line: {hit.text.strip()[:160]}",
    ]
    where_from = origin(guard.lesson.get("source"))
    if where_from:
        lines.append(f"    from: {where_from}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    path = LESSONS_FILE
    if args[:1] == ["--lessons"] and len(args) > 1:
        path, args = args[1], args[2:]
    cap = time_cap()
    previous = signal.signal(signal.SIGALRM, _out_of_time)
    signal.alarm(cap)
    try:
        guards = load_guards(path)
        if guards and not HAS_RE2:
            print(f"factory-lessons: google-re2 is not importable by {sys.executable}: patterns "
                  f"run on Python's re, capped at {cap} s (pip install google-re2 for linear "
                  "time)", file=sys.stderr)
        added = diff.added_lines(args) if guards else {}
        added.pop(path, None)  # a lesson's own text quotes what its check looks for
        hits = find_hits(guards, added) if added else []
    except (LessonsError, diff.DiffError) as exc:
        print(f"factory-lessons: {exc}", file=sys.stderr)
        return 1
    except OutOfTime:
        print(f"factory-lessons: stopped after {cap} s (FACTORY_LESSONS_TIMEOUT_S) without "
              "finishing; the commit is not checked against the lessons", file=sys.stderr)
        return 0
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
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
