"""Agent step loop: counts failures and backs off when the model provider rate-limits us."""

import logging
import asyncio

log = logging.getLogger(__name__)


class RateLimited(Exception):
    pass


class StepAgent:
    def __init__(self, retry_delay: float = 10.0, max_failures: int = 3) -> None:
        self.retry_delay = retry_delay
        self.max_failures = max_failures
        self.failures = 0

    async def on_step_error(self, error: Exception) -> str:
        if isinstance(error, ValueError):
            self.failures += 1
            return "invalid model output"
        if isinstance(error, RateLimited):
            log.warning("rate limited, waiting %ss", self.retry_delay)
            await asyncio.sleep(self.retry_delay)
            self.failures += 1
            return "rate limited"
        log.error("step failed: %s", error)
        self.failures += 1
        return str(error)
