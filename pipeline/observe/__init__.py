"""Watching the factory: issue snapshots, the daily digest, charts, the dashboard and the report.

May import: core, config, ledger, forge, memory, steps."""
