"""Remote agent tasks through the hosted service's SDK (a synchronous client)."""

import time

from cloud_sdk import CloudClient

_client = None


def sdk_client() -> CloudClient:
    global _client
    if _client is None:
        _client = CloudClient()
    return _client


def wait_for_task(task_id: str, verbose: bool = False, every: float = 1.0):
    """Ask for the task's state until it reaches a final one."""
    client = sdk_client()
    previous = None
    while True:
        task = client.tasks.get_task(task_id)
        if verbose and task.status != previous:
            print(f"status: {task.status}")
            previous = task.status
        if task.status in ("finished", "stopped", "failed"):
            return task
        time.sleep(every)
