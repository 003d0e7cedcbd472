"""Download pages and keep their text."""
import asyncio

import httpx


async def scrape_urls(client: httpx.AsyncClient, urls: list[str]) -> list[dict]:
    responses = await asyncio.gather(*(client.get(url) for url in urls))
    return [{"url": url, "raw_content": r.text} for url, r in zip(urls, responses)]
