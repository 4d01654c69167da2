"""Merging the panel's findings: one finding per problem, saying which models agreed.

The rule: two findings from *different* reviewers are the same problem when they name the same
file, their lines are at most `LINE_WINDOW` apart, and their text is alike: the titles'
difflib ratio is at least `TITLE_RATIO`, or the Jaccard overlap of the stemmed words of title
and body is at least `JACCARD` (`JACCARD_SAME_LINE` when both point at the very same line).
Two findings from one reviewer are never merged: it reported them as two problems.

Findings are clustered greedily, most severe first; a merged finding takes the severity, line
and text of its most severe report and lists every reviewer in its cluster. Merged findings are
ranked by severity first, then by how many reviewers agreed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache
from typing import Any

from pipeline.roles.schemas import SEVERITY_RANK, Finding, MergedFinding

LINE_WINDOW = 3
TITLE_RATIO = 0.6
JACCARD = 0.3
JACCARD_SAME_LINE = 0.15
_WORD = re.compile(r"[a-z0-9_]+")
_STOP = frozenset({"the", "and", "for", "not", "but", "this", "that", "with", "from", "into",
                   "when", "then", "than", "are", "was", "were", "has", "have", "had", "its",
                   "should", "would", "could", "can", "will", "does", "did", "any", "all",
                   "use", "used", "line", "file", "code", "here", "there", "which", "what"})


@cache
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def words(text: str) -> frozenset[str]:
    found = [w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP]
    return frozenset(_stemmer().stemWords(found))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def alike(a: Finding | MergedFinding, b: Finding | MergedFinding, same_line: bool = False) -> bool:
    """Similar text, by the thresholds in the module docstring."""
    if SequenceMatcher(None, a.title.lower(), b.title.lower()).ratio() >= TITLE_RATIO:
        return True
    overlap = jaccard(words(f"{a.title} {a.body}"), words(f"{b.title} {b.body}"))
    return overlap >= (JACCARD_SAME_LINE if same_line else JACCARD)


def same_problem(a: Finding, b: Finding) -> bool:
    if a.path != b.path or abs(a.line - b.line) > LINE_WINDOW:
        return False
    return alike(a, b, same_line=a.line == b.line and a.line > 0)


@dataclass
class _Cluster:
    members: list[tuple[str, Finding]] = field(default_factory=list)

    def reviewers(self) -> set[str]:
        return {name for name, _ in self.members}

    def accepts(self, reviewer: str, finding: Finding) -> bool:
        return reviewer not in self.reviewers() and any(
            same_problem(finding, other) for _, other in self.members)


def finding_id(path: str, title: str) -> str:
    return hashlib.sha1(f"{path}\n{title}".encode()).hexdigest()[:10]


def merge_findings(reports: Sequence[tuple[str, Sequence[Finding]]]) -> list[MergedFinding]:
    """reports: (reviewer name, its findings) per reviewer → merged findings, ranked."""
    flat = [(order, name, finding) for order, (name, findings) in enumerate(reports)
            for finding in findings]
    flat.sort(key=lambda item: (SEVERITY_RANK[item[2].severity], item[0]))
    clusters: list[_Cluster] = []
    for _order, name, finding in flat:
        home = next((c for c in clusters if c.accepts(name, finding)), None)
        if home is None:
            home = _Cluster()
            clusters.append(home)
        home.members.append((name, finding))
    merged = [_merged(cluster) for cluster in clusters]
    return sorted(merged, key=MergedFinding.sort_key)


def _merged(cluster: _Cluster) -> MergedFinding:
    _, first = cluster.members[0]
    also = [f"{name}: {f.title}" for name, f in cluster.members[1:]
            if f.title.strip().lower() != first.title.strip().lower()]
    return MergedFinding(id=finding_id(first.path, first.title), path=first.path,
                         line=first.line, severity=first.severity, title=first.title,
                         body=first.body, reviewers=[name for name, _ in cluster.members],
                         also=also)
