"""`factory memory ...` as a user runs it, through click's CliRunner."""

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from pipeline.cli import main
from pipeline.memory.lesson import LESSONS_FILE


def factory(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["memory", *args], input=stdin, catch_exceptions=False)


def add(repo: Path, trigger: str, insight: str, *extra: str) -> str:
    result = factory("add", "--repo", str(repo), "--json", "--kind", "fix", "--trigger", trigger,
                     "--insight", insight, *extra)
    assert result.exit_code == 0, result.output
    return str(json.loads(result.output)["added"][0])


def test_add_search_list_show_forget(repo: Path) -> None:
    lesson_id = add(repo, "SQLite database is locked", "Use WAL mode", "--tag", "sqlite",
                    "--path", "pipeline/forge/local.py")
    add(repo, "Model API rate limits", "Back off exponentially")
    again = factory("add", "--repo", str(repo), "--kind", "fix", "--trigger",
                    "SQLite database is locked", "--insight", "Use WAL mode")
    assert again.exit_code == 0 and "already known" in again.output

    found = factory("search", "database locked", "--repo", str(repo))
    assert found.exit_code == 0
    score, shown_id = found.output.split()[:2]
    assert float(score) > 0 and shown_id == lesson_id
    as_json = json.loads(factory("search", "database locked", "--repo", str(repo),
                                 "--json").output)
    assert as_json[0]["lesson"]["id"] == lesson_id and as_json[0]["score"] > 0

    assert len(json.loads(factory("list", "--repo", str(repo), "--json").output)) == 2
    assert factory("list", "--repo", str(repo), "--tag", "sqlite").output.startswith(lesson_id)
    shown = json.loads(factory("show", lesson_id[:8], "--repo", str(repo), "--json").output)
    assert shown["insight"] == "Use WAL mode"
    assert "Use WAL mode" in factory("show", lesson_id, "--repo", str(repo)).output

    assert factory("forget", lesson_id, "--repo", str(repo), "--reason", "default now"
                   ).exit_code == 0
    assert factory("search", "database locked", "--repo", str(repo), "--json").output.strip() \
        == "[]"
    statuses = json.loads(factory("stats", "--repo", str(repo), "--json").output)["by_status"]
    assert statuses == {"active": 1, "retired": 1}


def test_unknown_id_and_bad_check_pattern_exit_2(repo: Path) -> None:
    missing = CliRunner().invoke(main, ["memory", "show", "L-nope", "--repo", str(repo)])
    assert missing.exit_code == 2
    risky = CliRunner().invoke(main, ["memory", "add", "--repo", str(repo), "--kind", "fix",
                                      "--trigger", "Some trigger", "--insight", "Some insight",
                                      "--check-pattern", r"(a)\1"])
    assert risky.exit_code == 2 and "RE2" in risky.output
    assert risky.output.strip().count("\n") == 0
    assert not (repo / LESSONS_FILE).exists()


def test_export_import_round_trip_and_rebuild(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    add(source, "Cache is stale after update", "Invalidate on write")
    add(source, "Flaky sleep in tests", "Wait on an event")
    exported = factory("export", "--repo", str(source)).output
    assert len(exported.splitlines()) == 2
    dump = tmp_path / "lessons.jsonl"
    assert factory("export", "--repo", str(source), "-o", str(dump)).exit_code == 0

    imported = json.loads(factory("import", str(dump), "--repo", str(target), "--json").output)
    assert len(imported["added"]) == 2
    assert factory("import", "-", "--repo", str(target), stdin=exported).output.startswith(
        "imported 0 new")
    assert factory("export", "--repo", str(target)).output == exported
    rebuilt = json.loads(factory("rebuild", "--repo", str(target), "--json").output)
    assert rebuilt == {"indexed": 2}


def test_bad_jsonl_exits_2_with_the_line_and_writes_nothing(tmp_path: Path, repo: Path) -> None:
    add(repo, "Cache is stale after update", "Invalidate on write")
    before = (repo / LESSONS_FILE).read_text()
    bad = tmp_path / "bad.jsonl"
    good_line = json.dumps({"kind": "fix", "trigger": "A fine trigger", "insight": "Fine"})
    bad.write_text(good_line + "\n\n" + '{"kind": "fix", "trigger": "x"\n')
    result = CliRunner().invoke(main, ["memory", "import", str(bad), "--repo", str(repo)])
    assert result.exit_code == 2
    assert f"{bad}:3:" in result.output
    assert (repo / LESSONS_FILE).read_text() == before


def test_importing_a_pattern_re2_cannot_run_exits_2(tmp_path: Path, repo: Path) -> None:
    bad = tmp_path / "lookaround.jsonl"
    bad.write_text(json.dumps({"kind": "fix", "trigger": "A fine trigger", "insight": "Fine",
                               "check": {"pattern": "foo(?=bar)"}}) + "\n")
    result = CliRunner().invoke(main, ["memory", "import", str(bad), "--repo", str(repo)])
    assert result.exit_code == 2
    assert f"{bad}:1:" in result.output and "RE2" in result.output
    assert not (repo / LESSONS_FILE).exists()


def test_importing_the_cli_module_does_not_load_qdrant() -> None:
    code = ("import sys, pipeline.commands.memory, pipeline.memory.store, pipeline.memory.prompt;"
            "print('qdrant_client' in sys.modules, 'litellm' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
