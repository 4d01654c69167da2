"""python -m mdtools COMMAND FILE"""

import argparse
import sys

from mdtools.headings import headings


def read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        print(f"mdtools: cannot read {path}: {error}", file=sys.stderr)
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mdtools")
    commands = parser.add_subparsers(dest="command", required=True)
    outline = commands.add_parser("headings", help="print the outline")
    outline.add_argument("file")
    args = parser.parse_args(argv)

    text = read(args.file)
    if text is None:
        return 1
    for heading in headings(text):
        print("  " * (heading.level - 1) + heading.text)
    return 0
