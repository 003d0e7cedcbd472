"""WebSocket chat endpoint."""

import json

from fastapi import HTTPException, WebSocket

from app.routers.helpers import UserRateLimiter


async def chat_ws(websocket: WebSocket, answer) -> None:
    per_minute = UserRateLimiter(requests=20, window=60, slug="chat_minute")
    per_day = UserRateLimiter(requests=100, window=60 * 60 * 24, slug="chat_day")
    await websocket.accept()
    while True:
        data = json.loads(await websocket.receive_text())
        try:
            await per_minute.check_websocket(websocket)
            await per_day.check_websocket(websocket)
        except HTTPException as error:
            await websocket.send_text(json.dumps({"error": error.detail}))
            continue
        await websocket.send_text(json.dumps(await answer(data["q"])))
