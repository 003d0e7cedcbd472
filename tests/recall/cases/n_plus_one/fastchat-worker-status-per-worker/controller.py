"""The controller keeps the list of model workers and their load."""
import dataclasses
import logging

import requests

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class WorkerInfo:
    model_names: list[str]
    speed: int
    queue_length: int
    check_heart_beat: bool


class Controller:
    def __init__(self):
        self.worker_info: dict[str, WorkerInfo] = {}

    def get_worker_status(self, worker_name: str) -> dict | None:
        try:
            r = requests.post(worker_name + "/worker_get_status", timeout=5)
        except requests.exceptions.RequestException as e:
            logger.error("status of %s failed: %s", worker_name, e)
            return None
        return r.json() if r.status_code == 200 else None

    def register_worker(self, worker_name: str, check_heart_beat: bool) -> bool:
        status = self.get_worker_status(worker_name)
        if not status:
            return False
        self.worker_info[worker_name] = WorkerInfo(status["model_names"], status["speed"], status["queue_length"], check_heart_beat)
        return True

    def refresh_all_workers(self) -> None:
        old_info = dict(self.worker_info)
        self.worker_info = {}
        for name, info in old_info.items():
            if not self.register_worker(name, info.check_heart_beat):
                logger.info("removing stale worker %s", name)
