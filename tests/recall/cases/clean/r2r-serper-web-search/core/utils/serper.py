"""Client of a web-search API, on the standard library's HTTP connection."""

import http.client
import json
import os


class SearchApiClient:
    def __init__(self, host: str = "search.example.dev") -> None:
        self.host = host
        self.headers = {"X-API-KEY": os.environ.get("SEARCH_API_KEY", ""), "Content-Type": "application/json"}

    def raw_results(self, query: str, limit: int = 10) -> dict:
        connection = http.client.HTTPSConnection(self.host)
        connection.request("POST", "/search", json.dumps({"q": query, "num": limit}), self.headers)
        reply = connection.getresponse()
        return json.loads(reply.read().decode("utf-8"))
