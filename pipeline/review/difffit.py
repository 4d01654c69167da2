"""Fitting a diff into one reviewer's context window, without dropping anything silently.

The strategy, in order:

1. The budget: the model's input window (litellm's model info, `DEFAULT_CONTEXT_TOKENS` when
   litellm does not know the model) minus the rest of the prompt and an answer reserve, and
   never more than half the window, so the reviewer keeps room to read files with its tools.
2. Hunks that only delete lines are dropped from what is shown and listed as omitted (with
   their line range), as are deleted files and binary files: there is nothing to anchor a
   finding to in the new version.
3. The remaining files are ranked: files the task names first, then source before tests,
   tests before docs and config, and generated, lock and vendored files last; within a rank,
   the smaller change first (small, focused hunks are the cheapest to review fully).
4. Files are taken whole in that order while they fit; every file that does not fit is listed
   as left out, for the reviewer to read with `read_file`.

Every changed file ends up in exactly one of: shown, left out, omitted.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Sequence
from dataclasses import dataclass

from unidiff import PatchedFile, PatchSet
from unidiff.errors import UnidiffParseError

DEFAULT_CONTEXT_TOKENS = 32_000
ANSWER_RESERVE_TOKENS = 4_096
PROMPT_OVERHEAD_TOKENS = 1_500
"""The reviewer's system prompt and tool schemas, roughly, on top of the spec and task."""
CHARS_PER_TOKEN = 3.5
"""Conservative for code: real tokenizers average nearer 4 characters a token."""

GENERATED = ("*.lock", "*-lock.json", "*.lock.json", "*.min.js", "*.min.css", "*.map",
             "*_pb2.py", "*_pb2_grpc.py", "*.pb.go", "*.generated.*", "*.snap", "*.svg")
VENDORED = ("vendor/", "vendored/", "third_party/", "node_modules/", "dist/", "build/",
            "generated/", "_generated/", "site-packages/")
DOCS_AND_CONFIG = ("*.md", "*.rst", "*.txt", "*.yaml", "*.yml", "*.toml", "*.ini", "*.cfg",
                   "*.json")


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def context_tokens(model: str) -> int:
    """The model's input window as litellm knows it, or the default for unknown models."""
    import litellm

    try:
        info = litellm.get_model_info(model)
    except Exception:  # litellm raises several types for unmapped models; all mean "unknown"
        return DEFAULT_CONTEXT_TOKENS
    window = info.get("max_input_tokens") or info.get("max_tokens")
    return int(window) if window else DEFAULT_CONTEXT_TOKENS


def diff_budget(context: int, prompt_tokens: int) -> int:
    """Tokens the diff may take: the window minus the prompt and the answer, at most half."""
    reserve = min(ANSWER_RESERVE_TOKENS, context // 4)
    return max(0, min(context // 2, context - prompt_tokens - PROMPT_OVERHEAD_TOKENS - reserve))


@dataclass(frozen=True)
class FittedDiff:
    text: str
    shown: tuple[str, ...]
    left_out: tuple[str, ...]
    """Changed files not in the text: the reviewer reads them with its tools."""
    omitted: tuple[str, ...]
    """One line per thing dropped on purpose: deletion-only hunks, deleted and binary files."""
    budget_tokens: int

    @property
    def complete(self) -> bool:
        return not self.left_out and not self.omitted

    def accounted(self) -> set[str]:
        """Every path this fitting says something about."""
        return {*self.shown, *self.left_out, *(line.split(":", 1)[0] for line in self.omitted)}


def rank(path: str) -> int:
    """0 source, 1 tests, 2 docs and config, 3 generated, lock or vendored."""
    name = path.rsplit("/", 1)[-1]
    if any(fnmatch.fnmatch(name, pattern) for pattern in GENERATED) or \
            any(f"/{part}" in f"/{path}" for part in VENDORED):
        return 3
    if name.startswith("test_") or name.endswith(("_test.py", ".test.ts", ".test.js")) or \
            "/tests/" in f"/{path}" or "/test/" in f"/{path}":
        return 1
    if any(fnmatch.fnmatch(name, pattern) for pattern in DOCS_AND_CONFIG):
        return 2
    return 0


def _header(patched: PatchedFile) -> str:
    info = str(patched.patch_info)
    if not len(patched):
        return info
    return f"{info}--- {patched.source_file}\n+++ {patched.target_file}\n"


def _kept(patched: PatchedFile) -> tuple[str, list[str]]:
    """(the file's patch without deletion-only hunks, notes on what was dropped)."""
    kept, notes = [], []
    for hunk in patched:
        if hunk.added == 0 and hunk.removed > 0:
            gone = [line.source_line_no or 0 for line in hunk if line.is_removed]
            notes.append(f"{patched.path}: deletion-only hunk omitted (old lines "
                         f"{min(gone)}-{max(gone)} removed)")
        else:
            kept.append(str(hunk))
    return _header(patched) + "".join(kept), notes


def fit_diff(diff: str, budget_tokens: int, focus_paths: Sequence[str] = ()) -> FittedDiff:
    """The diff as it fits in budget_tokens; see the module docstring for the strategy."""
    try:
        patch = PatchSet(diff)
    except UnidiffParseError:
        # Not something we can split: show it whole if it fits, else say so.
        fits = estimate_tokens(diff) <= budget_tokens
        return FittedDiff(diff if fits else "", (), (), () if fits else
                          ("(unparsable diff): too large to show; read the changed files",),
                          budget_tokens)
    omitted: list[str] = []
    candidates: list[tuple[tuple[int, int, int], str, str]] = []
    focus = set(focus_paths)
    for patched in patch:
        path = patched.path
        if patched.is_binary_file:
            omitted.append(f"{path}: binary file changed")
            continue
        if patched.target_file == "/dev/null":  # not is_removed_file: an emptied file is not gone
            omitted.append(f"{path}: file deleted ({patched.removed} lines)")
            continue
        text, notes = _kept(patched)
        omitted.extend(notes)
        if len(patched) and all(h.added == 0 for h in patched):
            continue  # only deletions: fully described by the notes
        key = (0 if path in focus else 1, rank(path), patched.added + patched.removed)
        candidates.append((key, path, text))
    shown: list[str] = []
    left_out: list[str] = []
    parts: list[str] = []
    used = 0
    for _key, path, text in sorted(candidates, key=lambda c: c[0]):
        cost = estimate_tokens(text)
        if used + cost <= budget_tokens:
            parts.append(text)
            shown.append(path)
            used += cost
        else:
            left_out.append(path)
    return FittedDiff("".join(parts), tuple(shown), tuple(left_out), tuple(omitted), budget_tokens)
