"""Web search through the Tavily API."""
import httpx

SEARCH_URL = "https://api.tavily.com/search"


async def web_search(client: httpx.AsyncClient, query: str, max_results: int = 5) -> list[str]:
    response = await client.post(SEARCH_URL, json={"query": query, "max_results": max_results})
    return [hit["url"] for hit in response.json()["results"]]
