"""Evaluation runner: runs tasks and stores their results on the evaluation server."""

import asyncio
import logging

import requests

log = logging.getLogger(__name__)


def save_task_result_to_server(server_url: str, secret: str, payload: dict) -> bool:
    try:
        reply = requests.post(f"{server_url}/api/saveTaskResult", json=payload,
                              headers={"Authorization": f"Bearer {secret}"}, timeout=30)
        return reply.status_code == 200
    except requests.exceptions.RequestException as error:
        log.error("could not save the task result: %s", error)
        return False


async def run_task_with_semaphore(task, semaphore: asyncio.Semaphore, server_url: str, secret: str, run_agent) -> dict:
    async with semaphore:
        result = await run_agent(task)
        payload = {"taskId": task.task_id, "result": result}
        log.info("task %s: saving the result", task.task_id)
        saved = save_task_result_to_server(server_url, secret, payload)
        if not saved:
            log.warning("task %s: the server did not accept the result", task.task_id)
        return {"task_id": task.task_id, "saved": saved}
