"""Runs one query against whichever retriever the configuration picked."""

import asyncio
from typing import Any


async def get_search_results(query: str, retriever: Any, query_domains: list[str] | None = None,
                             max_results: int | None = None) -> list[dict]:
    search_retriever = retriever(query, query_domains=query_domains)
    kwargs = {} if max_results is None else {"max_results": max_results}
    return await asyncio.to_thread(search_retriever.search, **kwargs)
