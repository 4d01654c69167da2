"""One module per `factory` subcommand: parse, call, print."""
