"""Runs one query against whichever retriever the configuration picked."""

from typing import Any


async def get_search_results(query: str, retriever: Any, query_domains: list[str] | None = None,
                             max_results: int | None = None) -> list[dict]:
    search_retriever = retriever(query, query_domains=query_domains)
    if max_results is None:
        return search_retriever.search()
    return search_retriever.search(max_results=max_results)
