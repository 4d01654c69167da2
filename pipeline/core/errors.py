"""The factory's error family: each error carries the exit code the CLI returns for it."""

from __future__ import annotations

import click


class FactoryError(click.ClickException):
    """Base of every error a user should see as one line, not a traceback."""

    exit_code = 1


class BadInput(FactoryError):
    """Bad usage, bad config or bad input: nothing was written."""

    exit_code = 2


class WorkFailed(FactoryError):
    """The work itself failed: tests red, a role gave up, a task blocked."""

    exit_code = 1


class BudgetExceeded(WorkFailed):
    """A budget cap was reached; the run stopped cleanly with its state kept."""


class ModelUnavailable(WorkFailed):
    """The model could not be reached after retries and fallbacks."""
