"""The sales report: parse, summarise per region, render."""

from sales.errors import ReportError
from sales.parsing import parse_sales
from sales.render import render
from sales.summary import period, summarize

__all__ = ["ReportError", "build_report"]


def build_report(csv_text: str) -> str:
    sales = parse_sales(csv_text)
    return render(summarize(sales), period(sales))
