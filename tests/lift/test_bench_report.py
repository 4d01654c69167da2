"""`factory report` draws the bench history: pass rate per bench and mode, with intervals."""

from __future__ import annotations

import re
from pathlib import Path

from browser_testlib import needs_browser, open_page
from click.testing import CliRunner
from lift_testlib import result

from pipeline.cli import main
from pipeline.observe.bench import HISTORY_FILE, append


def seed_history(repo: Path) -> None:
    for task, factory, single in (("a", True, False), ("b", True, True), ("c", False, False)):
        append(repo / HISTORY_FILE, result(task, "factory", factory, 0.4))
        append(repo / HISTORY_FILE, result(task, "single", single, 0.1))
    later = dict(bench="b2", started="2026-03-01T10:00:00+00:00", model="openai/qwen<b>")
    append(repo / HISTORY_FILE, result("a", "factory", True, 0.2, **later))
    with (repo / HISTORY_FILE).open("a") as handle:
        handle.write('{"not": "a result"}\n')


def report(repo: Path, *args: str) -> str:
    done = CliRunner().invoke(main, ["report", "--repo", str(repo), "--out", "-", *args])
    assert done.exit_code == 0, done.output
    return done.stdout


def test_report_charts_every_bench_with_its_intervals(sample_repo: Path) -> None:
    seed_history(sample_repo)

    page = report(sample_repo)

    section = page[page.index("Bench: the factory against a single agent"):]
    assert len(re.findall(r'<rect class="mode-factory"', section)) == 2
    assert len(re.findall(r'<rect class="mode-single"', section)) == 1
    assert len(re.findall(r'class="whisker"', section)) == 3
    for text in ("2/3 (21–94%), $1.2000", "1/3 (6–79%), $0.3000", "+33", "4.00",
                 "2026-01-02", "openai/qwen&lt;b&gt;", "Wilson score interval, 95%",
                 "history.jsonl:8: not a bench result; skipped"):
        assert text in page, text
    assert "openai/qwen<b>" not in page
    later = report(sample_repo, "--since", "2026-02-01")
    assert "2026-03-01" in later and "2026-01-02" not in later


def test_no_history_no_bench_section(sample_repo: Path) -> None:
    assert "Bench: the factory" not in report(sample_repo)


@needs_browser
def test_the_bench_chart_opens_offline_without_errors(sample_repo: Path, tmp_path: Path) -> None:
    seed_history(sample_repo)
    page, shot = tmp_path / "report.html", tmp_path / "report.png"
    done = CliRunner().invoke(main, ["report", "--repo", str(sample_repo), "--out", str(page)])
    assert done.exit_code == 0, done.output

    seen = open_page(page, shot)

    assert seen["pageErrors"] == [] and seen["blocked"] == []
    assert [m for m in seen["console"] if m["type"] in ("error", "warning")] == []
    assert "Bench: the factory against a single agent" in seen["text"]
