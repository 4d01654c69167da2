"""The generator's commit path runs the repository's pre-commit hooks; a failure is feedback."""

from __future__ import annotations

from pathlib import Path

from doubles.stub_model import StubModelServer
from factory_testlib import git
from test_run_e2e import BRIEF, SUBTRACT, TEST_SUBTRACT, calc_scripts, generator, run_factory

from pipeline.demo.scripted import ScriptedModel
from pipeline.forge.local import LocalForge
from pipeline.steps.state import load

NO_TODO_HOOK = """repos:
  - repo: local
    hooks:
      - id: no-todo
        name: no TODO left behind
        entry: bash -c 'if grep -n TODO "$@"; then echo "remove the TODOs"; exit 1; fi' --
        language: unsupported
        types: [python]
"""


def test_failing_hook_goes_back_to_the_generator(stub: StubModelServer, sample_repo: Path) -> None:
    (sample_repo / ".pre-commit-config.yaml").write_text(NO_TODO_HOOK)
    git(sample_repo, "add", "-A")
    git(sample_repo, "commit", "-qm", "hooks")
    scripts = calc_scripts()
    sloppy = SUBTRACT + "# TODO: handle floats\n"
    scripts[("generator", "T1", 1)] = generator("subtract", sloppy, TEST_SUBTRACT)
    scripts[("generator", "T1", 2)] = generator("subtract", SUBTRACT, TEST_SUBTRACT)
    stub.responder = ScriptedModel(scripts)

    result = run_factory(sample_repo, BRIEF)

    assert result.exit_code == 0, result.output
    state = load(LocalForge(sample_repo / ".factory" / "forge.db"), 1)
    assert state is not None and state.tasks["T1"].rounds == 2, result.output
    assert state.tasks["T2"].rounds == 1
    second_round = [r for r in stub.requests if "pre-commit hooks failed" in r.text()]
    assert second_round and "calc/subtract.py:3:# TODO: handle floats" in second_round[0].text()
    assert "TODO" not in (sample_repo / "calc" / "subtract.py").read_text()
