"""The research agent: turn sub-queries into context for the report."""
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
        context = []
        for sub_query in sub_queries:
            await stream_output("logs", f"Running research for {sub_query!r}", self.websocket)
            pages = await self.scraper.scrape_sites_by_query(sub_query)
            content = self.compressor.similar_content(sub_query, pages)
            context.append(content)
        return context
