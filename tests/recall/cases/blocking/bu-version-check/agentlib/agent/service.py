"""The agent: runs steps until the task is done."""

import logging

import requests

log = logging.getLogger(__name__)
INSTALLED = "0.5.0"


def _latest_release() -> str | None:
    """Newest version on the package index, or None when it cannot be reached."""
    try:
        reply = requests.get("https://pypi.org/pypi/agentlib/json", timeout=3)
        if reply.status_code == 200:
            return reply.json()["info"]["version"]
    except Exception:
        pass
    return None


class Agent:
    def __init__(self, task: str, llm) -> None:
        self.task = task
        self.llm = llm
        self.steps = 0

    def _log_run_start(self) -> None:
        latest = _latest_release()
        if latest and latest != INSTALLED:
            log.info("agentlib %s is available (you have %s)", latest, INSTALLED)
        log.info("starting task: %s", self.task)

    async def run(self, max_steps: int = 100) -> None:
        self._log_run_start()
        while self.steps < max_steps:
            self.steps += 1
            if await self.llm.step(self.task):
                break
