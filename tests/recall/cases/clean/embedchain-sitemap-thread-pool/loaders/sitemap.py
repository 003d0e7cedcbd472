"""Load every page a sitemap lists."""
import concurrent.futures
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
        with concurrent.futures.ThreadPoolExecutor() as executor:
            futures = {executor.submit(page_loader.load_data, link): link for link in links}
            for future in concurrent.futures.as_completed(futures):
                try:
                    output.append(future.result()["data"][0])
                except requests.RequestException as e:
                    logging.error("failed to load %s: %s", futures[future], e)
        return {"doc_id": sitemap_url, "data": output}
