"""python -m mdtools COMMAND FILE"""

import argparse
import sys

from mdtools.headings import headings
from mdtools.toc import build_toc


def read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        print(f"mdtools: cannot read {path}: {error}", file=sys.stderr)
        return None


def level(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 1 <= value <= 6:
        raise argparse.ArgumentTypeError(f"must be 1 to 6, not {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mdtools")
    commands = parser.add_subparsers(dest="command", required=True)
    outline = commands.add_parser("headings", help="print the outline")
    outline.add_argument("file")
    toc = commands.add_parser("toc", help="print a table of contents")
    toc.add_argument("--max-level", type=level, default=3, help="deepest level listed (1-6)")
    toc.add_argument("file")
    args = parser.parse_args(argv)

    text = read(args.file)
    if text is None:
        return 1
    if args.command == "toc":
        sys.stdout.write(build_toc(text, args.max_level))
        return 0
    for heading in headings(text):
        print("  " * (heading.level - 1) + heading.text)
    return 0
