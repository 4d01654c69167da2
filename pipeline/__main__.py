"""`python -m pipeline` is `factory`."""

from pipeline.cli import main

main()
