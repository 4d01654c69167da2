#!/usr/bin/env python3
"""pre-commit entry point for factory-lesson-trailer: validate a `Lesson:` trailer (commit-msg), record it (post-commit)."""

import os
import sys

# Run the package from this checkout (the rev pre-commit pinned), not whatever is installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

try:
    from pipeline.precommit.trailer import main
except ImportError as exc:
    sys.exit(
        f"{exc}: this hook needs the factory's dependencies (pydantic, PyYAML) in the "
        "python3 on PATH: activate the environment where dark-factory is installed"
    )

sys.exit(main())
