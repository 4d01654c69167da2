import sys

from mdtools.cli import main

sys.exit(main())
