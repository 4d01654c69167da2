"""The agent loop against litellm and the stub server: protocol errors, limits, trajectories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from doubles.stub_model import Reply, StubModelServer, ToolCall, call
from pydantic import BaseModel

from pipeline.agent.exceptions import LimitsExceeded, RoleFailed
from pipeline.agent.loop import Agent
from pipeline.agent.model import ModelClient
from pipeline.agent.tools import Tool, Toolbox, finishing_tool
from pipeline.config.settings import Config, Models
from pipeline.ledger.store import Ledger
from pipeline.roles.schemas import Finish


class Echo(BaseModel):
    text: str


def agent(tmp_path: Path, *, max_steps: int = 10, output_limit: int = 12_000) -> Agent:
    config = Config(models=Models(default="openai/loop", max_retries=0))
    client = ModelClient(config, Ledger(tmp_path / "ledger.db"), run_id="r1")
    tools = [Tool("echo", "Echo text back.", Echo, lambda a: a.text * 1),
             finishing_tool("finish", "Done.", Finish)]
    return Agent(client, Toolbox(tools, output_limit), role="generator", finish="finish",
                 max_steps=max_steps, format_retries=2, trajectory=tmp_path / "t.json")


def test_finishes_with_validated_arguments(stub: StubModelServer, tmp_path: Path) -> None:
    stub.queue("loop", [call("echo", text="hi"), call("finish", summary="all done")])
    result = agent(tmp_path).run("system", "user")
    assert result == Finish(summary="all done")
    assert stub.requests[1].tool_results() == ["hi"]


def test_schema_error_is_shown_then_corrected(stub: StubModelServer, tmp_path: Path) -> None:
    stub.queue("loop", [call("finish", summary=""), call("finish", summary="fixed it")])
    assert agent(tmp_path).run("s", "u").summary == "fixed it"
    assert "summary: String should have at least 3 characters" in stub.requests[1].tool_results()[0]


def test_three_protocol_errors_fail_the_role(stub: StubModelServer, tmp_path: Path) -> None:
    stub.queue("loop", [Reply(content="I'm done!"),
                        call("nonexistent_tool"),
                        Reply(tool_calls=[ToolCall("finish")], raw_arguments='{"summary": ')])
    with pytest.raises(RoleFailed, match="broke the protocol 3 times"):
        agent(tmp_path).run("s", "u")
    saved = json.loads((tmp_path / "t.json").read_text())
    assert saved[0] == {"role": "system", "content": "s"} and len(saved) >= 6


def test_only_protocol_errors_in_a_row_fail_the_role(stub: StubModelServer, tmp_path: Path) -> None:
    stub.queue("loop", [Reply(content="thinking aloud"), call("echo", text="ok"),
                        call("echo", wrong="arg"), call("echo", text="ok"),
                        call("unknown_tool"), call("finish", summary="done after all")])
    assert agent(tmp_path).run("s", "u").summary == "done after all"


def test_step_limit(stub: StubModelServer, tmp_path: Path) -> None:
    stub.queue("loop", [call("echo", text="again")] * 3)
    with pytest.raises(LimitsExceeded, match="all 3 steps"):
        agent(tmp_path, max_steps=3).run("s", "u")


def test_long_tool_output_is_cut_with_a_note(stub: StubModelServer, tmp_path: Path) -> None:
    stub.queue("loop", [call("echo", text="x" * 5000), call("finish", summary="done now")])
    agent(tmp_path, output_limit=1000).run("s", "u")
    [shown] = stub.requests[1].tool_results()
    assert len(shown) < 1200 and "characters cut from the middle" in shown


def test_two_finishing_calls_are_never_accepted_in_part(stub: StubModelServer,
                                                        tmp_path: Path) -> None:
    two = call("finish", summary="first verdict")
    two.tool_calls.append(call("finish", summary="second verdict").tool_calls[0])
    stub.queue("loop", [two, call("finish", summary="one verdict")])

    assert agent(tmp_path).run("s", "u").summary == "one verdict"
    results = stub.requests[1].tool_results()
    assert len(results) == 2 and all("calls finish 2 times" in r for r in results)


def test_a_finishing_call_must_come_last(stub: StubModelServer, tmp_path: Path) -> None:
    early = call("finish", summary="done early")
    early.tool_calls.append(call("echo", text="after the end").tool_calls[0])
    stub.queue("loop", [early, early, early])

    with pytest.raises(RoleFailed, match="must be the last call"):
        agent(tmp_path).run("s", "u")
    assert "after the end" not in "".join(stub.requests[1].tool_results())
