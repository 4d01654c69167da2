"""python -m wordfreq [--top N] [--min-length L] [FILE ...]"""

import argparse
import sys
from collections import Counter

from wordfreq.counting import count_words


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wordfreq", description="Print the most frequent words.")
    parser.add_argument("--top", type=positive, default=10, help="how many words (default 10)")
    parser.add_argument("--min-length", type=positive, default=1, help="shortest word counted")
    parser.add_argument("files", nargs="*", metavar="FILE", help="files to read; - is stdin")
    args = parser.parse_args(argv)
    counts: Counter = Counter()
    for name in args.files or ["-"]:
        if name == "-":
            counts.update(count_words(sys.stdin.read()))
            continue
        try:
            with open(name, encoding="utf-8") as handle:
                counts.update(count_words(handle.read()))
        except (OSError, UnicodeDecodeError) as error:
            print(f"wordfreq: cannot read {name}: {error}", file=sys.stderr)
            return 1
    kept = [(word, count) for word, count in counts.items() if len(word) >= args.min_length]
    kept.sort(key=lambda pair: (-pair[1], pair[0]))
    for word, count in kept[: args.top]:
        print(f"{count}\t{word}")
    return 0
