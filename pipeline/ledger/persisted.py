"""Spend that outlives a job's ledger: compact rows per UTC day, role and model.

On Actions every job starts with an empty ledger. What it spent travels with its outputs as
these rows, keyed by the job's run id; the writer keeps them in the issue's tracking state; the
next jobs and `factory nightly` absorb them into their own ledger, so budgets and the digest
read one ledger whatever job made the calls. Absorbing is idempotent: a source (run id) the
ledger already holds, as calls of its own or absorbed before, is not added again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from pipeline.ledger.store import Call, Ledger, Scope

Persisted = dict[str, list[list[Any]]]
"""Source (a job's run id) → its rows, each as a JSON list (SpendRow's fields in order)."""


@dataclass(frozen=True)
class SpendRow:
    day: str
    role: str
    model: str
    calls: int
    failed: int
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    cost_usd: float

    def to_json(self) -> list[Any]:
        return list(astuple(self))

    @classmethod
    def from_json(cls, raw: Sequence[Any]) -> SpendRow:
        day, role, model, calls, failed, tokens_in, cached, tokens_out, cost = raw
        date.fromisoformat(str(day))
        return cls(str(day), str(role), str(model), int(calls), int(failed), int(tokens_in),
                   int(cached), int(tokens_out), float(cost))


def rows_of(ledger: Ledger, source: str) -> list[SpendRow]:
    """What source (a run id) spent, per day, role and model."""
    grouped: dict[tuple[str, str, str], list[int | float]] = {}
    for call in ledger.calls(Scope(run_id=source)):
        key = (call.ts.astimezone(UTC).date().isoformat(), call.role, call.model)
        sums = grouped.setdefault(key, [0, 0, 0, 0, 0, 0.0])
        for index, value in enumerate((call.n_calls, 0 if call.ok else call.n_calls,
                                       call.input_tokens, call.cached_input_tokens,
                                       call.output_tokens, call.cost_usd)):
            sums[index] += value
    return [SpendRow(day, role, model, int(s[0]), int(s[1]), int(s[2]), int(s[3]), int(s[4]),
                     round(float(s[5]), 8))
            for (day, role, model), s in sorted(grouped.items())]


def persisted(ledger: Ledger, sources: Iterable[str]) -> Persisted:
    """The rows of each source that spent anything, ready to persist."""
    found = {source: [row.to_json() for row in rows_of(ledger, source)] for source in sources}
    return {source: rows for source, rows in found.items() if rows}


def absorb(ledger: Ledger, records: Mapping[str, Sequence[Sequence[Any]]],
           issue: int | None) -> list[str]:
    """Add persisted rows (of issue) to ledger, each source once; the sources added. Rows that
    do not parse are skipped: a hand-edited record must not stop a job."""
    added = []
    for source, raw_rows in records.items():
        if not isinstance(raw_rows, list) or ledger.calls(Scope(run_id=source), limit=1):
            continue
        for raw in raw_rows:
            try:
                row = SpendRow.from_json(raw)
            except (TypeError, ValueError):
                continue
            at = datetime.combine(date.fromisoformat(row.day), datetime.min.time(), UTC)
            spent = Call(source, row.role, row.model, issue, input_tokens=row.input_tokens,
                         cached_input_tokens=row.cached_input_tokens,
                         output_tokens=row.output_tokens, cost_usd=row.cost_usd, ts=at,
                         n_calls=row.calls - row.failed)
            if row.calls > row.failed:
                ledger.record(spent)
                spent = replace(spent, input_tokens=0, cached_input_tokens=0, output_tokens=0,
                                cost_usd=0.0)
            if row.failed:
                ledger.record(replace(spent, ok=False, n_calls=row.failed))
        added.append(source)
    return added
