"""`factory status`: one snapshot of issues, phases, tasks, costs and recent failures, as data
(for --json) and as rich renderables (for the terminal and --watch)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from pipeline.config.settings import Config
from pipeline.forge.select import TrackerForge
from pipeline.ledger.store import Ledger, Scope, Totals, utc_now
from pipeline.observe.history import IssueView, issue_views

PHASE_STYLE = {"done": "green", "blocked": "red", "stopped": "red", "planning": "cyan",
               "building": "yellow", "evaluating": "magenta", "merging": "magenta"}
TASK_STYLE = {"pending": "dim", "building": "yellow", "passed": "green", "blocked": "red"}
RECENT_FAILURES = 8


@dataclass
class Snapshot:
    taken_at: str
    issues: list[dict[str, Any]] = field(default_factory=list)
    costs: dict[str, Any] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _issue_row(view: IssueView) -> dict[str, Any]:
    state = view.state
    return {
        "issue": view.number, "title": view.issue.title, "state": view.issue.state,
        "phase": state.phase if state else None, "reason": state.reason if state else None,
        "tasks": {t.spec.id: {"title": t.spec.title, "status": t.status, "rounds": t.rounds,
                              "resets": t.resets, "reason": t.reason,
                              "slices": t.checkpoint.slices if t.checkpoint else 0}
                  for t in (state.tasks.values() if state else [])},
        "pr": state.pr if state else None,
        "resets": state.all_resets if state else 0,
        "heartbeat": state.heartbeat if state else None,
        "cost_usd": round(view.cost_usd, 6),
        "last_activity": view.last_activity.isoformat() if view.last_activity else None,
    }


def _money(totals: dict[str, Totals]) -> dict[str, float]:
    return {name: round(t.cost_usd, 6) for name, t in totals.items()}


def snapshot(forge: TrackerForge | None, ledger: Ledger, config: Config) -> Snapshot:
    """forge None: nothing has run here yet (no embedded forge); the ledger may still hold calls."""
    now = utc_now()
    shot = Snapshot(now.isoformat(timespec="seconds"))
    views = issue_views(forge, ledger, config.trigger_label) if forge else []
    shot.issues = [_issue_row(v) for v in views]
    today = Scope(day=now.date())
    shot.costs = {
        "today_usd": round(ledger.totals(today).cost_usd, 6),
        "total_usd": round(ledger.totals().cost_usd, 6),
        "calls": ledger.totals().calls, "per_day_cap_usd": config.budget.per_day_usd,
        "per_issue_cap_usd": config.budget.per_issue_usd,
        "by_role": _money(ledger.by_role()), "by_model": _money(ledger.by_model()),
        "today_by_role": _money(ledger.by_role(today)),
        "today_by_model": _money(ledger.by_model(today)),
    }
    failed = [c for c in ledger.calls(limit=500) if not c.ok][-RECENT_FAILURES:]
    shot.failures = [{"kind": "model call", "at": c.ts.isoformat(timespec="seconds"),
                      "issue": c.issue, "what": f"{c.role} on {c.model}",
                      "why": c.error or "failed"} for c in reversed(failed)]
    for view in views:
        if view.stuck and view.state is not None:
            shot.failures.append({"kind": view.phase, "at": None, "issue": view.number,
                                  "what": view.issue.title, "why": view.state.reason or ""})
    return shot


def _styled(text: str | None, styles: dict[str, str]) -> Text:
    return Text(text or "-", style=styles.get(text or "", ""))


def render(shot: Snapshot, title: str = "Dark Factory") -> RenderableType:
    costs = shot.costs
    cap = f" of ${costs['per_day_cap_usd']:.2f}" if costs.get("per_day_cap_usd") else ""
    header = Text.assemble((f"{title}  ", "bold"), (shot.taken_at, "dim"), "\n",
                           f"today ${costs['today_usd']:.4f}{cap} · total ${costs['total_usd']:.4f}"
                           f" · {costs['calls']} model call(s)")
    parts: list[RenderableType] = [header]
    if not shot.issues:
        parts.append(Text("No factory runs here yet: start one with `factory run \"brief\"`."))
    else:
        parts.append(_issues_table(shot))
        if any(row["phase"] not in (None, "done") and row["tasks"] for row in shot.issues):
            parts.append(_task_tree(shot))
    if costs["by_role"] or costs["by_model"]:
        parts.append(_cost_table(costs))
    if shot.failures:
        parts.append(_failure_table(shot.failures))
    return Group(*parts)


def _issues_table(shot: Snapshot) -> Table:
    table = Table(title="Issues", title_justify="left", expand=False)
    for column in ("issue", "title", "phase", "tasks", "PR", "resets", "cost (USD)", "note"):
        table.add_column(column, overflow="fold")
    for row in shot.issues:
        passed = sum(1 for t in row["tasks"].values() if t["status"] == "passed")
        table.add_row(f"#{row['issue']}", row["title"], _styled(row["phase"], PHASE_STYLE),
                      f"{passed}/{len(row['tasks'])}", f"#{row['pr']}" if row["pr"] else "-",
                      str(row["resets"]), f"{row['cost_usd']:.4f}", row["reason"] or "")
    return table


def _task_tree(shot: Snapshot) -> Tree:
    tree = Tree("Tasks of unfinished issues")
    for row in shot.issues:
        if row["phase"] in (None, "done") or not row["tasks"]:
            continue
        branch = tree.add(Text.assemble(f"#{row['issue']} ", _styled(row["phase"], PHASE_STYLE)))
        for task_id, task in row["tasks"].items():
            note = f" — {task['reason']}" if task["reason"] else ""
            resets = f", context resets {task['resets']}" if task["resets"] else ""
            resets += f", slices {task['slices']}" if task["slices"] else ""
            branch.add(Text.assemble(f"{task_id} {task['title']}: ",
                                     _styled(task["status"], TASK_STYLE),
                                     f" (rounds {task['rounds']}{resets}){note}"))
    return tree


def _cost_table(costs: dict[str, Any]) -> Table:
    table = Table(title="Cost", title_justify="left")
    for column in ("by", "name", "today (USD)", "all time (USD)"):
        table.add_column(column)
    for role, total in costs["by_role"].items():
        table.add_row("role", role, f"{costs['today_by_role'].get(role, 0.0):.4f}",
                      f"{total:.4f}")
    for model, total in costs["by_model"].items():
        table.add_row("model", model, f"{costs['today_by_model'].get(model, 0.0):.4f}",
                      f"{total:.4f}")
    return table


def _failure_table(failures: list[dict[str, Any]]) -> Table:
    table = Table(title="Recent failures", title_justify="left")
    for column in ("kind", "issue", "what", "why"):
        table.add_column(column, overflow="fold")
    for failure in failures:
        table.add_row(failure["kind"], f"#{failure['issue']}" if failure["issue"] else "-",
                      failure["what"], Text(failure["why"], style="red"))
    return table


def has_local_runs(repo: Path) -> bool:
    return (repo / ".factory" / "forge.db").exists()
