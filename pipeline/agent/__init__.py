"""The tool-using agent: its loop, its tools, the model layer over litellm, and the budget
and context limits every model call passes through.

May import: core, config, ledger, sandbox."""
