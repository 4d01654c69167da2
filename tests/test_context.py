"""Context resets through the real generator role, litellm and the stub server: the window
known (factory.yaml) or learned (the provider's refusal), old tool outputs elided first, then
a handoff note that the fresh context starts from. A context-window error never fails a role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from doubles.stub_model import StubModelServer, call, prompt_tokens
from factory_testlib import git
from reading_testlib import Reader, summary, write_parts

from pipeline.agent.exceptions import RoleFailed
from pipeline.agent.model import ModelClient
from pipeline.agent.workspace import Workspace
from pipeline.config.settings import Config
from pipeline.ledger.store import Ledger
from pipeline.roles.base import RoleContext
from pipeline.roles.generator import BuildInput, generate
from pipeline.roles.schemas import Criterion, TaskSpec

MODEL = "openai/reader"
TASK = TaskSpec(id="T1", title="summarise the notes",
                description="Write SUMMARY.md with the secret of every part under notes/.")
WINDOW = 6000


def role_context(repo: Path, **limits: object) -> RoleContext:
    config = Config.model_validate({
        "models": {"default": MODEL, "max_retries": 0},
        "pricing": {MODEL: {"input_per_mtok": 3.0, "output_per_mtok": 15.0}},
        "limits": {"max_steps": 60, **limits}})
    client = ModelClient(config, Ledger(repo.parent / "ledger.db"), run_id="r1", issue=1,
                         retry_base_s=0.01)
    return RoleContext(config, client, repo, trajectories=repo.parent / "runs" / "r1")


def generate_in(repo: Path, ctx: RoleContext) -> None:
    generate(ctx, BuildInput("Summarise the notes.", [Criterion(id="AC1", text="SUMMARY.md "
                                                                 "lists every secret")],
                             TASK, Workspace(repo)))


@pytest.fixture
def notes(git_repo: Path) -> dict[int, str]:
    secrets = write_parts(git_repo, parts=12, chars=2400)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "notes")
    return secrets


def test_a_known_window_is_never_exceeded_and_the_reset_hands_on_what_was_learned(
        stub: StubModelServer, git_repo: Path, notes: dict[int, str]) -> None:
    stub.window = WINDOW
    reader = Reader(len(notes), call("finish", summary="summarised every part"))
    stub.responder = reader
    ctx = role_context(git_repo, context_tokens=WINDOW)

    generate_in(git_repo, ctx)

    assert (git_repo / "SUMMARY.md").read_text() == summary(notes)
    sizes = [prompt_tokens(r) for r in stub.requests]
    assert max(sizes) <= WINDOW, sizes
    assert any("[elided to keep the conversation within the model's window: read_file("
               "path='notes/part-1.txt') returned" in r.text() for r in stub.requests)
    handoffs = [r for r in stub.requests if r.tool_names() == {"handoff"}]
    assert handoffs and reader.handoffs, str(sizes)
    fresh = [r for r in stub.requests if "<handoff-note>" in r.messages[1]["content"]]
    assert reader.handoffs[0] in fresh[0].messages[1]["content"]
    assert "$ git status --short" in fresh[0].messages[1]["content"]
    assert "Write SUMMARY.md with the secret of every part" in fresh[0].messages[1]["content"]
    assert len(fresh[0].messages) == 2, "the fresh context carries no old tool output"
    kept = sorted((git_repo.parent / "runs" / "r1" / "handoffs").iterdir())
    assert kept[0].name == "generator-T1-context-1.md"
    assert reader.handoffs[0] in kept[0].read_text()
    events = Ledger(git_repo.parent / "ledger.db").events(kind="reset")
    assert len(events) == len(handoffs) and events[0].task == "T1"
    trajectory = json.loads((git_repo.parent / "runs" / "r1" / "generator-T1.json").read_text())
    assert next(m for m in trajectory if m["role"] == "factory")["handoff"] == reader.handoffs[0]


def test_a_window_learned_from_the_providers_refusal_is_not_exceeded_again(
        stub: StubModelServer, git_repo: Path, notes: dict[int, str]) -> None:
    stub.window = WINDOW  # the factory does not know it: litellm has no figure for the model
    stub.responder = Reader(len(notes), call("finish", summary="summarised every part"))

    generate_in(git_repo, role_context(git_repo))

    assert (git_repo / "SUMMARY.md").read_text() == summary(notes)
    sizes = [prompt_tokens(r) for r in stub.requests]
    refused = [i for i, size in enumerate(sizes) if size > WINDOW]
    assert len(refused) == 1, sizes
    assert max(sizes[refused[0] + 1:]) <= WINDOW
    assert any(r.tool_names() == {"handoff"} for r in stub.requests[refused[0] + 1:])
    ledger = Ledger(git_repo.parent / "ledger.db")
    assert ledger.totals().failed == 0, "a context-window refusal is not a failed call"


def test_the_error_code_alone_is_recognised(stub: StubModelServer, git_repo: Path,
                                            notes: dict[int, str]) -> None:
    stub.window, stub.window_names_sizes = WINDOW, False
    stub.responder = Reader(len(notes), call("finish", summary="summarised every part"))

    generate_in(git_repo, role_context(git_repo))

    assert (git_repo / "SUMMARY.md").read_text() == summary(notes)
    sizes = [prompt_tokens(r) for r in stub.requests]
    refused = [i for i, size in enumerate(sizes) if size > WINDOW]
    assert refused and max(sizes[refused[-1] + 1:]) <= WINDOW


def test_an_opening_prompt_larger_than_the_window_fails_with_the_fix(
        stub: StubModelServer, git_repo: Path) -> None:
    stub.window = 600
    stub.responder = Reader(1, call("finish", summary="never reached"))
    with pytest.raises(RoleFailed, match=r"opening prompt alone does not fit.*limits.context_tokens"):
        generate_in(git_repo, role_context(git_repo))
    assert len(stub.requests) == 1
