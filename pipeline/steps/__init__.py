"""The steps both flows share — plan, build, review, evaluate, respond, learn — over one
issue's work in progress (work.py) and its run state (state.py). The local flow and the
Actions flow call these; nothing here knows which flow it runs in.

May import: core, config, ledger, sandbox, forge, memory, agent, precommit, roles, review,
detection."""
