"""The controller keeps the list of model workers and their load."""
import asyncio
import dataclasses
import logging

import aiohttp

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class WorkerInfo:
    model_names: list[str]
    speed: int
    queue_length: int
    check_heart_beat: bool


class Controller:
    def __init__(self, session: aiohttp.ClientSession):
        self.session = session
        self.worker_info: dict[str, WorkerInfo] = {}

    async def get_worker_status(self, worker_name: str) -> dict | None:
        try:
            async with self.session.post(worker_name + "/worker_get_status", timeout=aiohttp.ClientTimeout(total=5)) as r:
                return await r.json() if r.status == 200 else None
        except aiohttp.ClientError as e:
            logger.error("status of %s failed: %s", worker_name, e)
            return None

    async def register_worker(self, worker_name: str, check_heart_beat: bool) -> bool:
        status = await self.get_worker_status(worker_name)
        if not status:
            return False
        self.worker_info[worker_name] = WorkerInfo(status["model_names"], status["speed"], status["queue_length"], check_heart_beat)
        return True

    async def refresh_all_workers(self) -> None:
        old_info = dict(self.worker_info)
        self.worker_info = {}
        results = await asyncio.gather(*(self.register_worker(name, info.check_heart_beat) for name, info in old_info.items()))
        for name, ok in zip(old_info, results):
            if not ok:
                logger.info("removing stale worker %s", name)
