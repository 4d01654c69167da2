"""factory.yaml → an immutable, typed config (settings.py; field docstrings are the file's
documentation), environment overrides, and the commented file `factory init` writes
(template.py).

May import: core."""
