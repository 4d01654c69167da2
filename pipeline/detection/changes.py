"""A change as detection reads it: every file's new mode, size and link target, and the patch.

Read with the factory's inert host git, from commits (a branch against its base) or from a
worktree's index (what the next commit would hold).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core import git, proc

PATCH_CAP = 8_000_000
"""Read at most this much patch; a larger one is over every cap anyway."""
SYMLINK, GITLINK = "120000", "160000"
SEE_GITLINKS = "--ignore-submodules=none"
"""Host git hides submodules from diffs (git.INERT): detection must see every gitlink."""


@dataclass(frozen=True)
class ChangedFile:
    path: str
    status: str
    """A(dded), M(odified), D(eleted), T(ype changed)."""
    mode: str
    """The new mode: 100644, 100755, 120000 (symlink), 160000 (an embedded repository)."""
    size: int = 0
    link_target: str | None = None


@dataclass(frozen=True)
class Change:
    name: str
    """What the change is called in findings: a branch, or `the worktree`."""
    files: list[ChangedFile] = field(default_factory=list)
    patch: str = ""

    @property
    def paths(self) -> list[str]:
        return [f.path for f in self.files]

    def added_text(self) -> str:
        """Every added line, whatever file it is in (what a secret scan reads)."""
        return "\n".join(row[1:] for row in self.patch.splitlines()
                         if row.startswith("+") and not row.startswith("+++ "))

    def added_lines(self) -> list[tuple[str, int, str]]:
        """(path, line in the new file, text) of every added line."""
        found: list[tuple[str, int, str]] = []
        path, line = "", 0
        for row in self.patch.splitlines():
            if row.startswith("+++ "):
                name = _unquote(row[4:].rstrip("\t"))  # git ends a name with a space so
                path = name[2:] if name.startswith("b/") else ""
            elif row.startswith("@@"):
                new = row.split("+", 1)[1].split(" ", 1)[0]
                line = int(new.split(",")[0])
            elif row.startswith("+") and path:
                found.append((path, line, row[1:]))
                line += 1
            elif row.startswith(" "):
                line += 1
        return found


def _unquote(name: str) -> str:
    """A path as git prints it in a patch header: C-quoted when it holds unusual bytes, which
    must not hide a file's added lines from the checks."""
    if not (name.startswith('"') and name.endswith('"')):
        return name
    raw = codecs.escape_decode(name[1:-1].encode("utf-8"))[0]
    assert isinstance(raw, bytes)
    return raw.decode("utf-8", "replace")


def _files(repo: Path, raw: str) -> list[ChangedFile]:
    fields = raw.split("\0")
    entries: list[tuple[str, str, str, str]] = []
    for index in range(0, len(fields) - 1, 2):
        meta, path = fields[index], fields[index + 1]
        if not meta.startswith(":"):
            break
        _, new_mode, _, new_sha, status = meta[1:].split(" ")
        entries.append((path, status[:1], new_mode, new_sha))
    shas = [sha for _, status, _, sha in entries if status != "D"]
    sizes: dict[str, int] = {}
    if shas:
        checked = git.git_result(repo, "cat-file", "--batch-check",
                                 input_text="\n".join(shas) + "\n")
        for row in checked.stdout.splitlines():
            parts = row.split()
            if len(parts) == 3 and parts[2].isdigit():
                sizes[parts[0]] = int(parts[2])
    files = []
    for path, status, mode, sha in entries:
        target = git.git(repo, "cat-file", "blob", sha) if mode == SYMLINK else None
        files.append(ChangedFile(path, status, mode, sizes.get(sha, 0), target))
    return files


def between(repo: Path, name: str, base: str, head: str) -> Change:
    """What merging head into base would change (against their merge base)."""
    raw = git.git_result(repo, "diff", "--raw", "-z", "--no-renames", "--no-abbrev",
                         SEE_GITLINKS, f"{base}...{head}")
    patch = git.git_result(repo, "diff", "--no-renames", f"{base}...{head}", output_cap=PATCH_CAP)
    for result in (raw, patch):
        if not result.ok:
            raise proc.CommandFailed(result)
    return Change(name, _files(repo, raw.stdout), patch.stdout)


def staged(worktree: Path, base: str) -> Change:
    """Everything in worktree, staged, against its merge base with base: what committing now
    would add to what base already has."""
    git.git(worktree, "add", "-A")
    base = git.git(worktree, "merge-base", base, "HEAD")
    raw = git.git_result(worktree, "diff", "--cached", "--raw", "-z", "--no-renames",
                         "--no-abbrev", SEE_GITLINKS, base)
    patch = git.git_result(worktree, "diff", "--cached", "--no-renames", base,
                           output_cap=PATCH_CAP)
    for result in (raw, patch):
        if not result.ok:
            raise proc.CommandFailed(result)
    return Change("the worktree", _files(worktree, raw.stdout), patch.stdout)
