"""The panel against the stub playing several providers: merging, quorum, failures, context."""

from __future__ import annotations

import threading
from pathlib import Path

from doubles.stub_model import ChatRequest, Reply, StubModelServer, call
from factory_testlib import git
from review_testlib import (
    DIVIDE,
    FLOAT,
    GARBAGE,
    PROVIDERS,
    SLOW,
    TEST_DIVIDE,
    TEST_GAP,
    ZERO_A,
    ZERO_B,
    ZERO_C,
    config,
    context,
    make_change,
    panel_input,
    review,
)

from pipeline.config.settings import Reviewer
from pipeline.demo.scripted import ScriptedModel
from pipeline.ledger.store import Ledger
from pipeline.review.difffit import fit_diff
from pipeline.review.panel import reviewer_names, run_panel

FIVE = [Reviewer(model="openai/rev-anthropic", focus="correctness"),
        Reviewer(model="openai/rev-openai", focus="security"),
        Reviewer(model="openai/rev-gemini", focus="tests"),
        Reviewer(model=f"openai/{GARBAGE}", focus="style"),
        Reviewer(model=f"openai/{SLOW}", focus="performance")]


def scripts() -> ScriptedModel:
    return ScriptedModel({
        ("reviewer@rev-anthropic",): [call("read_file", path="calc/divide.py"),
                                      review(ZERO_A, TEST_GAP)],
        ("reviewer@rev-openai",): [review(ZERO_B, FLOAT)],
        ("reviewer@rev-gemini",): [call("search", pattern="divide"), review(ZERO_C)],
        (f"reviewer@{GARBAGE}",): [Reply(content=""), Reply(content="LGTM!"),
                                   Reply(content="")],
        (f"reviewer@{SLOW}",): [Reply(delay_s=6, content="too late")],
    })


def test_findings_merge_across_providers_and_failures_never_approve(
        stub: StubModelServer, sample_repo: Path) -> None:
    stub.responder = scripts()
    make_change(sample_repo, {"calc/divide.py": DIVIDE, "tests/test_divide.py": TEST_DIVIDE})
    ledger = Ledger(sample_repo.parent / "ledger.db")

    result = run_panel(context(config(quorum=3), sample_repo, ledger),
                       panel_input(sample_repo, reviewers=FIVE))

    assert result.verdict == "changes"
    assert [(f.severity, f.path) for f in result.findings] == [
        ("critical", "calc/divide.py"), ("minor", "tests/test_divide.py"),
        ("nit", "calc/divide.py")]
    zero = result.findings[0]
    assert sorted(zero.reviewers) == ["rev-anthropic", "rev-gemini", "rev-openai"]
    assert zero.title == ZERO_B["title"] and len(zero.also) == 2
    assert [r.name for r in result.answered] == ["rev-anthropic", "rev-openai", "rev-gemini"]
    failed = {r.name: r.error or "" for r in result.failed}
    assert set(failed) == {GARBAGE, SLOW}
    assert "broke the protocol" in failed[GARBAGE]
    assert "timed out" in failed[SLOW]
    # Per-reviewer cost and latency, and the same calls in the ledger per model.
    for outcome in result.answered:
        assert outcome.cost_usd > 0 and outcome.calls >= 1 and outcome.wall_s > 0
    by_model = ledger.by_model()
    assert by_model[f"openai/{SLOW}"].failed == 1
    assert by_model[f"openai/{GARBAGE}"].calls == 3
    assert by_model["openai/rev-anthropic"].calls == 2
    assert abs(by_model["openai/rev-openai"].cost_usd - result.answered[1].cost_usd) < 1e-9
    # The panel's wall time against its slowest reviewer is a figure: bench/panel_bench.py.


def test_too_few_answers_is_no_quorum_not_approval(stub: StubModelServer,
                                                   sample_repo: Path) -> None:
    stub.responder = ScriptedModel({
        ("reviewer@rev-anthropic",): [review()],
        (f"reviewer@{GARBAGE}",): [Reply(content="")] * 3,
    })
    make_change(sample_repo, {"calc/divide.py": DIVIDE})
    two = [FIVE[0], FIVE[3]]

    result = run_panel(context(config(quorum=2), sample_repo), panel_input(sample_repo,
                                                                           reviewers=two))

    assert result.verdict == "no_quorum" and not result.passed
    assert result.findings == [] and len(result.answered) == 1


def test_a_single_reviewer_panel_can_pass_whatever_the_quorum(
        stub: StubModelServer, sample_repo: Path) -> None:
    stub.responder = ScriptedModel({("reviewer@rev-anthropic",): [review(FLOAT)]})
    make_change(sample_repo, {"calc/divide.py": DIVIDE})

    result = run_panel(context(config(quorum=3), sample_repo),
                       panel_input(sample_repo, reviewers=[FIVE[0]]))

    assert result.verdict == "approve" and result.quorum == 1 and len(result.findings) == 1


def test_findings_on_files_that_do_not_exist_are_sent_back(stub: StubModelServer,
                                                           sample_repo: Path) -> None:
    ghost = dict(ZERO_A, path="src/nowhere.py")
    stub.responder = ScriptedModel({("reviewer@rev-anthropic",): [review(ghost), review(ZERO_A)]})
    make_change(sample_repo, {"calc/divide.py": DIVIDE})

    result = run_panel(context(config(), sample_repo),
                       panel_input(sample_repo, reviewers=[FIVE[0]]))

    assert [f.path for f in result.findings] == ["calc/divide.py"]
    retried = stub.requests_for("openai/rev-anthropic")[1]
    assert "src/nowhere.py" in retried.tool_results()[-1]


def test_a_diff_larger_than_the_context_is_fitted_and_nothing_is_dropped(
        stub: StubModelServer, sample_repo: Path) -> None:
    files = {f"calc/mod{i}.py": "".join(f"def f{i}_{n}(x: int) -> int:\n    return x + {n}\n"
                                        for n in range(40)) for i in range(6)}
    files["calc/divide.py"] = DIVIDE
    files["poetry.lock"] = "lock\n" * 300
    make_change(sample_repo, files)
    (sample_repo / "calc" / "ops.py").write_text("")  # a deletion-only change
    git(sample_repo, "commit", "-qam", "drop add")
    stub.responder = ScriptedModel({
        ("reviewer@rev-anthropic",): [review()], ("reviewer@rev-openai",): [review()]})
    given = panel_input(sample_repo, reviewers=FIVE[:2], focus_paths=["calc/divide.py"],
                        context_tokens={"openai/rev-openai": 4000})
    changed = set(git(sample_repo, "diff", "--name-only", "main...HEAD").split())

    result = run_panel(context(config(), sample_repo), given)

    small, large = result.reviewers[1], result.reviewers[0]
    assert large.left_out == [] and small.left_out
    prompt = stub.requests_for("openai/rev-openai")[0].messages[1]["content"]
    shown = {p for p in changed if f"+++ b/{p}" in prompt}
    assert "calc/divide.py" in shown  # the task's own file first
    assert "poetry.lock" in small.left_out  # lock files last
    assert shown | set(small.left_out) | {"calc/ops.py"} == changed
    assert shown.isdisjoint(small.left_out)
    for path in small.left_out:
        assert f"- {path}" in prompt
    assert "calc/ops.py: deletion-only hunk omitted" in prompt
    fitted = fit_diff(given.diff, 10)
    assert fitted.accounted() == changed and fitted.text == ""


def test_reviewers_on_one_model_are_told_apart_by_focus() -> None:
    same = [Reviewer(model="openai/m", focus="correctness"), Reviewer(model="openai/m",
                                                                      focus="security"),
            Reviewer(model="gemini/g", focus="tests")]
    assert reviewer_names(same) == ["m (correctness)", "m (security)", "gemini/g"]


def test_reviewers_run_at_the_same_time(stub: StubModelServer, sample_repo: Path) -> None:
    """Each reviewer's first reply waits until every reviewer has asked: a panel that ran them
    one after another would break the barrier, and its reviewers would fail."""
    every = threading.Barrier(len(PROVIDERS), timeout=10)
    script = ScriptedModel({(f"reviewer@{name}",): [review()] for name in PROVIDERS})

    def together(request: ChatRequest) -> Reply:
        every.wait()
        return script(request)

    stub.responder = together
    make_change(sample_repo, {"calc/divide.py": DIVIDE})
    three = [Reviewer(model=f"openai/{name}") for name in PROVIDERS]
    cfg = config(quorum=3).model_copy(update={"models": config().models.model_copy(
        update={"request_timeout_s": 20})})

    result = run_panel(context(cfg, sample_repo), panel_input(sample_repo, reviewers=three))

    assert not every.broken
    assert result.verdict == "approve" and len(result.answered) == 3
