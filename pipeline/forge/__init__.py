"""Where issues, comments, labels and PRs live: the Forge protocol (protocol.py), GitHub over
PyGithub (github.py) and the embedded SQLite forge (local.py), tracking comments, and which
forge a command opens (select.py).

May import: core."""
