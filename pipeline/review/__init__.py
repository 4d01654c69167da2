"""The review panel's machinery: several reviewers on different models (panel.py), their
findings merged into one (merge.py), a diff fitted to each model's window (difffit.py), and one
review posted on the forge (report.py). The review *step* that drives it is steps/review.py.

May import: core, config, agent, roles, forge."""
