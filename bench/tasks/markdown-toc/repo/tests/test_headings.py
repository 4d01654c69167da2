from mdtools.cli import main
from mdtools.headings import Heading, headings

DOC = """# Title

Some text.

## Install ##

```sh
# not a heading
```

### Linux
#hashtag is not a heading
"""


def test_headings():
    assert headings(DOC) == [Heading(1, "Title", 1), Heading(2, "Install", 5),
                             Heading(3, "Linux", 11)]


def test_cli_outline(tmp_path, capsys):
    (tmp_path / "doc.md").write_text(DOC, encoding="utf-8")
    assert main(["headings", str(tmp_path / "doc.md")]) == 0
    assert capsys.readouterr().out == "Title\n  Install\n    Linux\n"


def test_cli_missing_file(tmp_path, capsys):
    assert main(["headings", str(tmp_path / "none.md")]) == 1
    assert capsys.readouterr().err.startswith("mdtools: cannot read ")
