"""When a job's slice of time ends (Actions build jobs work in slices)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]


@dataclass(frozen=True)
class Deadline:
    at: float
    clock: Clock = field(default=time.monotonic, compare=False)
    """Seconds, monotonic: the job's own clock (a test gives a scripted one)."""

    @classmethod
    def after(cls, seconds: float, clock: Clock = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def passed(self) -> bool:
        return self.clock() >= self.at
