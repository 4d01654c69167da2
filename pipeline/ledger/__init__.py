"""The ledger: every model call's tokens, cost and latency (SQLite under .factory/). The one
place budgets and spend are read from.

May import: core, config."""
