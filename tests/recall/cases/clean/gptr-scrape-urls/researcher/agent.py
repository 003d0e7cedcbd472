"""The research agent: turns a query into scraped pages."""

import asyncio

from researcher.actions import *


class Researcher:
    def __init__(self, settings, search) -> None:
        self.settings = settings
        self.search = search

    async def scrape_for(self, sub_query: str) -> list[dict]:
        hits = await self.search(sub_query)
        urls = [hit["href"] for hit in hits if hit.get("href")]
        pages = await asyncio.to_thread(scrape_urls, urls, self.settings)
        return pages
