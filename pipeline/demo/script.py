"""The demo's scripted model: what a capable model would do for the demo brief, step by step."""

from __future__ import annotations

import sys

from pipeline.demo.model_server import call
from pipeline.demo.scripted import ScriptedModel

BRIEF = ("Add top_words(text, n) to wordstats, returning the n most common words with their "
         "counts, and a command line `python -m wordstats FILE --top N` that prints them, one "
         "`word count` pair per line.")

CORE = '''import re
from collections import Counter

WORD = re.compile(r"[A-Za-z']+")


def words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


def count_words(text: str) -> int:
    return len(words(text))


def top_words(text: str, n: int) -> list[tuple[str, int]]:
    """The n most common words, most frequent first; ties in alphabetical order."""
    counts = Counter(words(text))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]
'''

INIT = '''from wordstats.core import count_words, top_words

__all__ = ["count_words", "top_words"]
'''

TOP_TESTS = '''import unittest

from wordstats import top_words


class TopWordsTest(unittest.TestCase):
    def test_most_common_first(self) -> None:
        self.assertEqual(top_words("b a b c b a", 2), [("b", 3), ("a", 2)])

    def test_ties_alphabetical(self) -> None:
        self.assertEqual(top_words("y x", 5), [("x", 1), ("y", 1)])
'''

MAIN = '''import argparse
import sys

from wordstats.core import top_words


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wordstats", description="Most common words in a file.")
    parser.add_argument("file")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)
    with open(args.file, encoding="utf-8") as handle:
        text = handle.read()
    for word, count in top_words(text, args.top):
        print(f"{word} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''

CLI_TESTS = '''import io
import tempfile
import unittest
from contextlib import redirect_stdout

from wordstats.__main__ import main


class CliTest(unittest.TestCase):
    def test_prints_top_words(self) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write("to be or not to be")
        out = io.StringIO()
        with redirect_stdout(out):
            main([handle.name, "--top", "2"])
        self.assertEqual(out.getvalue(), "be 2\\nto 2\\n")
'''


def python() -> str:
    return sys.executable


def test_command() -> str:
    return f"{python()} -m unittest discover -s tests -t . -q"


def demo_script() -> ScriptedModel:
    py = python()
    ac1 = f"{py} -c \"from wordstats import top_words; print(top_words('b a b c b a', 2))\""
    ac2 = "printf 'to be or not to be' > /tmp/wordstats-demo.txt && " \
          f"{py} -m wordstats /tmp/wordstats-demo.txt --top 2"
    plan = call(
        "submit_plan",
        spec=("Add `top_words(text, n)` to the wordstats package (exported from `wordstats`) "
              "and a command line `python -m wordstats FILE --top N`.\n\n## Assumptions\n"
              "- Words are compared case-insensitively; ties are ordered alphabetically."),
        acceptance_criteria=[
            {"id": "AC1", "text": "`from wordstats import top_words; top_words('b a b c b a', 2)` "
                                  "returns [('b', 3), ('a', 2)]"},
            {"id": "AC2", "text": "`python -m wordstats FILE --top 2` on a file containing "
                                  "'to be or not to be' prints `be 2` and `to 2`, one per line"},
        ],
        tasks=[
            {"id": "T1", "title": "top_words function",
             "description": "Add top_words(text, n) to wordstats/core.py, export it, test it.",
             "depends_on": [], "criteria": ["AC1"],
             "checks": ["`from wordstats import top_words` works and tests/test_top_words.py "
                        "passes"]},
            {"id": "T2", "title": "wordstats command line",
             "description": "Add wordstats/__main__.py printing top words of a file; test it.",
             "depends_on": ["T1"], "criteria": ["AC2"],
             "checks": ["`python -m wordstats --help` exits 0 and tests/test_cli.py passes"]},
        ])
    return ScriptedModel({
        ("planner",): [call("list_files", path="."), call("read_file", path="wordstats/core.py"),
                       plan],
        ("generator", "T1"): [
            call("read_file", path="wordstats/core.py"),
            call("write_file", path="wordstats/core.py", content=CORE),
            call("write_file", path="wordstats/__init__.py", content=INIT),
            call("write_file", path="tests/test_top_words.py", content=TOP_TESTS),
            call("run", command=test_command()),
            call("finish", summary="Added top_words with tests; exported it from wordstats."),
        ],
        ("generator", "T2"): [
            call("write_file", path="wordstats/__main__.py", content=MAIN),
            call("write_file", path="tests/test_cli.py", content=CLI_TESTS),
            call("run", command=test_command()),
            call("finish", summary="Added `python -m wordstats FILE --top N` with a test."),
        ],
        ("reviewer", "T1"): [
            call("read_file", path="wordstats/core.py"),
            call("submit_review", verdict="approve", findings=[
                {"path": "wordstats/core.py", "line": 16, "severity": "nit",
                 "title": "Document n <= 0", "body": "Say what top_words returns for n <= 0."}]),
        ],
        ("reviewer", "T2"): [call("submit_review", verdict="approve", findings=[])],
        ("evaluator", "T1"): [
            call("run", command=ac1),
            call("submit_evaluation", verdict="pass", criteria=[
                {"id": "AC1", "met": True, "evidence": f"ran `{ac1}`: [('b', 3), ('a', 2)]"},
                {"id": "T1-check1", "met": True, "evidence": "the import works; the tests pass"}]),
        ],
        ("evaluator", "T2"): [
            call("run", command=ac2),
            call("submit_evaluation", verdict="pass", criteria=[
                {"id": "AC2", "met": True, "evidence": "ran the CLI: printed `be 2` and `to 2`"},
                {"id": "T2-check1", "met": True, "evidence": "--help exits 0; the tests pass"}]),
        ],
        ("learner",): [call("submit_lessons", lessons=[{
            "kind": "pattern",
            "trigger": "when adding a public function to the wordstats package",
            "insight": "export it from wordstats/__init__.py and list it in __all__, because "
                       "users and the evaluator import from the package, not the module",
            "evidence": "T1 exported top_words from wordstats; the acceptance check ran "
                        "`from wordstats import top_words`",
            "tags": ["api"], "paths": ["wordstats/__init__.py"]}])],
        ("evaluator", None): [
            call("run", command=ac1),
            call("run", command=ac2),
            call("submit_evaluation", verdict="pass", criteria=[
                {"id": "AC1", "met": True, "evidence": "printed [('b', 3), ('a', 2)]"},
                {"id": "AC2", "met": True, "evidence": "printed `be 2` then `to 2`"}]),
        ],
    })
