"""Retrying GitHub calls: rate limits (primary and secondary) and transient server errors.

GitHub's guidance: on 403/429 with `Retry-After`, wait that long; on a primary limit
(`X-RateLimit-Remaining: 0`), wait until `X-RateLimit-Reset`; otherwise back off
exponentially, starting at a minute for secondary limits. Writes are retried only when
GitHub refused them (403/429), never after a 5xx, which may have applied them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
_TRANSIENT = {0, 500, 502, 503, 504}  # 0: the connection failed


def _header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return str(value)
    return None


def wait_for(status: int, message: str, headers: Mapping[str, Any] | None, attempt: int,
             *, idempotent: bool, now: float | None = None) -> float | None:
    """Seconds to wait before attempt + 1, or None when the failure is not worth retrying."""
    retry_after = _header(headers, "Retry-After")
    remaining = _header(headers, "X-RateLimit-Remaining")
    limited = status == 429 or (status == 403 and (
        retry_after is not None or remaining == "0" or "rate limit" in message.lower()))
    if limited:
        if retry_after is not None and retry_after.strip().isdigit():
            return float(retry_after)
        reset = _header(headers, "X-RateLimit-Reset")
        if remaining == "0" and reset is not None and reset.isdigit():
            return max(float(reset) - (time.time() if now is None else now), 0.0) + 1.0
        return 60.0 * 2 ** (attempt - 1)
    if status in _TRANSIENT and idempotent:
        return float(2 ** (attempt - 1))
    return None


@dataclass
class Backoff:
    attempts: int = 5
    max_wait: float = 900.0
    """A wait longer than this fails the call instead: a job should not idle for an hour."""
    sleep: Callable[[float], None] = time.sleep

    def call(self, fn: Callable[[], T], *, idempotent: bool,
             describe: Callable[[BaseException], tuple[int, str, Mapping[str, Any] | None] | None]
             ) -> T:
        """Run fn, retrying what GitHub says may be retried; describe() reads an exception."""
        attempt = 1
        while True:
            try:
                return fn()
            except Exception as exc:
                info = describe(exc)
                if info is None or attempt >= self.attempts:
                    raise
                wait = wait_for(*info, attempt, idempotent=idempotent)
                if wait is None or wait > self.max_wait:
                    raise
                self.sleep(wait)
                attempt += 1
