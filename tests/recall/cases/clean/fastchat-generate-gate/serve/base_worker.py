"""HTTP front of a model worker: one global worker per process."""

import asyncio

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()
worker = None
semaphore = None


class BaseWorker:
    def __init__(self, model_path: str, limit: int) -> None:
        global worker
        self.model_path = model_path
        self.limit = limit
        worker = self

    def generate_gate(self, params: dict) -> dict:
        raise NotImplementedError


@app.post("/worker_generate")
async def api_generate(request: Request):
    global semaphore
    params = await request.json()
    if semaphore is None:
        semaphore = asyncio.Semaphore(worker.limit)
    await semaphore.acquire()
    output = await asyncio.to_thread(worker.generate_gate, params)
    semaphore.release()
    return JSONResponse(output)
