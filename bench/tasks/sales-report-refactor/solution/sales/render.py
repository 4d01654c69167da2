"""The report as plain text."""

import datetime
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from sales.summary import RegionSummary

RULE = "-" * 48


def money(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def render(summaries: Sequence[RegionSummary],
           period: tuple[datetime.date, datetime.date] | None) -> str:
    lines = [f"{'Region':<12}{'Revenue':>12}{'Units':>8}  Top product", RULE]
    for summary in summaries:
        lines.append(f"{summary.region:<12}{money(summary.revenue)!s:>12}{summary.units:>8d}"
                     f"  {summary.top_product}")
    revenue = sum((summary.revenue for summary in summaries), Decimal(0))
    units = sum(summary.units for summary in summaries)
    lines += [RULE, f"{'Total':<12}{money(revenue)!s:>12}{units:>8d}"]
    if period is None:
        lines.append("Period: none")
    else:
        lines.append(f"Period: {period[0].isoformat()} to {period[1].isoformat()}")
    return "\n".join(lines) + "\n"
