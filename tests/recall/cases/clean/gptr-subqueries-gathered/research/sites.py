"""Search the web for a query and scrape the result pages."""
from .retrievers import web_search
from .scraping import scrape_urls


class SiteScraper:
    def __init__(self, cfg, client):
        self.cfg = cfg
        self.client = client

    async def scrape_sites_by_query(self, sub_query: str) -> list[dict]:
        urls = await web_search(self.client, sub_query, max_results=self.cfg.max_search_results)
        return await scrape_urls(self.client, urls)
