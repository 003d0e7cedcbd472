"""Web search through the Tavily HTTP API."""

import os

import requests


class TavilySearch:
    def __init__(self, query: str, query_domains: list[str] | None = None) -> None:
        self.query = query
        self.domains = query_domains or []

    def search(self, max_results: int = 7) -> list[dict]:
        reply = requests.post(
            "https://api.tavily.com/search",
            json={"query": self.query, "max_results": max_results, "include_domains": self.domains,
                  "api_key": os.environ.get("TAVILY_API_KEY", "")},
            timeout=100,
        )
        return [{"href": hit["url"], "body": hit["content"]} for hit in reply.json().get("results", [])]
