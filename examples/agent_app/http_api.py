"""The HTTP front end: request handlers that call a tool service and a Redis-backed store.

Each mistake (APL3xx) sits next to the correct way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import redis.asyncio as aioredis
from aiohttp import web

TOOL_URL = "http://127.0.0.1:8082/tools"


# --- handlers that pay for a new client on every request -----------------------------------
async def run_tool_slow(request: web.Request) -> web.Response:
    # a new session per request: about 0.25x the throughput of a shared one (APL301);
    # aiohttp's default timeout (5 minutes) bounds it: APL306 only with report-aiohttp-default
    async with aiohttp.ClientSession() as session:
        async with session.post(TOOL_URL, json=await request.json()) as response:
            return web.json_response(await response.json())


async def remember_slow(request: web.Request) -> web.Response:
    store = aioredis.Redis()  # a new Redis connection pool per request (APL301)
    await store.set(request.match_info["key"], await request.text())
    await store.aclose()
    return web.Response(status=204)


async def lookup_all_slow(request: web.Request) -> web.Response:
    store: aioredis.Redis = request.app["store"]
    tenant = request.match_info["tenant"]
    values = []
    for key in await request.json():
        settings = await store.get(f"settings:{tenant}")  # same key every iteration (APL305)
        values.append((key, settings))
    return web.json_response(values)


# --- the correct way: clients created once in the lifespan, shared by every handler --------
async def lifespan(app: web.Application) -> AsyncIterator[None]:
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        app["session"] = session
        app["store"] = aioredis.Redis()
        yield
        await app["store"].aclose()


async def run_tool(request: web.Request) -> web.Response:
    session: aiohttp.ClientSession = request.app["session"]
    async with session.post(TOOL_URL, json=await request.json()) as response:
        return web.json_response(await response.json())


async def remember(request: web.Request) -> web.Response:
    await request.app["store"].set(request.match_info["key"], await request.text())
    return web.Response(status=204)


async def lookup_all(request: web.Request) -> web.Response:
    store: aioredis.Redis = request.app["store"]
    settings = await store.get(f"settings:{request.match_info['tenant']}")  # hoisted
    return web.json_response([(key, settings) for key in await request.json()])


async def drain(queue: asyncio.Queue[str], items: list[str]) -> None:
    for item in items:
        job = await queue.get()  # fine: a queue read is not a repeated lookup
        print(item, job)


def build_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(lifespan)  # aiohttp runs it at start-up and shutdown
    app.router.add_post("/tools", run_tool)
    app.router.add_put("/memory/{key}", remember)
    app.router.add_post("/lookup/{tenant}", lookup_all)
    return app
