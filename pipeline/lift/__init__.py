"""`factory bench`: the factory against a single agent on tasks with hidden tests — loading a task
set, running each task in each mode in its own process and fresh repository, judging the final
state with the hidden tests in the sandbox, and recording cost and outcome.

May import: local, steps, roles, agent, sandbox, ledger, observe, config, core."""
