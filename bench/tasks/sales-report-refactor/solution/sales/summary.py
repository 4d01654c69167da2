"""Totals per region."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sales.parsing import Sale


@dataclass(frozen=True)
class RegionSummary:
    region: str
    revenue: Decimal
    units: int
    top_product: str


def summarize(sales: Sequence[Sale]) -> list[RegionSummary]:
    """One summary per region, highest revenue first, then by region name."""
    revenue: dict[str, Decimal] = {}
    units: dict[str, int] = {}
    products: dict[str, dict[str, Decimal]] = {}
    for sale in sales:
        revenue[sale.region] = revenue.get(sale.region, Decimal(0)) + sale.revenue
        units[sale.region] = units.get(sale.region, 0) + sale.quantity
        per_product = products.setdefault(sale.region, {})
        per_product[sale.product] = per_product.get(sale.product, Decimal(0)) + sale.revenue
    summaries = [
        RegionSummary(region, revenue[region], units[region],
                      min(products[region], key=lambda name: (-products[region][name], name)))
        for region in revenue
    ]
    return sorted(summaries, key=lambda summary: (-summary.revenue, summary.region))


def period(sales: Sequence[Sale]) -> tuple[datetime.date, datetime.date] | None:
    if not sales:
        return None
    return min(sale.date for sale in sales), max(sale.date for sale in sales)
