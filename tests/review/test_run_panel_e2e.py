"""`factory run` with a three-model panel: agreement sends a task back, a failed reviewer is
reported but the quorum still holds, and every review lands once on the PR."""

from __future__ import annotations

from pathlib import Path

from doubles.stub_model import ChatRequest, Reply, StubModelServer
from factory_testlib import TEST_MODEL, factory_yaml, git
from review_testlib import finding, review
from test_run_e2e import BRIEF, MULTIPLY, SUBTRACT, calc_scripts, generator, run_factory

from pipeline.demo.scripted import ScriptedModel, role_of, task_of
from pipeline.forge.local import LocalForge
from pipeline.ledger.store import Ledger

PANEL = ["rev-anthropic", "rev-openai", "rev-gemini"]
UNTYPED = "def subtract(a, b):\n    return a - b\n"
HINTS_A = finding("calc/subtract.py", 1, "major", "subtract() has no type hints",
                  "The package is typed: annotate a, b and the return value as int.")
HINTS_B = finding("calc/subtract.py", 1, "major", "Missing type hints on subtract",
                  "Add int annotations to the parameters and the return type.")


class Panel:
    def __init__(self, scripted: ScriptedModel) -> None:
        self.scripted = scripted

    def __call__(self, request: ChatRequest) -> Reply:
        if role_of(request) != "reviewer":
            return self.scripted(request)
        if request.model == "rev-gemini":
            return Reply(content="")  # never a valid review
        diff = request.messages[1]["content"]
        if task_of(request) == "T1" and "+def subtract(a, b):" in diff:
            return review(HINTS_A if request.model == "rev-anthropic" else HINTS_B)
        return review()


def test_factory_run_with_a_three_model_panel(stub: StubModelServer, sample_repo: Path) -> None:
    reviewers = [{"model": f"openai/{name}", "focus": focus}
                 for name, focus in zip(PANEL, ("correctness", "security", "tests"), strict=True)]
    models = {"default": TEST_MODEL, "max_retries": 2, "request_timeout_s": 20,
              "reviewers": reviewers}
    prices = {m: {"input_per_mtok": 3.0, "output_per_mtok": 15.0}
              for m in [TEST_MODEL, *(r["model"] for r in reviewers)]}
    (sample_repo / "factory.yaml").write_text(factory_yaml(
        models=models, pricing=prices, limits={"eval_rounds": 2, "workers": 2, "quorum": 2}))
    git(sample_repo, "commit", "-qam", "a panel of three")
    scripts = calc_scripts()
    test_subtract = str(generator("subtract", SUBTRACT, "")[1].tool_calls[0].arguments["content"])
    scripts[("generator", "T1", 1)] = generator("subtract", UNTYPED, test_subtract)
    scripts[("generator", "T1", 2)] = generator("subtract", SUBTRACT, test_subtract)
    del scripts[("generator", "T1")]
    stub.responder = Panel(ScriptedModel(scripts))

    result = run_factory(sample_repo, BRIEF)

    assert result.exit_code == 0, result.output
    assert (sample_repo / "calc" / "subtract.py").read_text() == SUBTRACT
    assert (sample_repo / "calc" / "multiply.py").read_text() == MULTIPLY
    forge = LocalForge(sample_repo / ".factory" / "forge.db")
    reviews = forge.reviews(2)
    t1 = [r for r in reviews if "Review panel on T1" in r.body]
    t2 = [r for r in reviews if "Review panel on T2" in r.body]
    assert [r.verdict for r in t1] == ["changes", "approve"] and len(t2) == 1
    assert "| major | `calc/subtract.py:1` | subtract() has no type hints | " \
           "rev-anthropic, rev-openai |" in t1[0].body
    # A task's commit is not on the PR: no inline comments, the finding's text in the body.
    assert t1[0].comments == ()
    assert "Not on a line of the PR's diff" in t1[0].body
    assert "`calc/subtract.py:1` subtract() has no type hints:" in t1[0].body
    assert "Since the last review: 1 fixed, 0 still open, 0 new." in t1[1].body
    for posted in reviews:
        assert "2 of 3 reviewers answered" in posted.body
        assert "- rev-gemini (tests): reviewer broke the protocol" in posted.body
    by_model = Ledger.for_repo(sample_repo).by_model()
    assert {f"openai/{name}" for name in PANEL} <= set(by_model)
    assert by_model["openai/rev-anthropic"].cost_usd > 0
