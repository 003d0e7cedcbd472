"""Entity vectors kept in Qdrant."""
from qdrant_client import QdrantClient


class EntityStore:
    def __init__(self, url: str, collection: str):
        self.client = QdrantClient(url=url)
        self.collection = collection

    def search(self, query: str, vectors: list[float], top_k: int = 5, filters: dict | None = None):
        return self.client.query_points(self.collection, query=vectors, limit=top_k).points

    def search_batch(self, queries: list[str], vectors_list: list[list[float]], limit: int = 1):
        from qdrant_client import models
        requests = [models.QueryRequest(query=v, limit=limit) for v in vectors_list]
        return [r.points for r in self.client.query_batch_points(self.collection, requests=requests)]

    def insert(self, vectors: list[list[float]], ids: list[str], payloads: list[dict]) -> None:
        from qdrant_client import models
        points = [models.PointStruct(id=i, vector=v, payload=p) for v, i, p in zip(vectors, ids, payloads)]
        self.client.upsert(self.collection, points=points)
