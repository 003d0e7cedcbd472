"""Link the entities mentioned by new memories to those memories."""
import uuid

from .embeddings import make_embedder
from .entities import EntityStore


class Memory:
    def __init__(self, config):
        self.embedding_model = make_embedder(config.embedder)
        self.entity_store = EntityStore(config.qdrant_url, "entities")

    def _upsert_entity(self, entity_text: str, entity_type: str, memory_id: str) -> None:
        vector = self.embedding_model.embed(entity_text, "add")
        matches = self.entity_store.search(query=entity_text, vectors=vector, top_k=1)
        if matches and matches[0].score >= 0.95:
            return
        payload = {"data": entity_text, "entity_type": entity_type, "linked_memory_ids": [memory_id]}
        self.entity_store.insert(vectors=[vector], ids=[str(uuid.uuid4())], payloads=[payload])

    def link_entities(self, extracted: dict[str, list[tuple[str, str]]]) -> None:
        for memory_id, entities in extracted.items():
            for entity_type, entity_text in entities:
                self._upsert_entity(entity_text, entity_type, memory_id)
