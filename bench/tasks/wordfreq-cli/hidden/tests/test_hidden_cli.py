import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args, stdin="", cwd=None):
    return subprocess.run([sys.executable, "-m", "wordfreq", *args], input=stdin, text=True,
                          capture_output=True, cwd=cwd or ROOT, timeout=20,
                          env={"PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8",
                               "PATH": "/usr/bin:/bin"})


def test_reads_stdin_and_sorts_ties_alphabetically():
    done = run(stdin="b a c b a b\n")
    assert done.returncode == 0
    assert done.stdout == "3\tb\n2\ta\n1\tc\n"


def test_files_are_counted_together_and_top_limits(tmp_path):
    (tmp_path / "one.txt").write_text("Zebra apple mango apple", encoding="utf-8")
    (tmp_path / "two.txt").write_text("mango MANGO kiwi zebra ändern", encoding="utf-8")
    done = run("--top", "3", str(tmp_path / "one.txt"), str(tmp_path / "two.txt"))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "3\tmango\n2\tapple\n2\tzebra\n"


def test_default_top_is_ten():
    words = " ".join(["x" + chr(97 + i) for i in range(15)])
    done = run(stdin=words)
    assert done.stdout.splitlines() == [f"1\tx{chr(97 + i)}" for i in range(10)]


def test_min_length_filters_before_top():
    done = run("--min-length", "4", "--top", "2", stdin="a a a a to to to tree tree house")
    assert done.stdout == "2\ttree\n1\thouse\n"


def test_dash_is_stdin_alongside_files(tmp_path):
    (tmp_path / "f.txt").write_text("café café", encoding="utf-8")
    done = run(str(tmp_path / "f.txt"), "-", stdin="café thé")
    assert done.stdout == "3\tcafé\n1\tthé\n"


def test_no_words_prints_nothing():
    done = run(stdin="123 ... 456\n")
    assert done.returncode == 0 and done.stdout == ""


@pytest.mark.parametrize("args", [["--top", "0"], ["--top", "-1"], ["--top", "abc"],
                                  ["--min-length", "0"]])
def test_bad_numbers_are_usage_errors(args):
    done = run(*args, stdin="a b")
    assert done.returncode == 2
    assert "usage:" in done.stderr
    assert done.stdout == ""


def test_unreadable_files(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("fine words here", encoding="utf-8")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    for path in ["missing.txt", str(tmp_path), str(bad)]:
        done = run(str(good), path, cwd=tmp_path)
        assert done.returncode == 1
        assert done.stdout == ""
        assert done.stderr.startswith(f"wordfreq: cannot read {path}")
        assert len(done.stderr.strip().splitlines()) == 1


def test_main_returns_the_status(tmp_path, capsys):
    from wordfreq.cli import main

    (tmp_path / "f.txt").write_text("one two two", encoding="utf-8")
    assert main([str(tmp_path / "f.txt")]) == 0
    assert capsys.readouterr().out == "2\ttwo\n1\tone\n"
    assert main([str(tmp_path / "nope.txt")]) == 1
