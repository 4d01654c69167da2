"""What a failed model call means: retry it or not, how long to wait, how to say it in a line."""

from __future__ import annotations

import email.utils
import os
import random
import time
from typing import Any

DEFAULT_RETRY_BASE_S = 1.0
RETRY_BASE_ENV = "FACTORY_RETRY_BASE_S"
MAX_WAIT_FACTOR = 30
"""No single wait exceeds this many base delays, whatever Retry-After asks for."""


def retry_base_s() -> float:
    try:
        return max(0.0, float(os.environ.get(RETRY_BASE_ENV, DEFAULT_RETRY_BASE_S)))
    except ValueError:
        return DEFAULT_RETRY_BASE_S


def status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def is_retryable(exc: BaseException) -> bool:
    """429, 5xx, timeouts and connection errors are worth another try; other 4xx are not."""
    import litellm

    if isinstance(exc, litellm.Timeout | litellm.APIConnectionError | litellm.RateLimitError):
        return True
    status = status_of(exc)
    return status is not None and (status == 429 or status >= 500)


def retry_after_s(exc: BaseException) -> float | None:
    """The server's Retry-After (seconds or an HTTP date), when it sent one."""
    headers: Any = getattr(exc, "litellm_response_headers", None)
    if headers is None:
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None)
    value = headers.get("retry-after") if headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff_s(attempt: int, exc: BaseException, base: float) -> float:
    """Exponential backoff with jitter, stretched to Retry-After, capped."""
    delay = base * (2**attempt) * random.uniform(0.5, 1.0)
    asked = retry_after_s(exc)
    if asked is not None:
        delay = max(delay, asked)
    return min(delay, base * MAX_WAIT_FACTOR)


def _key_names(names: list[str]) -> list[str]:
    # litellm also lists base URLs (OLLAMA_API_BASE) that have working defaults: keys only.
    return [name for name in names if name.endswith(("_KEY", "_TOKEN"))]


def key_variable(model: str) -> str:
    """The environment variable(s) that hold this model's API key, for a message."""
    import litellm

    try:
        missing = _key_names(litellm.validate_environment(model=model).get("missing_keys") or [])
    except Exception:  # litellm cannot tell for this provider; guess from its name
        missing = []
    if missing:
        return " or ".join(missing)
    provider = model.split("/", 1)[0] if "/" in model else "openai"
    return f"{provider.upper()}_API_KEY"


def missing_key(model: str) -> str | None:
    """The key variable(s) this model needs and lacks, if litellm knows of them."""
    import litellm

    try:
        found = litellm.validate_environment(model=model)
    except Exception:  # unknown provider: let the call itself say what is wrong
        return None
    missing = _key_names(found.get("missing_keys") or [])
    return " or ".join(missing) if missing and not found.get("keys_in_environment") else None


def describe(exc: BaseException, model: str, timeout_s: float) -> str:
    """One line for a user: what failed, and for a bad key which variable to set."""
    import litellm

    status = status_of(exc)
    if isinstance(exc, litellm.AuthenticationError) or status == 401:
        return f"authentication failed (401): set {key_variable(model)} to a valid key"
    if isinstance(exc, litellm.Timeout):
        return f"timed out after {timeout_s:g}s"
    text = " ".join(str(exc).split()) or type(exc).__name__
    head, dash, tail = text.partition(" - ")
    if dash and head.startswith("litellm."):  # "litellm.X: X: OpenAIException - <message>"
        text = tail
    if len(text) > 300:
        text = text[:297] + "..."
    prefix = f"HTTP {status}: " if status else ""
    return f"{prefix}{text}"
