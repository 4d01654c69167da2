"""Running the agent's commands: its worktree, a scrubbed environment, bubblewrap isolation and
a timeout that kills the whole process tree (worktree.py); the Sandbox protocol.

May import: core, config."""
