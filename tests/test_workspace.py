from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.agent.exceptions import ToolError
from pipeline.agent.workspace import EditArgs, PathArg, SearchArgs, Workspace, WriteArgs


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "wt"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "mod.py").write_text("def f():\n    return 1\n")
    (root / ".git").mkdir()
    return Workspace(root)


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "pkg/../../x",
                                  ".git/config"])
def test_paths_outside_are_refused(ws: Workspace, path: str) -> None:
    with pytest.raises(ToolError):
        ws.read_file(PathArg(path=path))
    with pytest.raises(ToolError):
        ws.write_file(WriteArgs(path=path, content="x"))


def test_symlink_out_is_refused(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("s3cret")
    os.symlink(tmp_path / "secret.txt", ws.root / "link.txt")
    with pytest.raises(ToolError, match="outside the repository"):
        ws.read_file(PathArg(path="link.txt"))


def test_edit_needs_exactly_one_occurrence(ws: Workspace) -> None:
    with pytest.raises(ToolError, match="occurs 0 times"):
        ws.edit_file(EditArgs(path="pkg/mod.py", old="nope", new="x"))
    ws.edit_file(EditArgs(path="pkg/mod.py", old="return 1", new="return 2"))
    assert "return 2" in (ws.root / "pkg" / "mod.py").read_text()


def test_list_and_search_skip_git(ws: Workspace) -> None:
    (ws.root / ".git" / "HEAD").write_text("ref")
    assert ws.list_files(PathArg(path=".")) == "pkg/mod.py"
    assert ws.search(SearchArgs(pattern="return")) == "pkg/mod.py:2:     return 1"


def test_run_is_refused_without_a_sandbox(ws: Workspace) -> None:
    from pipeline.agent.workspace import RunArgs

    with pytest.raises(ToolError, match="not available"):
        ws.run(RunArgs(command="ls"))
