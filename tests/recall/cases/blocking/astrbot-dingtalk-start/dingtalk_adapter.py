"""DingTalk platform adapter, on the vendor's stream SDK."""

import asyncio

import dingtalk_stream


class DingtalkAdapter:
    def __init__(self, client_id: str, client_secret: str) -> None:
        credential = dingtalk_stream.Credential(client_id, client_secret)
        self.client_ = dingtalk_stream.DingTalkStreamClient(credential)
        self._queue: asyncio.Queue = asyncio.Queue()

    async def run(self) -> None:
        await self.client_.start()
