"""Safe outputs: role jobs emit operations, the writer (`factory apply`) validates and applies them.

May import: core, config, forge, memory, precommit, observe."""
