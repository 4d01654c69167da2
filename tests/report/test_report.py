"""`factory report`: a self-contained HTML page of an issue or a period, from a seeded forge and
ledger; opened in headless Debian chromium with no console errors and no network."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from browser_testlib import needs_browser, open_page
from click.testing import CliRunner
from factory_testlib import git
from observe_testlib import hours_ago, now, seed_call, seed_issue, write_lessons

from pipeline.cli import main
from pipeline.forge.local import LocalForge
from pipeline.forge.types import InlineComment
from pipeline.ledger.store import Ledger
from pipeline.memory.lesson import LESSONS_FILE, read_file
from pipeline.steps.setup import prepare_factory_dir


def seeded(repo: Path) -> int:
    """One issue taken through every phase, with a review finding, evaluations and a lesson."""
    prepare_factory_dir(repo)
    write_lessons(repo, now().isoformat())
    lesson = read_file(repo / LESSONS_FILE)[0].id
    forge, ledger = LocalForge(repo / ".factory" / "forge.db"), Ledger.for_repo(repo)
    pr = forge.open_pr("factory/issue-1", "main", "factory: subtract", "spec", draft=True)
    state = seed_issue(forge, "Add subtract <script>alert(1)</script>", "done",
                       base_commit=git(repo, "rev-parse", "HEAD"), task_status="passed",
                       pr=pr.number)
    forge.post_review(pr.number, None, "Review of A1: **changes**", "changes",
                      [InlineComment("calc/subtract.py", 2, "**major**: no test for negatives\n\n"
                                                            "Add one.")])
    forge.post_review(pr.number, None, "Review of A1: **approve**", "approve")
    forge.post_comment(pr.number, "**Evaluation of task A1: fail** (tests exit 1)")
    forge.post_comment(pr.number, "**Evaluation of task A1: pass** (tests exit 0)")
    start, run = hours_ago(2), "run-report1"
    for minute, role, cost in ((0, "planner", 0.02), (3, "generator", 0.05), (9, "reviewer", 0.01),
                               (10, "generator", 0.04), (14, "reviewer", 0.01),
                               (16, "evaluator", 0.02)):
        seed_call(ledger, state.issue, at=start + timedelta(minutes=minute), cost=cost,
                  role=role, run_id=run, model="openai/judge" if role == "reviewer" else "openai/scripted")
    seed_call(ledger, state.issue, at=start + timedelta(minutes=12), cost=0.0, role="generator",
              run_id=run, ok=False, error="Timeout: the model took too long")
    seed_call(ledger, None, at=hours_ago(72), cost=0.3, role="learner", run_id="run-old")
    ledger.record_lesson_used(run, "generator", "A1", lesson)
    return state.issue


def report(repo: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["report", "--repo", str(repo), "--out", "-", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_issue_report_has_every_section(sample_repo: Path) -> None:
    issue = seeded(sample_repo)

    page = report(sample_repo, "--issue", str(issue))

    assert f"Dark Factory report — issue #{issue}" in page
    assert page.count('class="phase-') >= 6  # spans of the timeline
    for text in ("planning", "building", "review", "evaluating", "openai/judge", "$0.1500",
                 "no test for negatives", "calc/subtract.py:2", "sev-major",
                 "give it its own module", "Timeout: the model took too long", "1 / 2"):
        assert text in page, text
    assert "run-old" not in page and "learner" not in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page


def test_report_is_self_contained(sample_repo: Path) -> None:
    seeded(sample_repo)
    page = report(sample_repo)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page


def test_since_limits_the_period_and_default_file(sample_repo: Path) -> None:
    seeded(sample_repo)
    day = (now() - timedelta(days=1)).date().isoformat()

    result = CliRunner().invoke(main, ["report", "--repo", str(sample_repo), "--since", day])

    assert result.exit_code == 0, result.output
    written = Path(result.output.strip())
    assert written == sample_repo / ".factory" / "reports" / f"since-{day}.html"
    page = written.read_text()
    assert f"since {day}" in page and "run-old" not in page
    assert "run-old" in report(sample_repo)


@pytest.mark.parametrize(("args", "message"), [
    (["--issue", "1", "--since", "2026-01-01"], "not both"),
    (["--since", "yesterday"], "YYYY-MM-DD"),
    (["--issue", "42"], "not a factory issue"),
])
def test_bad_input_exits_2(sample_repo: Path, args: list[str], message: str) -> None:
    seeded(sample_repo)
    result = CliRunner().invoke(main, ["report", "--repo", str(sample_repo), *args])
    assert result.exit_code == 2 and message in result.output


@needs_browser
def test_report_opens_offline_in_chromium_without_errors(sample_repo: Path,
                                                         tmp_path: Path) -> None:
    issue = seeded(sample_repo)
    page, shot = tmp_path / "report.html", tmp_path / "report.png"
    result = CliRunner().invoke(main, ["report", "--repo", str(sample_repo),
                                       "--issue", str(issue), "--out", str(page)])
    assert result.exit_code == 0, result.output

    seen = open_page(page, shot)

    assert seen["pageErrors"] == []
    assert [m for m in seen["console"] if m["type"] in ("error", "warning")] == []
    assert seen["blocked"] == []
    assert seen["title"] == f"Dark Factory report — issue #{issue}"
    assert seen["svgs"] >= 3 and "Review findings" in seen["text"]
    assert shot.stat().st_size > 10_000
