"""Boost memories that mention the entities of the query."""
import asyncio
import logging

from .embeddings import make_embedder
from .entities import EntityStore

logger = logging.getLogger(__name__)


class AsyncMemory:
    def __init__(self, config):
        self.embedding_model = make_embedder(config.embedder)
        self.entity_store = EntityStore(config.qdrant_url, "entities")

    async def entity_boosts(self, entities: list[tuple[str, str]], filters: dict) -> dict[str, float]:
        limit = asyncio.Semaphore(4)

        async def search_entity(entity_text: str):
            async with limit:
                vector = await asyncio.to_thread(self.embedding_model.embed, entity_text, "search")
                return await asyncio.to_thread(self.entity_store.search, query=entity_text, vectors=vector, top_k=500, filters=filters)

        results = await asyncio.gather(*(search_entity(text) for _, text in entities), return_exceptions=True)
        boosts: dict[str, float] = {}
        for matches in results:
            if isinstance(matches, BaseException):
                logger.warning("entity boost search failed: %s", matches)
                continue
            for match in matches:
                for memory_id in match.payload.get("linked_memory_ids", []):
                    boosts[memory_id] = max(boosts.get(memory_id, 0.0), match.score)
        return boosts
