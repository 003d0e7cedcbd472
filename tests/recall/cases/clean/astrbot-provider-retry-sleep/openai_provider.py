"""Chat completions with key rotation and retries."""

import logging
import asyncio

from openai import AsyncOpenAI, NotFoundError, RateLimitError

log = logging.getLogger(__name__)


class ChatProvider:
    def __init__(self, keys: list[str], base_url: str) -> None:
        self.keys = keys
        self.current = 0
        self.client = AsyncOpenAI(api_key=keys[0], base_url=base_url)

    async def rotate_key(self) -> None:
        self.current = (self.current + 1) % len(self.keys)
        self.client.api_key = self.keys[self.current]

    async def complete(self, messages: list[dict], model: str, retries: int = 3):
        attempt = 0
        while True:
            try:
                return await self.client.chat.completions.create(model=model, messages=messages)
            except RateLimitError:
                await self.rotate_key()
                attempt += 1
                await asyncio.sleep(1)
            except NotFoundError:
                raise
            except Exception as error:
                attempt += 1
                log.warning("completion failed (%s), retry %d", error, attempt)
                await asyncio.sleep(1)
            if attempt >= retries:
                raise RuntimeError("completion failed after retries")

    async def draw(self, prompt: str, retries: int = 3):
        for attempt in range(retries):
            try:
                return await self.client.images.generate(prompt=prompt, n=1)
            except Exception as error:
                log.warning("image request failed (%s), retry %d", error, attempt)
                await asyncio.sleep(1)
        raise RuntimeError("image request failed after retries")
