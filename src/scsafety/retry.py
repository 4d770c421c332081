"""Retries with exponential back-off and full jitter, honouring Retry-After."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from scsafety.errors import ModelError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        cap = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return rng.uniform(0, cap)


async def call_with_retries(fn: Callable[[], Awaitable[T]], policy: RetryPolicy,
                            rng: random.Random | None = None) -> tuple[T, int]:
    """Run ``fn`` until it succeeds, a permanent error occurs or attempts run out.

    Returns the value and the number of attempts; re-raises the last ModelError.
    """
    rng = rng or random.Random()
    attempt = 0
    while True:
        attempt += 1
        try:
            return await fn(), attempt
        except ModelError as exc:
            if not exc.transient or attempt >= policy.attempts:
                exc.attempts = attempt  # type: ignore[attr-defined]
                raise
            await asyncio.sleep(policy.delay(attempt, exc.retry_after, rng))
