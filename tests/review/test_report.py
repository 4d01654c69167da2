"""The panel's one review on the local forge: table, inline anchors, idempotency, delta."""

from __future__ import annotations

from pathlib import Path

from doubles.stub_model import Reply, StubModelServer
from review_testlib import (
    DIVIDE,
    FLOAT,
    TEST_DIVIDE,
    TEST_GAP,
    ZERO_A,
    ZERO_B,
    ZERO_C,
    config,
    context,
    finding,
    make_change,
    panel_input,
    review,
)

from pipeline.demo.scripted import ScriptedModel
from pipeline.forge import tracking
from pipeline.forge.local import LocalForge
from pipeline.review.report import finding_of, latest, post_panel
from pipeline.steps.review import review_change

OFF_DIFF = finding("calc/ops.py", 1, "minor", "add() lacks a docstring",
                   "Every public function in calc documents itself.")
NEW = finding("calc/divide.py", 4, "major", "ValueError message is vague",
              "Say which argument was zero in the message.")
FIXED_DIVIDE = ("def divide(a: int, b: int) -> float:\n"
                "    if b == 0:\n"
                "        raise ValueError('no')\n"
                "    return a / b\n")


def first_round() -> ScriptedModel:
    return ScriptedModel({
        ("reviewer@rev-anthropic",): [review(ZERO_A, TEST_GAP)],
        ("reviewer@rev-openai",): [review(ZERO_B, FLOAT)],
        ("reviewer@rev-gemini",): [review(ZERO_C, OFF_DIFF)]})


def test_one_review_same_commit_twice_posts_nothing_new_commit_says_the_delta(
        stub: StubModelServer, sample_repo: Path, tmp_path: Path) -> None:
    forge = LocalForge(tmp_path / "forge.db")
    pr = forge.open_pr("factory/issue-1-T1", "main", "divide", "Adds divide").number
    ctx = context(config(), sample_repo)
    stub.responder = first_round()
    first = make_change(sample_repo, {"calc/divide.py": DIVIDE,
                                      "tests/test_divide.py": TEST_DIVIDE})

    result = review_change(ctx, forge, pr, "T1", first, panel_input(sample_repo))

    [posted] = forge.reviews(pr)
    assert posted.verdict == "changes" and posted.commit == first
    assert "| critical | `calc/divide.py:2` | divide() does not handle zero divisor | " \
           "rev-openai, rev-anthropic, rev-gemini |" in posted.body
    assert "`calc/ops.py:1`" in posted.body  # off the diff: in the table...
    assert "| rev-anthropic | correctness | changes | 2 |" in posted.body  # cost, time per model
    assert {(c.path, c.line) for c in posted.comments} == {  # ...but not inline
        ("calc/divide.py", 2), ("tests/test_divide.py", 8), ("calc/divide.py", 1)}
    assert all(finding_of(c.body) for c in posted.comments)
    assert "rev-openai, rev-anthropic, rev-gemini" in posted.comments[0].body
    state = tracking.parse_state(posted.body)
    assert state is not None and state["panel"]["commit"] == first
    requests = len(stub.requests)

    again = review_change(ctx, forge, pr, "T1", first, panel_input(sample_repo))
    _, reposted = post_panel(forge, pr, "T1", first, result, panel_input(sample_repo).diff)

    assert again == result and reposted is None
    assert len(stub.requests) == requests  # no model ran
    assert len(forge.reviews(pr)) == 1 and len(forge.review_comments(pr)) == 3

    stub.responder = ScriptedModel({
        ("reviewer@rev-anthropic",): [review(TEST_GAP)],
        ("reviewer@rev-openai",): [review(NEW)],
        ("reviewer@rev-gemini",): [review()]})
    second = make_change(sample_repo, {"calc/divide.py": FIXED_DIVIDE}, message="T1: zero")

    review_change(ctx, forge, pr, "T1", second, panel_input(sample_repo))

    old, new = forge.reviews(pr)
    assert new.commit == second
    assert "Since the last review: 3 fixed, 1 still open, 1 new." in new.body
    assert "~~critical: `calc/divide.py:2` divide() does not handle zero divisor~~" in new.body
    assert "| minor | `tests/test_divide.py:8` | No test for the zero case | rev-anthropic " \
           "| still open |" in new.body
    assert "| major | `calc/divide.py:4` | ValueError message is vague | rev-openai | new |" \
           in new.body
    assert [(c.path, c.line) for c in new.comments] == [("calc/divide.py", 4)]
    record = latest(forge, pr, "T1")
    assert record is not None and [f.title for f in record.fixed] == [
        ZERO_B["title"], OFF_DIFF["title"], FLOAT["title"]]
    gap_before = next(f.id for f in result.findings if f.path == "tests/test_divide.py")
    gap_now = next(f.id for f in record.result.findings if f.path == "tests/test_divide.py")
    assert gap_before == gap_now  # still open: the same finding, the same thread
    assert old.id < new.id and len(forge.reviews(pr)) == 2


def test_other_scopes_on_the_same_pr_are_reviewed_apart(
        stub: StubModelServer, sample_repo: Path, tmp_path: Path) -> None:
    forge = LocalForge(tmp_path / "forge.db")
    pr = forge.open_pr("factory/issue-1", "main", "two tasks", "T1 and T2").number
    stub.responder = ScriptedModel({("reviewer",): [review()]})
    ctx = context(config(), sample_repo)
    head = make_change(sample_repo, {"calc/divide.py": DIVIDE})

    for scope in ("T1", "T2", "T1"):
        review_change(ctx, forge, pr, scope, head, panel_input(sample_repo))

    assert [latest(forge, pr, s) is not None for s in ("T1", "T2", "T3")] == [True, True, False]
    assert len(forge.reviews(pr)) == 2
    assert all("**approve**" in r.body and r.verdict == "approve" for r in forge.reviews(pr))


def test_a_finding_whose_reviewers_failed_this_time_is_not_called_fixed(
        stub: StubModelServer, sample_repo: Path, tmp_path: Path) -> None:
    forge = LocalForge(tmp_path / "forge.db")
    pr = forge.open_pr("factory/issue-1-T1", "main", "divide", "Adds divide").number
    ctx = context(config(), sample_repo)
    stub.responder = ScriptedModel({("reviewer@rev-anthropic",): [review(ZERO_A)],
                                    ("reviewer",): [review()]})
    first = make_change(sample_repo, {"calc/divide.py": DIVIDE})
    review_change(ctx, forge, pr, "T1", first, panel_input(sample_repo))
    stub.responder = ScriptedModel({("reviewer@rev-anthropic",): [Reply(content="")] * 3,
                                    ("reviewer",): [review()]})
    second = make_change(sample_repo, {"calc/divide.py": FIXED_DIVIDE}, message="T1: zero")

    result = review_change(ctx, forge, pr, "T1", second, panel_input(sample_repo))

    assert result.verdict == "changes" and [f.title for f in result.findings] == [ZERO_A["title"]]
    body = forge.reviews(pr)[-1].body
    assert "0 fixed, 0 still open, 0 new. 1 not re-checked (their reviewers failed)." in body
    assert "| not re-checked |" in body


def test_model_text_posted_pings_no_one_and_leaks_no_token() -> None:
    from pipeline.review.report import inline_body
    from pipeline.roles.schemas import MergedFinding

    body = inline_body(MergedFinding(
        id="abc123", path="a.py", line=1, severity="major", title="Ask @alice, fixes #3",
        body="The key sk-ant-abcdefghijklmnopqrstuvwxyz0123 is hard-coded.", reviewers=["m"]))

    assert "`@alice`" in body and "fixes `#3`" in body
    assert "sk-ant-" not in body and "[redacted]" in body
    assert body.endswith("<!-- factory:finding abc123 -->")


def test_a_huge_panel_result_still_fits_one_review_body() -> None:
    from pipeline.review.panel import PanelResult
    from pipeline.review.report import PanelRecord, review_body
    from pipeline.roles.schemas import MergedFinding

    findings = [MergedFinding(id=f"{n:08x}", path=f"src/module_{n}.py", line=n + 1,
                              severity="minor", title=f"problem number {n}", body="x" * 2000,
                              reviewers=["a", "b"], also=["y" * 500])
                for n in range(120)]
    record = PanelRecord(scope="T1", commit="c" * 40,
                         result=PanelResult(verdict="changes", quorum=1, findings=findings))
    summary = "\n".join(f"| minor | `src/module_{n}.py` | problem {n} |" for n in range(3000))

    body = review_body(summary, record, limit=60_000)

    assert len(body) <= 60_000
    stored = PanelRecord.model_validate(tracking.parse_state(body)["panel"])  # type: ignore[index]
    assert [f.id for f in stored.result.findings] == [f.id for f in findings]
    assert "The table is cut here" in body
