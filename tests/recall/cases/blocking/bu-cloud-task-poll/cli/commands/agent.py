"""`agent run`: runs a task locally or on the hosted service."""

from typing import Any


async def run_remote(params: dict[str, Any], task_id: str) -> Any:
    from cli.commands import cloud_task

    if not params.get("wait"):
        return {"task_id": task_id, "message": "started"}
    task = cloud_task.wait_for_task(task_id, verbose=params.get("verbose", False))
    return {"task_id": task_id, "status": task.status, "output": task.output}
