"""The Actions flow: routing an event to a job (events.py), the role jobs the workflow runs
(job.py, issue_jobs.py, pr_jobs.py, panel_jobs.py), the outputs they emit, the detect job that
judges them and the writer that validates and applies them (outputs/), and nightly's requeue.

May import: core, config, ledger, sandbox, forge, memory, agent, precommit, roles, review,
detection, steps, observe, nightly, templates."""
