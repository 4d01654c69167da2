"""Where issues, comments, labels and PRs live: the Forge protocol and its implementations."""
