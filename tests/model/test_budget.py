"""Budget caps: per run, per issue, per UTC day, and prompts too big for what is left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from doubles.stub_model import Reply, StubModelServer

from pipeline.core.errors import BudgetExceeded
from pipeline.ledger.store import Call, Ledger

Messages = list[dict[str, Any]]
# 1,000 output tokens at $150/Mtok: every scripted call costs about $0.15 (its prompt, tiny).
PRICED = {"openai/planner-model": {"input_per_mtok": 1.0, "output_per_mtok": 150.0}}
EXPENSIVE_OUTPUT = {"prompt_tokens": 50, "completion_tokens": 1000}


def _replies(count: int) -> list[Reply]:
    return [Reply(content=f"answer {n}", usage=EXPENSIVE_OUTPUT) for n in range(count)]


def test_run_stops_at_exactly_the_call_that_crosses_the_cap(
    client: Any,
    make_config: Any,
    stub: StubModelServer,
    ledger: Ledger,
    messages: Messages,
    tools: Messages,
) -> None:
    model = client(make_config(pricing=PRICED), budget_usd=0.40)
    stub.queue("planner-model", _replies(5))
    for _ in range(3):  # $0.15, $0.30, then $0.45: the third crosses the cap and still counts
        model.complete(role="generator", messages=messages, tools=tools)
    with pytest.raises(BudgetExceeded) as raised:
        model.complete(role="generator", messages=messages, tools=tools)
    message = raised.value.format_message()
    assert "run cap of $0.40" in message and "\n" not in message
    assert len(stub.requests) == 3
    assert ledger.run_totals("run-1").calls == 3
    assert model.spent() == pytest.approx(3 * (50 * 1.0 + 1000 * 150.0) / 1e6)
    assert raised.value.exit_code == 1


def test_per_job_budget_from_config(
    client: Any, make_config: Any, stub: StubModelServer, messages: Messages, tools: Messages
) -> None:
    config = make_config(pricing=PRICED, budget={"per_job_usd": 0.1})
    stub.queue("planner-model", _replies(2))
    model = client(config)
    model.complete(role="planner", messages=messages, tools=tools)
    with pytest.raises(BudgetExceeded, match="run cap"):
        model.complete(role="planner", messages=messages, tools=tools)


def test_issue_cap_counts_earlier_runs(
    client: Any,
    make_config: Any,
    stub: StubModelServer,
    ledger: Ledger,
    messages: Messages,
    tools: Messages,
) -> None:
    ledger.record(Call(run_id="earlier", issue=7, role="generator", model="x", cost_usd=0.95))
    config = make_config(pricing=PRICED, budget={"per_issue_usd": 1.0})
    stub.queue("planner-model", _replies(2))
    model = client(config, issue=7)
    model.complete(role="generator", messages=messages, tools=tools)
    with pytest.raises(BudgetExceeded, match=r"issue #7 cap of \$1\.00"):
        model.complete(role="generator", messages=messages, tools=tools)
    # another issue is not held back by issue 7's spending
    client(config, issue=8, run_id="run-2").complete(
        role="generator", messages=messages, tools=tools
    )


def test_day_cap_counts_only_today(
    client: Any,
    make_config: Any,
    stub: StubModelServer,
    ledger: Ledger,
    messages: Messages,
    tools: Messages,
) -> None:
    yesterday = datetime.now(UTC) - timedelta(days=1)
    ledger.record(Call(run_id="old", role="planner", model="x", cost_usd=50.0, ts=yesterday))
    ledger.record(Call(run_id="other", role="planner", model="x", cost_usd=0.9))
    config = make_config(pricing=PRICED, budget={"per_day_usd": 1.0})
    stub.queue("planner-model", _replies(2))
    model = client(config)
    model.complete(role="planner", messages=messages, tools=tools)
    with pytest.raises(BudgetExceeded, match="UTC day cap"):
        model.complete(role="planner", messages=messages, tools=tools)


def test_a_prompt_that_alone_would_cross_the_budget_is_refused(
    client: Any,
    make_config: Any,
    stub: StubModelServer,
    ledger: Ledger,
    tools: Messages,
) -> None:
    pricey_input = {"openai/planner-model": {"input_per_mtok": 1000.0, "output_per_mtok": 1.0}}
    model = client(make_config(pricing=pricey_input), budget_usd=0.05)
    long_prompt = [{"role": "user", "content": "word " * 20_000}]
    with pytest.raises(BudgetExceeded, match="the next prompt"):
        model.complete(role="planner", messages=long_prompt, tools=tools)
    assert stub.requests == []
    assert ledger.calls() == []


def test_no_caps_means_no_refusals(
    client: Any, make_config: Any, stub: StubModelServer, messages: Messages, tools: Messages
) -> None:
    stub.queue("planner-model", _replies(3))
    model = client(make_config(pricing=PRICED))
    for _ in range(3):
        model.complete(role="planner", messages=messages, tools=tools)
    assert model.budget.remaining() is None
