"""The local flow: `factory run` on a repository with the embedded forge — checks before
anything is written, the run lock, then plan → build → check → merge in one process
(flow.py), and nightly's in-process resume.

May import: core, config, ledger, sandbox, forge, memory, agent, roles, steps, nightly,
detection."""
