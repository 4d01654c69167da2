"""A model with no known price would cost $0 and switch every USD budget off: the factory
refuses it before anything runs, unless `budget.per_issue_tokens` caps every model's tokens,
which then holds like the USD caps do (through the ledger)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from doubles.stub_model import StubModelServer
from factory_testlib import factory_yaml, git
from test_run_e2e import BRIEF, calc_scripts

from pipeline.agent.pricing import known
from pipeline.cli import main
from pipeline.config.settings import Price
from pipeline.demo.scripted import ScriptedModel
from pipeline.forge.local import LocalForge
from pipeline.ledger.store import Ledger

UNPRICED = "openai/house-model"


def configure(repo: Path, **changes: object) -> None:
    config = yaml.safe_load(factory_yaml())
    config["models"]["default"] = UNPRICED
    config.pop("pricing")
    for key, value in changes.items():
        config[key] = value
    (repo / "factory.yaml").write_text(yaml.safe_dump(config))
    git(repo, "commit", "-qam", "an unpriced model")


def test_known_prices() -> None:
    assert known("anthropic/claude-sonnet-4-5", {})
    assert not known(UNPRICED, {})
    assert known(UNPRICED, {UNPRICED: Price(input_per_mtok=0, output_per_mtok=0)})


@pytest.mark.parametrize("command", [["run", BRIEF, "--yes"], ["plan", "1"]])
def test_an_unpriced_model_is_refused_before_anything_runs(
        stub: StubModelServer, sample_repo: Path, command: list[str]) -> None:
    configure(sample_repo)

    result = CliRunner().invoke(main, [*command, "--repo", str(sample_repo)])

    assert result.exit_code == 2
    message = result.output.strip()
    assert "\n" not in message
    assert f"no price known for {UNPRICED}" in message
    assert "pricing:" in message and "budget.per_issue_tokens" in message
    assert stub.requests == [] and not (sample_repo / ".factory").exists()


def test_an_unpriced_fallback_is_refused_too(stub: StubModelServer, sample_repo: Path) -> None:
    config = yaml.safe_load(factory_yaml())
    config["models"]["fallbacks"] = {"generator": [UNPRICED]}
    (sample_repo / "factory.yaml").write_text(yaml.safe_dump(config))
    git(sample_repo, "commit", "-qam", "an unpriced fallback")

    result = CliRunner().invoke(main, ["run", BRIEF, "--yes", "--repo", str(sample_repo)])

    assert result.exit_code == 2 and f"no price known for {UNPRICED}" in result.output


def test_a_token_budget_lets_it_run_and_holds(stub: StubModelServer, sample_repo: Path) -> None:
    configure(sample_repo, budget={"per_issue_tokens": 4000})
    stub.responder = ScriptedModel(calc_scripts())

    result = CliRunner().invoke(main, ["run", BRIEF, "--yes", "--repo", str(sample_repo)])

    assert result.exit_code == 1, result.output
    assert "the issue #1 cap of 4000 tokens" in result.output
    used = Ledger.for_repo(sample_repo).issue_totals(1)
    assert used.calls == len(stub.requests) > 0 and used.cost_usd == 0  # counted in tokens
    assert not (sample_repo / "calc" / "multiply.py").exists()
    issue = LocalForge(sample_repo / ".factory" / "forge.db").get_issue(1)
    assert "factory:blocked" in issue.labels
