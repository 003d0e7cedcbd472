"""Answer from specific web pages."""
import asyncio

import aiohttp

from .pages import read_webpage_and_extract_content


async def read_webpages(query: str, urls: list[str]) -> dict[str, str | None]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        found = await asyncio.gather(*(read_webpage_and_extract_content(session, query, url) for url in urls))
    return dict(found)
