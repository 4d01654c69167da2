"""The sparse BM25 vector: identifier-aware tokens, Snowball stems, saturated term frequency.

Qdrant multiplies each query term by its IDF (`Modifier.IDF`), so the document side carries
only BM25's saturated, length-normalised term frequency and the query side plain ones.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

K1 = 1.2
B = 0.75
# A fixed average length keeps every stored vector valid as the collection grows; lessons
# are short and similar in length, so the error against the true average is small.
AVG_DOC_LEN = 40.0
MAX_QUERY_TERMS = 64

_STOP_TEXT = """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers him his how i if in into is it its itself just me more
most my no nor not of off on once only or other our ours out over own same she should so some
such than that the their theirs them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your
yours also via etc eg ie use used using instead always never don t s
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_WORD = re.compile(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*|[A-Za-z0-9]+")
# Boundaries inside an identifier: fooBar, HTTPServer, v2Api, snake_case.
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    stemmer = _stemmer()
    return str(stemmer.stemWord(word))  # type: ignore[attr-defined]


def _pieces(raw: str) -> list[str]:
    parts = [p.lower() for chunk in raw.split("_") for p in _PART.findall(chunk)]
    if len(parts) > 1:
        # The whole identifier too, so an exact name outranks its scattered parts.
        return [*parts, raw.lower().replace("_", "")]
    return parts or [raw.lower()]


def tokens(text: str) -> list[str]:
    """Stemmed terms of text, identifiers split into their words, stop words dropped."""
    out: list[str] = []
    for raw in _WORD.findall(text):
        for piece in _pieces(raw):
            if len(piece) < 2 or piece in STOP_WORDS:
                continue
            out.append(piece if piece.isdigit() else _stem(piece))
    return out


def term_index(term: str) -> int:
    return zlib.crc32(term.encode())


@dataclass(frozen=True)
class Sparse:
    indices: list[int]
    values: list[float]


def _to_sparse(weights: dict[int, float]) -> Sparse:
    ordered = sorted(weights.items())
    return Sparse([i for i, _ in ordered], [round(v, 5) for _, v in ordered])


def encode_document(fields: Iterable[tuple[str, float]]) -> Sparse:
    """BM25 document weights over (text, field weight) pairs: a field weight multiplies counts."""
    counts: defaultdict[str, float] = defaultdict(float)
    for text, weight in fields:
        for term in tokens(text):
            counts[term] += weight
    length = sum(counts.values())
    norm = K1 * (1 - B + B * length / AVG_DOC_LEN)
    weights: dict[int, float] = {}
    for term, tf in counts.items():
        index = term_index(term)
        weights[index] = weights.get(index, 0.0) + tf * (K1 + 1) / (tf + norm)
    return _to_sparse(weights)


def encode_query(text: str, max_terms: int = MAX_QUERY_TERMS) -> Sparse:
    """The first max_terms distinct terms: embedded Qdrant's cost grows with query length."""
    weights: dict[int, float] = {}
    for term in tokens(text):
        if len(weights) >= max_terms:
            break
        weights[term_index(term)] = 1.0
    return _to_sparse(weights)
