from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.memory.lesson import Source
from pipeline.precommit import lessons
from tests.hooks.support import LINES, PATTERNS, ROOT, guard, stage, write_lessons


def _guards(tmp_path: Path, *items: object) -> list[lessons.Guard]:
    return lessons.load_guards(str(write_lessons(tmp_path, items)))  # type: ignore[arg-type]


def test_only_active_lessons_with_a_check_guard(tmp_path: Path) -> None:
    found = _guards(tmp_path, guard("eval\\("), guard("exec\\(", status="retired"))
    assert [g.pattern for g in found] == ["eval\\("]


def test_lesson_file_errors_name_file_and_line(tmp_path: Path) -> None:
    path = write_lessons(tmp_path, [guard("ok")])
    with path.open("a") as handle:
        handle.write('{"check": {"pattern": "x"\n')
    with pytest.raises(lessons.LessonsError, match=r"lessons.jsonl:2: not valid JSON"):
        lessons.load_guards(str(path))


def test_unsafe_pattern_is_refused_with_its_line(tmp_path: Path) -> None:
    line = json.loads(lessons_line := (write_lessons(tmp_path, [guard("x")]).read_text()))
    line["check"]["pattern"] = r"(a)\1"
    path = tmp_path / "unsafe.jsonl"
    path.write_text(lessons_line + json.dumps(line) + "\n")
    found = lessons.load_guards(str(path))
    with pytest.raises(lessons.LessonsError, match=r"unsafe.jsonl:2: .*RE2.*\\1"):
        lessons.find_hits(found, {"a.py": [(1, "aaaa")]})


def test_a_pattern_that_backtracks_in_python_runs_in_linear_time(tmp_path: Path) -> None:
    # Python's re takes minutes on this (issue #12); RE2 takes no time at all.
    found = _guards(tmp_path, guard("a*a*a*a*a*a*a*a*a*a*b"), guard("(a+)+$"))
    hits = lessons.find_hits(found, {"a.py": [(1, "a" * 20_000)]})
    assert [hit.guard.pattern for hit in hits] == ["(a+)+$"]


def test_the_hook_caps_its_own_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    import time

    path = write_lessons(tmp_path, [guard("x")])
    monkeypatch.setenv("FACTORY_LESSONS_TIMEOUT_S", "1")
    monkeypatch.setattr(lessons.diff, "added_lines", lambda _args: time.sleep(30) or {})

    assert lessons.main(["--lessons", str(path)]) == 0
    assert "stopped after 1 s" in capsys.readouterr().err


def test_hits_respect_globs_and_lines(tmp_path: Path) -> None:
    found = _guards(
        tmp_path, guard(r"^import os$", files="*.py"), guard(r"\bprint\(", files="src/**")
    )
    added = {
        "src/a.py": [(3, "x = 1"), (4, "import os"), (9, "print(x)")],
        "b.py": [(1, "import os")],
        "b.txt": [(1, "import os")],
        "tools/c.py": [(5, "print(y)")],
    }
    hits = [(hit.path, hit.line, hit.guard.pattern) for hit in lessons.find_hits(found, added)]
    assert hits == [
        ("b.py", 1, "^import os$"),
        ("src/a.py", 4, "^import os$"),
        ("src/a.py", 9, "\\bprint\\("),
    ]


def test_a_match_across_two_lines_is_no_hit(tmp_path: Path) -> None:
    found = _guards(tmp_path, guard(r"foo\s+bar"), guard(r"\Abaz"))
    added = {"a.py": [(1, "foo"), (2, "bar"), (3, "baz"), (4, "foo  bar")]}
    hits = [(hit.line, hit.guard.pattern) for hit in lessons.find_hits(found, added)]
    assert hits == [(3, "\\Abaz"), (4, "foo\\s+bar")]


def test_origin_links_the_pr() -> None:
    assert lessons.origin({"repo": "acme/app", "pr": 7, "commit": "a" * 40}) == (
        f"https://github.com/acme/app/pull/7, commit {'a' * 12}"
    )
    assert (
        lessons.origin({"repo": "acme/app", "issue": 3}) == "https://github.com/acme/app/issues/3"
    )
    assert lessons.origin({"by": "Ann"}) == "by Ann"
    assert lessons.origin(None) == ""


def test_main_reports_and_decides(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_lessons(
        git_repo,
        [
            guard("eval\\(", insight="never eval input", source=Source(repo="acme/app", pr=7)),
            guard("TODO", severity="warn"),
        ],
    )
    monkeypatch.chdir(git_repo)
    stage(git_repo, "a.py", "x = 1\n# TODO later\n")
    assert lessons.main([]) == 0
    assert "a.py:2: warn:" in capsys.readouterr().out
    stage(git_repo, ".factory/lessons.jsonl", (git_repo / ".factory/lessons.jsonl").read_text())
    stage(git_repo, "b.py", "eval(data)\n")
    assert lessons.main(["b.py", ".factory/lessons.jsonl"]) == 1
    out = capsys.readouterr().out
    assert "lessons.jsonl" not in out.split("factory-lessons:")[0]
    assert "b.py:1: error: never eval input" in out
    assert "https://github.com/acme/app/pull/7" in out
    assert "a.py" not in out


def test_hook_imports_only_light_modules() -> None:
    code = (
        "import sys; import pipeline.precommit.lessons; "
        "print(' '.join(sorted(m for m in ('pydantic', 'yaml', 'click', 'litellm', "
        "'qdrant_client', 'pipeline.core.errors', 'pipeline.memory.lesson') if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


def test_screening_finds_exactly_what_a_per_line_search_finds(tmp_path: Path) -> None:
    found = _guards(tmp_path, *(guard(pattern) for pattern in PATTERNS))
    added = {"a.py": list(enumerate(LINES, 1)), "b.md": list(enumerate(reversed(LINES), 1))}
    expected = sorted(
        (path, number, pattern)
        for pattern in PATTERNS
        for path, rows in added.items()
        for number, text in rows
        if re.search(pattern, text)
    )
    hits = sorted(
        (hit.path, hit.line, hit.guard.pattern) for hit in lessons.find_hits(found, added)
    )
    assert hits == expected


def test_hook_runs_on_a_bare_interpreter(git_repo: Path) -> None:
    """`python -S` has no site-packages: what any python3 on PATH offers."""
    write_lessons(git_repo, [guard("eval\\(", insight="never eval input")])
    stage(git_repo, "a.py", "eval(x)\n")
    hook = ROOT / "hooks" / "factory_lessons.py"
    done = subprocess.run([sys.executable, "-S", str(hook)], cwd=git_repo, capture_output=True,
                          text=True)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "a.py:1: error: never eval input" in done.stdout
    # Without google-re2 the patterns run on Python's re, under the hook's time cap.
    assert "google-re2 is not importable" in done.stderr
