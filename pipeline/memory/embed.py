"""Dense embedders behind `memory.embedding`: none, a litellm model, or a local model."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from pipeline.core.errors import BadInput, FactoryError

LOCAL_PREFIX = "local:"


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


class LiteLLMEmbedder:
    """Any embedding model litellm reaches: `openai/...`, `voyage/...`, `ollama/...`."""

    def __init__(self, model: str) -> None:
        self.name = model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        import litellm

        try:
            response = litellm.embedding(model=self.name, input=list(texts))
        except Exception as exc:  # litellm raises many provider-specific types
            raise FactoryError(f"embedding with {self.name} failed: {exc}") from None
        rows = sorted(response.data, key=lambda row: int(row["index"]))
        return [[float(x) for x in row["embedding"]] for row in rows]


class LocalEmbedder:
    """A sentence-transformers model by name or directory (`pip install dark-factory[local]`)."""

    def __init__(self, spec: str) -> None:
        self.name = spec
        self._target = spec[len(LOCAL_PREFIX):]
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise BadInput(f"memory.embedding is {spec!r} but sentence-transformers is not "
                           "installed: pip install 'dark-factory[local]'") from None
        self._model = SentenceTransformer(self._target, device="cpu")

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors = self._model.encode(list(texts), normalize_embeddings=True,
                                     show_progress_bar=False)
        return [[float(x) for x in row] for row in vectors]


@lru_cache(maxsize=4)
def make_embedder(spec: str) -> Embedder | None:
    """None for `none` (sparse retrieval only). Cached: loading a local model takes seconds."""
    spec = spec.strip()
    if not spec or spec.lower() == "none":
        return None
    if spec.startswith(LOCAL_PREFIX):
        if not spec[len(LOCAL_PREFIX):]:
            raise BadInput("memory.embedding: `local:` needs a model name or directory")
        return LocalEmbedder(spec)
    return LiteLLMEmbedder(spec)
