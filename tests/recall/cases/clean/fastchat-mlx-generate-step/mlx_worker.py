"""A model worker for Apple silicon, on MLX: streams generated text."""

import json

import mlx.core as mx
from fastapi.concurrency import run_in_threadpool
from mlx_lm.utils import generate_step


class MlxWorker:
    def __init__(self, model, tokenizer) -> None:
        self.model = model
        self.tokenizer = tokenizer

    async def generate_stream(self, params: dict):
        context = mx.array(self.tokenizer.encode(params["prompt"]))
        limit = int(params.get("max_new_tokens", 256))
        steps = await run_in_threadpool(generate_step, context, self.model, float(params.get("temperature", 1.0)))
        tokens: list[int] = []
        for _ in range(limit):
            token, _probability = await run_in_threadpool(next, steps)
            if token == self.tokenizer.eos_token_id:
                break
            tokens.append(token.item())
            yield json.dumps({"text": self.tokenizer.decode(tokens), "error_code": 0}).encode() + b"\0"
