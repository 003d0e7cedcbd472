"""Tools the retrieval agent can call."""


class WebHits:
    def __init__(self, organic: list) -> None:
        self.organic = organic

    @classmethod
    def from_raw(cls, raw: dict) -> "WebHits":
        return cls([hit for hit in raw.get("organic", []) if hit.get("link")])


class RetrievalToolsMixin:
    collected: list

    async def web_search(self, query: str) -> WebHits:
        from ..utils.serper import SearchApiClient

        client = SearchApiClient()
        raw = client.raw_results(query)
        hits = WebHits.from_raw(raw)
        self.collected.append(hits)
        return hits
