"""Load every page a sitemap lists."""
import logging

import requests
from bs4 import BeautifulSoup

from .web_page import WebPageLoader


class SitemapLoader:
    def load_data(self, sitemap_url: str) -> dict:
        response = requests.get(sitemap_url, timeout=30)
        response.raise_for_status()
        links = [loc.text for loc in BeautifulSoup(response.text, "xml").find_all("loc")]
        page_loader = WebPageLoader()
        output = []
        for link in links:
            try:
                page = page_loader.load_data(link)
            except requests.RequestException as e:
                logging.error("failed to load %s: %s", link, e)
                continue
            output.append(page["data"][0])
        return {"doc_id": sitemap_url, "data": output}
