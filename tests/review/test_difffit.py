"""Fitting a diff to a context: what is shown, left out and omitted, and in which order."""

from __future__ import annotations

from pathlib import Path

from factory_testlib import git

from pipeline.review.difffit import (
    DEFAULT_CONTEXT_TOKENS,
    context_tokens,
    diff_budget,
    estimate_tokens,
    fit_diff,
    rank,
)


def change(repo: Path, files: dict[str, str | bytes | None]) -> str:
    for path, content in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            target.unlink()
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    git(repo, "add", "-A")
    return git(repo, "diff", "--cached") + "\n"


def test_deletions_deleted_and_binary_files_are_omitted_and_listed(git_repo: Path) -> None:
    lines = "".join(f"line {n}\n" for n in range(30))
    change(git_repo, {"a.py": lines, "gone.py": "x = 1\n", "img.bin": b"\x00\x01"})
    git(git_repo, "commit", "-qm", "base")
    edited = lines.replace("line 3\n", "line three\n").replace("line 20\nline 21\n", "")
    diff = change(git_repo, {"a.py": edited, "gone.py": None, "img.bin": b"\x00\x02"})

    fitted = fit_diff(diff, 10_000)

    assert fitted.shown == ("a.py",) and fitted.left_out == ()
    assert "+line three" in fitted.text and "-line 20" not in fitted.text
    assert set(fitted.omitted) == {"img.bin: binary file changed",
                                   "a.py: deletion-only hunk omitted (old lines 21-22 removed)",
                                   "gone.py: file deleted (1 lines)"}
    assert fitted.accounted() == {"a.py", "gone.py", "img.bin"}


def test_files_are_ranked_task_first_then_source_tests_docs_generated(git_repo: Path) -> None:
    files: dict[str, str | bytes | None] = {
        "package-lock.json": "{}\n" * 5, "docs/guide.md": "# guide\n",
        "tests/test_core.py": "def test_x() -> None:\n    pass\n",
        "core/big.py": "x = 1\n" * 50, "core/small.py": "y = 2\n", "core/task.py": "z = 3\n" * 80}
    diff = change(git_repo, files)
    order = ["core/task.py", "core/small.py", "core/big.py", "tests/test_core.py",
             "docs/guide.md", "package-lock.json"]

    fitted = fit_diff(diff, 10_000, focus_paths=["core/task.py"])
    budget = estimate_tokens(fit_diff(diff, 10_000, ["core/task.py"]).text) - 40
    tight = fit_diff(diff, budget, focus_paths=["core/task.py"])

    assert list(fitted.shown) == order
    assert tight.left_out == ("package-lock.json",) and list(tight.shown) == order[:-1]
    assert [rank(p) for p in order] == [0, 0, 0, 1, 2, 3]
    assert rank("vendor/lib/x.py") == 3 and rank("web/app.min.js") == 3


def test_the_budget_leaves_room_for_the_prompt_the_answer_and_tool_reads() -> None:
    assert context_tokens("openai/no-such-model-anywhere") == DEFAULT_CONTEXT_TOKENS
    assert context_tokens("openai/gpt-4o") == 128_000
    assert diff_budget(128_000, 2_000) == 64_000
    assert diff_budget(8_000, 3_000) == 8_000 - 3_000 - 1_500 - 2_000
    assert diff_budget(1_000, 5_000) == 0


def test_a_diff_unidiff_cannot_parse_is_shown_whole_or_not_at_all() -> None:
    garbage = "@@ this is not a diff @@\n+++\n"
    assert fit_diff(garbage, 1_000).text in ("", garbage)
