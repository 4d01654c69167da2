"""Plain-text sales reports from CSV exports."""

from sales.report import ReportError, build_report

__all__ = ["ReportError", "build_report"]
