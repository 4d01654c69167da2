"""A respond round end to end on the local forge: findings and a person's comment in, a commit
and one reply per thread out, then the panel and the evaluator again."""

from __future__ import annotations

from pathlib import Path

from doubles.stub_model import ChatRequest, Reply, StubModelServer, call
from factory_testlib import UNITTEST, git
from review_testlib import (
    DIVIDE,
    FLOAT,
    PLAN,
    TASK,
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

from pipeline.agent.workspace import Workspace
from pipeline.demo.scripted import ScriptedModel, role_of, step_of
from pipeline.forge.local import LocalForge
from pipeline.forge.types import InlineComment
from pipeline.review.report import latest
from pipeline.sandbox.worktree import WorktreeSandbox
from pipeline.steps.respond import open_threads, respond_to_pr
from pipeline.steps.review import review_change

SAFE_DIVIDE = ("def divide(a: int, b: int) -> float:\n"
               "    if b == 0:\n"
               "        raise ValueError('division by zero')\n"
               "    return a / b\n")
TEST_ZERO = TEST_DIVIDE + ("\n    def test_zero(self) -> None:\n"
                           "        with self.assertRaises(ValueError):\n"
                           "            divide(1, 0)\n")
PASS = call("submit_evaluation", verdict="pass",
            criteria=[{"id": "AC1", "met": True, "evidence": "ran the tests: divide(6, 3) == 2"}])
BEFORE = {"rev-anthropic": [review(ZERO_A, TEST_GAP)], "rev-openai": [review(ZERO_B, FLOAT)],
          "rev-gemini": [review(ZERO_C)]}
AFTER = {"rev-anthropic": [review()], "rev-openai": [review(FLOAT)], "rev-gemini": [review()]}


class Reviewers:
    """Reviewers answer by what the diff shows (fixed or not); other roles follow a script."""

    def __init__(self, scripted: ScriptedModel) -> None:
        self.scripted = scripted

    def __call__(self, request: ChatRequest) -> Reply:
        if role_of(request) != "reviewer":
            return self.scripted(request)
        fixed = "+    if b == 0:" in request.messages[1]["content"]
        return (AFTER if fixed else BEFORE)[request.model][step_of(request)]


def setup(sample_repo: Path, tmp_path: Path, stub: StubModelServer,
          rounds: int) -> tuple[LocalForge, int, Workspace]:
    forge = LocalForge(tmp_path / "forge.db")
    pr = forge.open_pr("factory/issue-1-T1", "main", "divide", "Adds divide").number
    forge.set_labels(pr, add=["factory:review"])
    cfg = config(review_rounds=rounds).model_copy(update={"test_command": UNITTEST})
    head = make_change(sample_repo, {"calc/divide.py": DIVIDE,
                                     "tests/test_divide.py": TEST_DIVIDE})
    stub.responder = Reviewers(ScriptedModel({}))
    review_change(context(cfg, sample_repo), forge, pr, "pr", head, panel_input(sample_repo))
    forge.post_review(pr, head, "Keep divide() in its own module.", "comment", [InlineComment(
        "calc/divide.py", 3, "Raise ValueError('division by zero'), not a bare error.")],
        author="alice")
    return forge, pr, Workspace(sample_repo, WorktreeSandbox(sample_repo, cfg.sandbox))


def test_a_respond_round_fixes_replies_once_per_thread_and_reruns_panel_and_evaluator(
        stub: StubModelServer, sample_repo: Path, tmp_path: Path) -> None:
    forge, pr, workspace = setup(sample_repo, tmp_path, stub, rounds=2)
    record = latest(forge, pr, "pr")
    assert record is not None and record.result.verdict == "changes"
    threads = open_threads(forge, pr, record.result.findings)
    alice = threads[0]
    assert alice.by_person and alice.messages[0][0] == "alice"  # people first
    by_title = {t.finding.title: t.id for t in threads if t.finding}
    assert set(by_title) == {ZERO_B["title"], TEST_GAP["title"], FLOAT["title"]}
    replies = [{"thread": alice.id, "fixed": True, "reply": "raises ValueError now"},
               {"thread": by_title[ZERO_B["title"]], "fixed": True, "reply": "checked b == 0"},
               {"thread": by_title[TEST_GAP["title"]], "fixed": True, "reply": "added test_zero"},
               {"thread": by_title[FLOAT["title"]], "fixed": False,
                "reply": "true division of ints is a float; the test compares equal"}]
    cfg = config(review_rounds=2).model_copy(update={"test_command": UNITTEST})
    scripted = ScriptedModel({
        ("generator", "T1"): [call("edit_file", path="calc/divide.py", old=DIVIDE, new=SAFE_DIVIDE),
                              call("write_file", path="tests/test_divide.py", content=TEST_ZERO),
                              call("run", command=UNITTEST),
                              call("finish", summary="refuse zero", replies=replies)],
        ("evaluator", "T1"): [PASS]})
    stub.responder = Reviewers(scripted)

    outcome = respond_to_pr(context(cfg, sample_repo), forge, pr, workspace, PLAN, task=TASK,
                            base="main", push=lambda sha: forge.set_head_sha(pr, sha))

    assert outcome.passed and outcome.rounds == 1 and outcome.reason is None
    [sha] = outcome.commits
    assert forge.get_pr(pr).head_sha == sha == git(sample_repo, "rev-parse", "HEAD")
    assert (sample_repo / "calc" / "divide.py").read_text() == SAFE_DIVIDE
    assert "answer the review (round 1)" in git(sample_repo, "log", "-1", "--format=%s")
    prompt = next(r for r in stub.requests if role_of(r) == "generator").messages[1]["content"]
    assert prompt.index("Review comments from people") < prompt.index("Open findings")
    assert 'source="review comment by alice"' in prompt
    assert 'source="review by alice"' in prompt and "Keep divide() in its own module." in prompt
    answers = {c.in_reply_to: c.body for c in forge.review_comments(pr) if c.in_reply_to}
    assert answers[alice.id] == f"Fixed in {sha[:12]}: raises ValueError now"
    assert answers[by_title[FLOAT["title"]]].startswith("Not changed: true division")
    assert len(answers) == 4
    second = forge.reviews(pr)[-1]
    assert second.commit == sha and second.verdict == "approve"
    assert "Since the last review: 2 fixed, 1 still open, 0 new." in second.body
    assert any(c.body.startswith("**Evaluation of T1: pass**") for c in forge.comments(pr))
    replies_before, requests_before = len(forge.review_comments(pr)), len(stub.requests)

    again = respond_to_pr(context(cfg, sample_repo), forge, pr, workspace, PLAN, task=TASK,
                          base="main")

    assert again.passed and again.rounds == 0 and again.commits == []
    assert len(forge.review_comments(pr)) == replies_before  # never twice for a thread
    assert len(stub.requests) == requests_before  # the same head: nothing re-reviewed


def test_what_remains_after_the_last_round_blocks_the_pr(
        stub: StubModelServer, sample_repo: Path, tmp_path: Path) -> None:
    forge, pr, workspace = setup(sample_repo, tmp_path, stub, rounds=1)
    cfg = config(review_rounds=1).model_copy(update={"test_command": UNITTEST})
    stub.responder = Reviewers(ScriptedModel({
        ("generator", "T1"): [call("finish", summary="I disagree with everything")],
        ("evaluator", "T1"): [PASS]}))

    outcome = respond_to_pr(context(cfg, sample_repo), forge, pr, workspace, PLAN, task=TASK,
                            base="main")

    assert not outcome.passed and outcome.rounds == 1 and outcome.commits == []
    assert [f.title for f in outcome.remaining] == [ZERO_B["title"]]
    assert outcome.reason and "1 blocking finding(s), 1 unanswered thread(s)" in outcome.reason
    labels = forge.get_pr(pr).labels
    assert "factory:blocked" in labels and "factory:review" not in labels
    blocked = forge.comments(pr)[-1].body
    assert blocked.startswith("**Blocked after 1 respond round(s)**")
    assert f"`calc/divide.py:2` {ZERO_B['title']}" in blocked
    assert len(forge.reviews(pr)) == 2  # the panel's (same commit: not again) and alice's
