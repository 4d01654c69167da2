"""Safe outputs: role jobs emit operations, the detect job judges them (`factory detect`), the
writer (`factory apply`) validates and applies them, or holds them for a person.

May import: core, config, ledger, agent, roles, forge, memory, precommit, observe, detection."""
