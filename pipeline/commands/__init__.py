"""One module per `factory` subcommand: parse, call, print.

May import: anything in pipeline (nothing imports commands but the CLI)."""
