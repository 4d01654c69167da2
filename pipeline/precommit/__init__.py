"""pre-commit hooks: lessons guard every commit, people teach the factory with a trailer.

Modules here that run on every commit (`lessons`, `diff`, `globs`) import only the standard
library; the others may import the package's heavier modules.

May import: core, config, memory, sandbox.
"""
