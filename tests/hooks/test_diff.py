from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.precommit import diff
from tests.hooks.support import git, stage

PATCH = """\
diff --git a/a.py b/a.py
index 1..2 100644
--- a/a.py
+++ b/a.py
@@ -1,0 +2,2 @@ def f():
+first
++++ not a header
@@ -10 +12 @@
-old
+replaced
diff --git a/gone.py b/gone.py
deleted file mode 100644
--- a/gone.py
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git "a/we\\"ird\\tname.py" "b/we\\"ird\\tname.py"
new file mode 100644
--- /dev/null
+++ "b/we\\"ird\\tname.py"
@@ -0,0 +1 @@
+x = "\\303\\251"
\\ No newline at end of file
"""


def test_parse_numbers_added_lines_by_hunk() -> None:
    assert diff.parse(PATCH) == {
        "a.py": [(2, "first"), (3, "+++ not a header"), (12, "replaced")],
        'we"ird\tname.py': [(1, 'x = "\\303\\251"')],
    }


def test_added_lines_of_the_index_only(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (git_repo / "a.py").write_text("one\ntwo\n")
    git(git_repo, "add", "a.py")
    git(git_repo, "commit", "-qm", "a")
    stage(git_repo, "a.py", "one\nnew\ntwo\n")
    (git_repo / "a.py").write_text("one\nnew\ntwo\nunstaged\n")
    stage(git_repo, "b.py", "b\n")
    monkeypatch.chdir(git_repo)
    assert diff.added_lines() == {"a.py": [(2, "new")], "b.py": [(1, "b")]}
    assert diff.added_lines(["b.py"]) == {"b.py": [(1, "b")]}


def test_ref_range_from_pre_commit(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = git(git_repo, "rev-parse", "HEAD")
    stage(git_repo, "c.py", "c\n")
    git(git_repo, "commit", "-qm", "c")
    monkeypatch.chdir(git_repo)
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "HEAD")
    assert diff.added_lines() == {"c.py": [(1, "c")]}


def test_failure_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(diff.DiffError, match="git"):
        diff.added_lines()
