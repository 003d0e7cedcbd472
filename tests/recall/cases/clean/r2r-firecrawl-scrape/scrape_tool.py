"""The agent's page-scrape tool, on the Firecrawl SDK."""

import asyncio
import logging

log = logging.getLogger(__name__)


class ScrapeToolMixin:
    collected: list

    async def scrape_page(self, url: str) -> dict:
        from firecrawl import FirecrawlApp

        app = FirecrawlApp()
        log.debug("scraping %s", url)
        page = await asyncio.get_running_loop().run_in_executor(
            None, lambda: app.scrape_url(url=url, params={"formats": ["markdown"]})
        )
        result = {"url": url, "markdown": page.get("markdown", ""), "title": page.get("metadata", {}).get("title")}
        self.collected.append(result)
        return result
