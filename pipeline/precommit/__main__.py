"""`python -m pipeline.precommit NAME [ARGS]` (or `factory-hook NAME`): run one hook by name."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

MODULES = {"lessons": "lessons", "lesson-trailer": "trailer", "config": "config_check"}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in MODULES:
        print(f"usage: factory-hook {{{','.join(MODULES)}}} [FILE...]", file=sys.stderr)
        return 2
    # Imported by name so that `lessons` never pays for the heavier modules.
    module = importlib.import_module(f"pipeline.precommit.{MODULES[args[0]]}")
    result: int = module.main(args[1:])
    return result


if __name__ == "__main__":
    sys.exit(main())
