"""The nightly schedule: what to pick up again (select.py), what a retry must do (retriers.py:
each flow brings its own), and the night's run — retries, memory consolidation, the digest.

May import: core, config, ledger, forge, memory, steps, observe."""
