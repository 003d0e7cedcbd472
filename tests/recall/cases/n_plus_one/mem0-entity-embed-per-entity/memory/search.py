"""Boost memories that mention the entities of the query."""
from .embeddings import make_embedder
from .entities import EntityStore


class Memory:
    def __init__(self, config):
        self.embedding_model = make_embedder(config.embedder)
        self.entity_store = EntityStore(config.qdrant_url, "entities")

    def entity_vectors(self, entities: list[tuple[str, str]]) -> dict[str, list[float]]:
        vectors = {}
        for _, entity_text in entities:
            vectors[entity_text] = self.embedding_model.embed(entity_text, "search")
        return vectors
