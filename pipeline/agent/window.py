"""Each model's input window — factory.yaml's `limits.context_tokens`, litellm's figure, or
learned from the provider — and how the provider's token counts compare with the factory's.

The factory counts tokens with litellm's tokenizer, which can differ from the provider's by
up to 30 %. Until a reply's usage shows the ratio, that much margin is kept; afterwards the
highest ratio seen (plus a little) is. A provider's context-window error teaches the window
(the size it names) and the ratio (the request's size it names), so the next request fits.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.agent.exceptions import ContextExceeded

DEFAULT_WINDOW = 32_000
"""For a model litellm does not know and factory.yaml does not size."""
UNKNOWN_RATIO = 1.3
"""Provider tokens per counted token, assumed until a reply says."""
RATIO_MARGIN = 1.05
MIN_OBSERVED = 200
"""Prompts smaller than this say little about the ratio (fixed overheads dominate)."""
CODE = "context_length_exceeded"

_WINDOW = [re.compile(p, re.IGNORECASE) for p in (
    r"maximum context length is (\d[\d,]*) tokens",
    r"tokens? > (\d[\d,]*) maximum",
    r"maximum number of tokens allowed \((\d[\d,]*)\)",
    r"context (?:window|length) (?:of|is) (\d[\d,]*)",
)]
_REQUESTED = [re.compile(p, re.IGNORECASE) for p in (
    r"(\d[\d,]*) in the messages",
    r"messages resulted in (\d[\d,]*) tokens",
    r"you requested (\d[\d,]*) tokens",
    r"prompt is too long: (\d[\d,]*) tokens",
    r"input token count \((\d[\d,]*)\)",
)]


def _number(patterns: list[re.Pattern[str]], text: str) -> int | None:
    for pattern in patterns:
        found = pattern.search(text)
        if found:
            return int(found.group(1).replace(",", ""))
    return None


def _code(exc: BaseException) -> str | None:
    code = getattr(exc, "code", None)
    body = getattr(exc, "body", None)
    if not code and isinstance(body, dict):
        inner = body.get("error")
        code = body.get("code") or (inner.get("code") if isinstance(inner, dict) else None)
    return code if isinstance(code, str) else None


def is_context_error(exc: BaseException) -> bool:
    """litellm's ContextWindowExceededError (it reads the provider's message), or the
    provider's error code `context_length_exceeded` in the body, whatever the message says."""
    import litellm

    return (isinstance(exc, litellm.ContextWindowExceededError) or _code(exc) == CODE
            or CODE in str(exc))


def exceeded(exc: BaseException, model: str, counted: int) -> ContextExceeded:
    """The provider's error as a ContextExceeded, with the sizes its message names."""
    text = " ".join(str(exc).split())
    return ContextExceeded(model, text[-400:], window=_number(_WINDOW, text),
                           requested=_number(_REQUESTED, text), counted=counted)


def litellm_window(model: str) -> int | None:
    import litellm

    try:
        info: dict[str, Any] = dict(litellm.get_model_info(model))
    except Exception:  # litellm raises several types for unmapped models; all mean "unknown"
        return None
    window = info.get("max_input_tokens") or info.get("max_tokens")
    return int(window) if window else None


@dataclass
class Window:
    tokens: int
    """The input window in the provider's tokens."""
    source: str
    """`limits.context_tokens`, `litellm`, `default` or `learned`."""
    ratio: float | None = None
    """The highest provider/counted token ratio seen; None until a reply showed one."""

    @property
    def limit(self) -> int:
        """The most tokens, as the factory counts them, a request may hold."""
        ratio = UNKNOWN_RATIO if self.ratio is None else self.ratio * RATIO_MARGIN
        return int(self.tokens / ratio)


class Windows:
    """The windows of the models one run talks to; shared by its threads."""

    def __init__(self, configured: int | None = None) -> None:
        self.configured = configured
        self._lock = threading.Lock()
        self._known: dict[str, Window] = {}

    def get(self, model: str) -> Window:
        with self._lock:
            found = self._known.get(model)
        if found is not None:
            return found
        if self.configured:
            window = Window(self.configured, "limits.context_tokens")
        else:
            size = litellm_window(model)
            window = Window(size, "litellm") if size else Window(DEFAULT_WINDOW, "default")
        with self._lock:
            return self._known.setdefault(model, window)

    def limit(self, models: Sequence[str]) -> int:
        """What fits every model of a chain (a fallback may have the smaller window)."""
        return min(self.get(model).limit for model in models)

    def observe(self, model: str, counted: int, provider_tokens: int) -> None:
        """A reply's usage: the provider counted provider_tokens for what we counted."""
        if counted < MIN_OBSERVED or provider_tokens <= 0:
            return
        window = self.get(model)
        with self._lock:
            ratio = provider_tokens / counted
            window.ratio = ratio if window.ratio is None else max(window.ratio, ratio)

    def learn(self, error: ContextExceeded) -> Window:
        """Shrink the model's window (or raise its ratio) so the refused request, and
        anything as large, no longer passes; the sizes the provider named are believed."""
        window = self.get(error.model)
        counted = max(error.counted, 1)
        with self._lock:
            if error.requested:
                ratio = error.requested / counted
                window.ratio = ratio if window.ratio is None else max(window.ratio, ratio)
            if error.window:
                window.tokens = min(window.tokens, error.window)
            elif error.requested:
                window.tokens = min(window.tokens, int(error.requested * 0.9))
            else:
                window.tokens = min(window.tokens, int(counted * (window.ratio or 1.0) * 0.8))
            if window.limit >= counted:
                # The provider counts more than we thought, by more than it told us.
                window.ratio = window.tokens / counted * 1.1
            window.source = "learned"
        return window
