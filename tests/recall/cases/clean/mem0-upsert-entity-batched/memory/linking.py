"""Link the entities mentioned by new memories to those memories."""
import uuid

from .embeddings import make_embedder
from .entities import EntityStore


class Memory:
    def __init__(self, config):
        self.embedding_model = make_embedder(config.embedder)
        self.entity_store = EntityStore(config.qdrant_url, "entities")

    def link_entities(self, extracted: dict[str, list[tuple[str, str]]]) -> None:
        unique: dict[str, tuple[str, str, set[str]]] = {}
        for memory_id, entities in extracted.items():
            for entity_type, entity_text in entities:
                key = entity_text.strip().lower()
                unique.setdefault(key, (entity_type, entity_text, set()))[2].add(memory_id)
        if not unique:
            return
        rows = list(unique.values())
        texts = [text for _, text, _ in rows]
        vectors = self.embedding_model.embed_batch(texts, "add")
        matches = self.entity_store.search_batch(queries=texts, vectors_list=vectors, limit=1)
        new = [
            (vector, {"data": text, "entity_type": kind, "linked_memory_ids": sorted(ids)})
            for (kind, text, ids), vector, hits in zip(rows, vectors, matches)
            if not (hits and hits[0].score >= 0.95)
        ]
        if new:
            self.entity_store.insert(
                vectors=[v for v, _ in new], ids=[str(uuid.uuid4()) for _ in new], payloads=[p for _, p in new]
            )
