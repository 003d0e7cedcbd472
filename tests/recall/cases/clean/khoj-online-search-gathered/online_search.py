"""Answer from the web: split the question into sub-queries and search each."""
import asyncio
import json
import logging
import os

import aiohttp

logger = logging.getLogger(__name__)
SERPER_URL = "https://google.serper.dev/search"


async def search_online(query: str, subqueries: list[str], send_status=None) -> dict:
    if send_status and subqueries:
        await send_status("Searching the Internet for: " + ", ".join(subqueries))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        found = await asyncio.gather(*(search_with_google(session, subquery) for subquery in subqueries))
    return dict(zip(subqueries, found))


async def search_with_google(session: aiohttp.ClientSession, subquery: str) -> dict:
    headers = {"X-API-KEY": os.environ["SERPER_API_KEY"], "Content-Type": "application/json"}
    async with session.post(SERPER_URL, headers=headers, data=json.dumps({"q": subquery})) as response:
        if response.status != 200:
            logger.error(await response.text())
            return {}
        found = await response.json()
    return {field: found[field] for field in ("organic", "answerBox", "knowledgeGraph") if found.get(field)}
