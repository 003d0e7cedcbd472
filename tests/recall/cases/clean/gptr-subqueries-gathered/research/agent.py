"""The research agent: turn sub-queries into context for the report."""
import asyncio

from .sites import SiteScraper


async def stream_output(kind: str, text: str, websocket) -> None:
    if websocket is not None:
        await websocket.send_json({"type": kind, "output": text})


class Researcher:
    def __init__(self, cfg, client, websocket, compressor):
        self.scraper = SiteScraper(cfg, client)
        self.websocket = websocket
        self.compressor = compressor

    async def conduct_research(self, sub_queries: list[str]) -> list[str]:
        async def one(sub_query: str) -> str:
            await stream_output("logs", f"Running research for {sub_query!r}", self.websocket)
            pages = await self.scraper.scrape_sites_by_query(sub_query)
            return self.compressor.similar_content(sub_query, pages)

        return list(await asyncio.gather(*(one(q) for q in sub_queries)))
