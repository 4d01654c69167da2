import subprocess
import sys
from pathlib import Path

import pytest

from mdtools.cli import main
from mdtools.toc import anchor, build_toc

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("text", "expected"), [
    ("Install", "install"),
    ("Getting Started", "getting-started"),
    ("What's new? (v2.0)", "whats-new-v20"),
    ("C++ & Rust", "c--rust"),
    ("snake_case-name", "snake_case-name"),
    ("a  b", "a--b"),
    ("Ünïcode Straße", "ünïcode-straße"),
    ("日本語 ガイド", "日本語-ガイド"),
    ("Tabs\there", "tabshere"),
    ("`code` *emphasis*", "code-emphasis"),
    ("Version 1.2.3", "version-123"),
])
def test_anchor(text, expected):
    assert anchor(text) == expected


def test_anchor_without_seen_never_suffixes():
    assert anchor("Usage") == anchor("Usage") == "usage"


def test_repeats_get_numbered():
    seen = {}
    assert [anchor("Usage", seen) for _ in range(3)] == ["usage", "usage-1", "usage-2"]
    assert anchor("Other", seen) == "other"
    assert anchor("USAGE", seen) == "usage-3"


def test_build_toc():
    doc = ("# Project\n\nintro\n\n## Install\n\n### Linux\n\n### macOS\n\n"
           "## Usage\n\n```\n# not a heading\n```\n\n## FAQ ##\n")
    assert build_toc(doc) == (
        "- [Project](#project)\n"
        "  - [Install](#install)\n"
        "    - [Linux](#linux)\n"
        "    - [macOS](#macos)\n"
        "  - [Usage](#usage)\n"
        "  - [FAQ](#faq)\n")


def test_indent_is_relative_to_the_smallest_level():
    doc = "### Deep\n\n## Less deep\n\n### Deep again\n"
    assert build_toc(doc) == ("  - [Deep](#deep)\n- [Less deep](#less-deep)\n"
                              "  - [Deep again](#deep-again)\n")


def test_max_level_and_anchor_uniqueness():
    doc = "# A\n## Notes\n#### Notes\n## Notes\n"
    assert build_toc(doc, max_level=2) == ("- [A](#a)\n  - [Notes](#notes)\n"
                                           "  - [Notes](#notes-2)\n")
    assert build_toc(doc, max_level=6).splitlines()[2] == "      - [Notes](#notes-1)"
    assert build_toc("## Only\n", max_level=1) == ""


def test_no_headings():
    assert build_toc("") == ""
    assert build_toc("just text\n```\n# code\n```\n") == ""


@pytest.mark.parametrize("level", [0, 7, -1])
def test_max_level_range(level):
    with pytest.raises(ValueError):
        build_toc("# A\n", max_level=level)


def test_cli_toc(tmp_path, capsys):
    (tmp_path / "doc.md").write_text("# Título\n## Sección\n### Más\n", encoding="utf-8")
    assert main(["toc", str(tmp_path / "doc.md")]) == 0
    assert capsys.readouterr().out == ("- [Título](#título)\n  - [Sección](#sección)\n"
                                       "    - [Más](#más)\n")
    assert main(["toc", "--max-level", "2", str(tmp_path / "doc.md")]) == 0
    assert capsys.readouterr().out == "- [Título](#título)\n  - [Sección](#sección)\n"


def test_cli_toc_without_headings(tmp_path, capsys):
    (tmp_path / "doc.md").write_text("nothing here\n", encoding="utf-8")
    assert main(["toc", str(tmp_path / "doc.md")]) == 0
    assert capsys.readouterr().out == ""


def test_cli_toc_missing_file(tmp_path, capsys):
    assert main(["toc", str(tmp_path / "none.md")]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("mdtools: cannot read") and captured.out == ""


@pytest.mark.parametrize("value", ["0", "7", "two"])
def test_cli_bad_max_level(tmp_path, capsys, value):
    (tmp_path / "doc.md").write_text("# A\n", encoding="utf-8")
    try:
        status = main(["toc", "--max-level", value, str(tmp_path / "doc.md")])
    except SystemExit as stop:  # argparse's way; returning 2 is fine too
        status = stop.code
    assert status == 2
    assert "usage:" in capsys.readouterr().err


def test_headings_command_unchanged(tmp_path, capsys):
    (tmp_path / "doc.md").write_text("# A\n## B\n", encoding="utf-8")
    assert main(["headings", str(tmp_path / "doc.md")]) == 0
    assert capsys.readouterr().out == "A\n  B\n"


def test_module_entry_point(tmp_path):
    (tmp_path / "doc.md").write_text("# A\n## B\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mdtools", "toc", str(tmp_path / "doc.md")],
                          capture_output=True, text=True, timeout=20, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8",
                               "PATH": "/usr/bin:/bin"})
    assert (done.returncode, done.stdout) == (0, "- [A](#a)\n  - [B](#b)\n")
