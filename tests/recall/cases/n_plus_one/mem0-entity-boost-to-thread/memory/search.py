"""Boost memories that mention the entities of the query."""
import asyncio

from .embeddings import make_embedder
from .entities import EntityStore


class AsyncMemory:
    def __init__(self, config):
        self.embedding_model = make_embedder(config.embedder)
        self.entity_store = EntityStore(config.qdrant_url, "entities")

    async def entity_boosts(self, entities: list[tuple[str, str]], filters: dict) -> dict[str, float]:
        boosts: dict[str, float] = {}
        for _, entity_text in entities:
            vector = await asyncio.to_thread(self.embedding_model.embed, entity_text, "search")
            matches = await asyncio.to_thread(self.entity_store.search, query=entity_text, vectors=vector, top_k=500, filters=filters)
            for match in matches:
                for memory_id in match.payload.get("linked_memory_ids", []):
                    boosts[memory_id] = max(boosts.get(memory_id, 0.0), match.score)
        return boosts
