#!/usr/bin/env python3
"""pre-commit entry point for factory-lessons: lessons' checks against the added lines of the staged change."""

import os
import sys

# Run the package from this checkout (the rev pre-commit pinned), not whatever is installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pipeline.precommit.lessons import main

sys.exit(main())
