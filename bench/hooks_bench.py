"""factory-lessons on a 50-file staged change with 1,000 lessons, against `git diff --cached`.

    .venv/bin/python bench/hooks_bench.py [--runs N]

Prints the median wall time of each (a fresh process per run, as pre-commit starts the
hook) and their ratio: with 100 or all 1,000 lessons carrying a check, spread over eight
globs, and the worst case where every check applies to every file; then the interpreter's
bare start-up and what `pre-commit run` itself adds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.memory.lesson import Check, Lesson, Source, to_line
from pipeline.precommit import diff, lessons

ROOT = Path(__file__).resolve().parents[1]
HOOK = ROOT / "hooks" / "factory_lessons.py"
FILES = 50
LINES_ADDED = 40
LESSONS = 1000
GLOBS = ["*.py", "src/**/*.py", "*.js", "web/**", "*.md", "tests/**", "**", "*.{yml,yaml}"]
TEMPLATES = [
    r"\blegacy_api_{i}\(",
    r"import deprecated_mod_{i}\b",
    r"^\s*from old_pkg_{i} import",
    r"TODO\(ticket-{i}\)",
    r"requests\.get\([^)]*timeout=None_{i}",
    r"\bconsole\.log_{i}\(",
]


SCENARIOS = [
    ("100-checks over 8 globs", False, 100),
    ("1000-checks over 8 globs", False, 1000),
    ("1000-checks on every file", True, 1000),
]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def make_repo(root: Path, name: str, every_file: bool, checked: int) -> Path:
    """A repository with the change staged; `checked` of the lessons carry a check."""
    repo = root / name
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    names = [
        f"{['src/pkg', 'web', 'tests', 'docs'][i % 4]}/f{i}.{['py', 'js', 'py', 'md'][i % 4]}"
        for i in range(FILES)
    ]
    for name in names:
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"existing line {n} = value_{n}\n" for n in range(200)))
    lessons = [
        Lesson(
            kind="mistake",
            trigger=f"calling thing number {i}",
            insight=f"use the replacement for thing {i}",
            source=Source(repo="acme/app", pr=i),
            check=Check(
                pattern=TEMPLATES[i % len(TEMPLATES)].format(i=i),
                files="**" if every_file else GLOBS[i % len(GLOBS)],
                severity="warn",
            )
            if i % (LESSONS // checked) == 0
            else None,
        )
        for i in range(LESSONS)
    ]
    (repo / ".factory").mkdir()
    (repo / ".factory" / "lessons.jsonl").write_text("".join(to_line(x) for x in lessons))
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "base")
    for name in names:
        with (repo / name).open("a") as handle:
            handle.writelines(
                f"result_{n} = compute(data_{n}, option={n})  # added line {n}\n"
                for n in range(LINES_ADDED)
            )
        # One real hit per file, so the report path is measured too.
        with (repo / name).open("a") as handle:
            handle.write("legacy_api_0(x)\n")
    _git(repo, "add", "-A")
    return repo


def median_ms(argv: list[str], cwd: Path, runs: int) -> float:
    return medians_ms([argv], cwd, runs)[0]


def medians_ms(commands: list[list[str]], cwd: Path, runs: int) -> list[float]:
    """Median wall time of each command, their runs interleaved so load hits all alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for argv, samples in zip(commands, times, strict=True):
            start = time.perf_counter()
            subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
            samples.append(time.perf_counter() - start)
    return [statistics.median(samples) * 1000 for samples in times]


def in_process_ms(repo: Path, runs: int) -> tuple[float, float, float]:
    """Median ms of the hook's three steps, imports and start-up left out."""
    steps: list[list[float]] = [[], [], []]
    here = os.getcwd()
    os.chdir(repo)
    try:
        for _ in range(runs):
            start = time.perf_counter()
            guards = lessons.load_guards()
            loaded = time.perf_counter()
            added = diff.added_lines()
            diffed = time.perf_counter()
            lessons.find_hits(guards, added)
            for samples, took in zip(
                steps, (loaded - start, diffed - loaded, time.perf_counter() - diffed), strict=True
            ):
                samples.append(took)
    finally:
        os.chdir(here)
    load, read, find = (statistics.median(samples) * 1000 for samples in steps)
    return load, read, find


def precommit_ms(repo: Path, runs: int) -> float:
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n  - id: factory-lessons\n    name: factory lessons\n"
        f"    entry: {HOOK}\n    language: unsupported_script\n    types: [text]\n"
        "    require_serial: true\n"
    )
    _git(repo, "add", ".pre-commit-config.yaml")
    argv = [sys.executable, "-m", "pre_commit", "run", "factory-lessons"]
    return median_ms(argv, repo, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    # As on a user's machine, the hook's modules load from cached bytecode (kept out of
    # the source tree), even where the environment turned bytecode writing off.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    print(
        f"{FILES} staged files, {FILES * (LINES_ADDED + 1)} added lines, {LESSONS} lessons; "
        f"median of {runs} runs"
    )
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        for label, every_file, checked in SCENARIOS:
            repo = make_repo(Path(tmp), label.replace(" ", "-"), every_file, checked)
            git_ms, hook_ms = medians_ms(
                [["git", "diff", "--cached"], [sys.executable, str(HOOK)]], repo, runs
            )
            load, read, find = in_process_ms(repo, runs)
            print(
                f"{label:26} git diff --cached {git_ms:5.1f} ms  factory-lessons {hook_ms:6.1f} ms"
                f"  ratio {hook_ms / git_ms:4.1f}x  (in-process: load {load:4.1f}, "
                f"diff {read:4.1f}, match {find:4.1f} ms)"
            )
        empty = median_ms([sys.executable, "-c", "pass"], repo, runs)
        print(f"{'python -c pass':28} {empty:6.1f} ms (interpreter start-up, in every hook run)")
        via = precommit_ms(repo, max(3, runs // 3))
        print(
            f"{'pre-commit run factory-lessons':28} {via:6.1f} ms (the framework's own cost included)"
        )


if __name__ == "__main__":
    main()
