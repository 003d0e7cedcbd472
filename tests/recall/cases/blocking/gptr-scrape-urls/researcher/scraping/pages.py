"""Fetches pages with a thread pool and a shared requests session."""

from concurrent.futures import ThreadPoolExecutor

import requests


class PageFetcher:
    def __init__(self, urls: list[str], user_agent: str) -> None:
        self.urls = urls
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent

    def fetch_one(self, url: str) -> dict:
        reply = self.session.get(url, timeout=10)
        return {"url": url, "raw_content": reply.text}

    def run(self) -> list[dict]:
        with ThreadPoolExecutor(max_workers=20) as pool:
            pages = list(pool.map(self.fetch_one, self.urls))
        return [page for page in pages if page["raw_content"]]
