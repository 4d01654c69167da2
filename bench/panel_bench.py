"""Figures for the review panel on a scripted PR with 10 planted defects:

- recall of the panel against the best single reviewer, when each of 3 reviewers (on 3 stub
  "providers") finds a different 6 of the 10, in its own words and a line off here and there;
- the duplicate rate in the posted review: findings (table rows) and inline comments that
  point at a defect already reported, over all of them;
- the panel's wall time against the slowest single reviewer, with per-model stub latencies
  (median of --runs runs each).

Usage: python bench/panel_bench.py [--runs N] [--delay S]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from pipeline.agent.model import ModelClient
from pipeline.agent.workspace import Workspace
from pipeline.config.settings import Config, Reviewer
from pipeline.demo.scripted import role_of
from pipeline.forge import tracking
from pipeline.forge.local import LocalForge
from pipeline.ledger.store import Ledger
from pipeline.review.panel import PanelInput, PanelResult, run_panel
from pipeline.review.report import PanelRecord, post_panel
from pipeline.roles.base import RoleContext
from pipeline.roles.schemas import Criterion, TaskSpec

# The test doubles (stub model, fake GitHub) live in tests/, outside the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from doubles.stub_model import ChatRequest, Reply, StubModelServer, call

MODELS = ["rev-anthropic", "rev-openai", "rev-gemini"]
FOUND_BY = [{0, 1, 2, 3, 4, 5}, {4, 5, 6, 7, 8, 9}, {0, 1, 2, 7, 8, 9}]
LATENCY = [0.6, 0.8, 1.0]
"""Seconds per reply, as multiples of --delay."""
FILES = {"shop/cart.py": 100, "shop/auth.py": 60, "shop/api.py": 80}
# (path, line, severity, three ways to say it: one per reviewer)
DEFECTS: list[tuple[str, int, str, list[tuple[str, str]]]] = [
    ("shop/cart.py", 12, "major", [
        ("Money summed as float", "total adds prices as floats; cents get lost. Use Decimal."),
        ("Float arithmetic for prices", "Summing price floats in total loses cents; use Decimal."),
        ("Currency total uses float", "The total of prices should use Decimal, not float.")]),
    ("shop/cart.py", 30, "critical", [
        ("Discount applied twice", "apply_discount runs in add_item and again in checkout."),
        ("Double discount on checkout", "checkout calls apply_discount after add_item did."),
        ("apply_discount called twice", "The discount is applied in add_item and checkout.")]),
    ("shop/cart.py", 55, "major", [
        ("Negative quantity accepted", "add_item accepts quantity <= 0; validate quantity."),
        ("No validation of quantity", "quantity can be negative or zero in add_item."),
        ("add_item allows negative quantities", "Check quantity is positive in add_item.")]),
    ("shop/cart.py", 88, "minor", [
        ("Mutable default argument", "merge(items=[]) shares one list between calls."),
        ("Shared mutable default in merge", "The items=[] default of merge is shared."),
        ("merge uses a list as default argument", "Default items to None in merge.")]),
    ("shop/auth.py", 10, "critical", [
        ("Password hash compared with ==", "check_password leaks timing; use compare_digest."),
        ("Timing attack in check_password", "Use hmac.compare_digest to compare the hashes."),
        ("Non-constant-time hash comparison", "check_password needs hmac.compare_digest.")]),
    ("shop/auth.py", 25, "critical", [
        ("SQL injection in find_user", "find_user formats username into the SQL query."),
        ("find_user builds SQL with an f-string", "username is interpolated into SQL."),
        ("Unparameterized SQL query", "username goes straight into the SQL in find_user.")]),
    ("shop/auth.py", 47, "major", [
        ("Token expiry not checked", "verify_token never compares exp with the time."),
        ("Expired tokens accepted", "verify_token ignores the exp claim of the token."),
        ("verify_token skips expiration", "Check the token exp against now in verify_token.")]),
    ("shop/api.py", 15, "major", [
        ("Bare except swallows errors", "handle_order catches everything and returns 200."),
        ("Errors silently ignored in handle_order", "The bare except in handle_order hides "
                                                    "failures."),
        ("handle_order hides exceptions", "except: pass in handle_order swallows errors.")]),
    ("shop/api.py", 40, "minor", [
        ("No upper bound on page size", "list_orders accepts any limit; cap the page size."),
        ("Unbounded limit in list_orders", "limit is not capped; clamp the page size."),
        ("list_orders page size not capped", "Cap the limit of list_orders page size.")]),
    ("shop/api.py", 66, "nit", [
        ("Misleading name tmp", "Rename tmp in export_orders to rows."),
        ("Variable tmp is unclear", "In export_orders, tmp should be named rows."),
        ("Rename tmp to rows", "export_orders: tmp holds the exported rows.")]),
]


def findings_of(reviewer: int) -> list[dict[str, Any]]:
    jitter = reviewer - 1  # reviewers point a line above, at, or below the defect
    return [{"path": path, "line": line + jitter, "severity": severity,
             "title": texts[reviewer][0], "body": texts[reviewer][1]}
            for number, (path, line, severity, texts) in enumerate(DEFECTS)
            if number in FOUND_BY[reviewer]]


class Reviewers:
    def __init__(self, delay: float) -> None:
        self.delay = delay

    def __call__(self, request: ChatRequest) -> Reply:
        if role_of(request) != "reviewer":
            return Reply.error(500, "only reviewers in this bench")
        index = MODELS.index(request.model)
        pause = LATENCY[index] * self.delay
        if not any(m.get("role") == "assistant" for m in request.messages):
            reply = call("read_file", path="shop/cart.py")
        else:
            reply = call("submit_review", verdict="changes", findings=findings_of(index))
        reply.delay_s = pause
        return reply


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def make_repo(root: Path) -> tuple[Path, str]:
    repo = root / "shop"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("# shop\n")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=b", "-c", "user.email=b@x", "commit", "-qm", "init")
    git(repo, "checkout", "-qb", "factory/issue-1")
    for path, lines in FILES.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(f"value_{n} = compute({n})\n" for n in range(1, lines + 1)))
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=b", "-c", "user.email=b@x", "commit", "-qm", "the shop")
    return repo, git(repo, "diff", "main...HEAD")


def defect_of(path: str, line: int) -> int | None:
    near = [(abs(line - planted), number) for number, (where, planted, _, _) in
            enumerate(DEFECTS) if where == path and abs(line - planted) <= 3]
    return min(near)[1] if near else None


def posted_figures(forge: LocalForge, pr: int) -> tuple[int, int, int, int]:
    """(distinct defects reported, rows, duplicate rows, duplicate inline comments)."""
    [review] = forge.reviews(pr)
    state = tracking.parse_state(review.body) or {}
    findings = PanelRecord.model_validate(state["panel"]).result.findings
    hits = [defect_of(f.path, f.line) for f in findings]
    inline = [defect_of(c.path, c.line) for c in review.comments]
    distinct = {h for h in hits if h is not None}
    return (len(distinct), len(findings), len(hits) - len(set(hits)),
            len(inline) - len(set(inline)))


def run(ctx: RoleContext, repo: Path, diff: str, reviewers: list[Reviewer]) -> PanelResult:
    task = TaskSpec(id="T1", title="the shop", description="cart, auth and api modules")
    given = PanelInput("A small shop backend.", [Criterion(id="AC1", text="orders work")],
                       task, diff, Workspace(repo), reviewers=reviewers, quorum=1)
    return run_panel(ctx, given)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.5)
    args = parser.parse_args()
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    panel = [Reviewer(model=f"openai/{m}", focus=f) for m, f in
             zip(MODELS, ("correctness", "security", "api"), strict=True)]
    with tempfile.TemporaryDirectory() as tmp, StubModelServer() as stub:
        os.environ["OPENAI_API_BASE"], os.environ["OPENAI_API_KEY"] = stub.url, "sk-bench"
        stub.responder = Reviewers(args.delay)
        repo, diff = make_repo(Path(tmp))
        prices = {f"openai/{m}": {"input_per_mtok": 3.0, "output_per_mtok": 15.0}
                  for m in MODELS}
        config = Config.model_validate({"models": {"default": "openai/rev-openai"},
                                        "pricing": prices, "test_command": "true"})
        ledger = Ledger(Path(tmp) / "ledger.db")
        ctx = RoleContext(config, ModelClient(config, ledger, run_id="bench"), repo)
        forge = LocalForge(Path(tmp) / "forge.db")
        walls: dict[str, list[float]] = {}
        figures: dict[str, tuple[int, int, int, int]] = {}
        for number in range(args.runs):
            for name, reviewers in [*((m, [r]) for m, r in zip(MODELS, panel, strict=True)),
                                    ("panel", panel)]:
                result = run(ctx, repo, diff, reviewers)
                walls.setdefault(name, []).append(result.wall_s)
                if number == 0:
                    pr = forge.open_pr(f"bench/{name}", "main", name, name).number
                    post_panel(forge, pr, "panel", git(repo, "rev-parse", "HEAD").strip(),
                               result, diff)
                    figures[name] = posted_figures(forge, pr)
        by_model = ledger.by_model()
    print(f"planted defects: {len(DEFECTS)}; each reviewer finds 6, in its own words")
    for name in [*MODELS, "panel"]:
        found, rows, dup_rows, dup_inline = figures[name]
        print(f"{name:>14}: recall {found}/{len(DEFECTS)}, {rows} findings posted, "
              f"duplicate rate {dup_rows / rows if rows else 0:.2f} "
              f"(inline duplicates {dup_inline}), median wall {statistics.median(walls[name]):.2f}s")
    for model, totals in by_model.items():
        print(f"ledger {model}: {totals.calls} calls, ${totals.cost_usd:.4f}, "
              f"{totals.latency_s:.2f}s model latency in all")
    best = max(figures[m][0] for m in MODELS)
    slowest = max(statistics.median(walls[m]) for m in MODELS)
    print(f"panel recall {figures['panel'][0]}/{len(DEFECTS)} vs best single reviewer "
          f"{best}/{len(DEFECTS)}")
    print(f"panel wall / slowest single reviewer: {statistics.median(walls['panel']) / slowest:.2f}x")


if __name__ == "__main__":
    main()
