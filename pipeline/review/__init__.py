"""The review panel: several reviewers on different models, their findings merged into one
review on the forge (see panel.py, merge.py, difffit.py, report.py)."""

from pipeline.review.flow import panel_feedback, review_change
from pipeline.review.merge import MergedFinding, merge_findings
from pipeline.review.panel import PanelInput, PanelResult, ReviewerOutcome, run_panel
from pipeline.review.report import Delta, PanelRecord, compare, latest, post_panel, records

__all__ = ["Delta", "MergedFinding", "PanelInput", "PanelRecord", "PanelResult",
           "ReviewerOutcome", "compare", "latest", "merge_findings", "panel_feedback",
           "post_panel", "records", "review_change", "run_panel"]
