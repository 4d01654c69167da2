"""`factory run` on a task that needs far more reading than the model's window holds: the
generator hands off across context resets and the run finishes. The window is known
(factory.yaml) or learned from the provider's refusal; either way no request exceeds it after
the factory knows it. Resets show in the ledger, `factory status` and the tracking comment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from doubles.stub_model import ChatRequest, Reply, StubModelServer, call, prompt_tokens
from factory_testlib import factory_yaml, git
from reading_testlib import Reader, summary, write_parts

from pipeline.cli import main
from pipeline.demo.scripted import ScriptedModel
from pipeline.forge.local import LocalForge
from pipeline.ledger.store import Ledger
from pipeline.steps.state import load

WINDOW = 6000
PARTS = 24
CHECK = "cat SUMMARY.md"


def scripts() -> dict[tuple[object, ...], list[Reply]]:
    plan = call("submit_plan", spec="Summarise the notes: SUMMARY.md lists each part's secret.",
                acceptance_criteria=[{"id": "AC1", "text": "SUMMARY.md lists the secret of "
                                                            "every part under notes/"}],
                tasks=[{"id": "T1", "title": "summarise the notes",
                        "description": "Read every notes/part-N.txt; write SUMMARY.md.",
                        "criteria": ["AC1"], "checks": ["SUMMARY.md has one line per part"]}])
    judged = [call("run", command=CHECK), call("submit_evaluation", verdict="pass", criteria=[
        {"id": "AC1", "met": True, "evidence": "SUMMARY.md lists every part"},
        {"id": "T1-check1", "met": True, "evidence": "one line per part"}])]
    return {("planner",): [plan],
            ("reviewer", "T1"): [call("submit_review", verdict="approve", findings=[])],
            ("evaluator", "T1"): judged,
            ("evaluator", None): [call("run", command=CHECK), call(
                "submit_evaluation", verdict="pass",
                criteria=[{"id": "AC1", "met": True, "evidence": "every part is listed"}])],
            ("learner",): [call("submit_lessons", lessons=[])]}


class LongTaskModel:
    """The generator reads (reading_testlib.Reader); every other role follows its script."""

    def __init__(self) -> None:
        self.reader = Reader(PARTS, call("finish", summary="SUMMARY.md lists every secret"))
        self.others = ScriptedModel(scripts())

    def __call__(self, request: ChatRequest) -> Reply:
        if "You are the generator" in request.system_text():
            return self.reader(request)
        return self.others(request)


@pytest.fixture
def long_repo(sample_repo: Path) -> tuple[Path, dict[int, str]]:
    secrets = write_parts(sample_repo, PARTS, chars=2400)
    git(sample_repo, "add", "-A")
    git(sample_repo, "commit", "-qm", "notes")
    return sample_repo, secrets


@pytest.mark.parametrize("known", [True, False], ids=["window-in-config", "window-learned"])
def test_a_task_larger_than_the_window_finishes_across_handoffs(
        stub: StubModelServer, long_repo: tuple[Path, dict[int, str]], known: bool) -> None:
    repo, secrets = long_repo
    limits = {"eval_rounds": 1, "workers": 1, "max_steps": 60,
              **({"context_tokens": WINDOW} if known else {})}
    (repo / "factory.yaml").write_text(factory_yaml(limits=limits))
    git(repo, "commit", "-qam", "window")
    model = LongTaskModel()
    stub.responder, stub.window = model, WINDOW

    result = CliRunner().invoke(main, ["run", "--repo", str(repo), "--yes",
                                       "Summarise the notes into SUMMARY.md"])

    assert result.exit_code == 0, result.output
    assert (repo / "SUMMARY.md").read_text() == summary(secrets)
    reading = sum(len((repo / "notes" / f"part-{n}.txt").read_text()) for n in secrets)
    assert reading // 4 > 2 * WINDOW, "the task needs far more reading than the window holds"
    sizes = [prompt_tokens(r) for r in stub.requests]
    refused = [i for i, size in enumerate(sizes) if size > WINDOW]
    assert refused == [] if known else len(refused) == 1, sizes
    assert model.reader.handoffs, "at least one handoff"

    ledger = Ledger.for_repo(repo)
    resets = ledger.events(kind="reset")
    assert len(resets) == len(model.reader.handoffs) and resets[0].role == "generator"
    notes = sorted((repo / ".factory" / "runs").glob("*/handoffs/generator-T1-context-*.md"))
    assert model.reader.handoffs[0] in notes[0].read_text()

    state = load(LocalForge(repo / ".factory" / "forge.db"), 1)
    assert state is not None and state.tasks["T1"].resets == len(resets)
    comment = LocalForge(repo / ".factory" / "forge.db").comments(1)[0].body
    assert f"{len(resets)} context reset" in comment
    status = CliRunner().invoke(main, ["status", "--json", "--repo", str(repo)])
    row = json.loads(status.output)["issues"][0]
    assert row["resets"] == len(resets) and row["tasks"]["T1"]["resets"] == len(resets)
