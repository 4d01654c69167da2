"""Reading and validating the CSV export."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sales.errors import ReportError

HEADER = ["date", "region", "product", "quantity", "unit_price"]


@dataclass(frozen=True)
class Sale:
    date: datetime.date
    region: str
    product: str
    quantity: int
    unit_price: Decimal

    @property
    def revenue(self) -> Decimal:
        return self.quantity * self.unit_price


def parse_sales(csv_text: str) -> list[Sale]:
    sales: list[Sale] = []
    header_seen = False
    for number, raw in enumerate(csv_text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not header_seen:
            if [cell.strip().lower() for cell in line.split(",")] != HEADER:
                raise ReportError(f"line {number}: unexpected header")
            header_seen = True
            continue
        sales.append(_parse_row(number, [cell.strip() for cell in line.split(",")]))
    if not header_seen:
        raise ReportError("no header")
    return sales


def _parse_row(number: int, fields: list[str]) -> Sale:
    def fail(problem: str) -> ReportError:
        return ReportError(f"line {number}: {problem}")

    if len(fields) != len(HEADER):
        raise fail(f"expected {len(HEADER)} fields, got {len(fields)}")
    date, region, product, quantity, price = fields
    try:
        day = datetime.date.fromisoformat(date)
    except ValueError:
        raise fail(f"bad date {date!r}") from None
    if not region:
        raise fail("empty region")
    if not product:
        raise fail("empty product")
    try:
        count = int(quantity)
    except ValueError:
        count = 0
    if count <= 0:
        raise fail(f"bad quantity {quantity!r}")
    try:
        unit_price = Decimal(price)
    except InvalidOperation:
        unit_price = Decimal("NaN")
    if not unit_price.is_finite() or unit_price < 0:
        raise fail(f"bad price {price!r}")
    return Sale(day, region, product, count, unit_price)
