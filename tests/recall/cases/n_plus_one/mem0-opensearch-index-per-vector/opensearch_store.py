"""Memories stored in an OpenSearch k-NN index."""
from opensearchpy import OpenSearch


class OpenSearchStore:
    def __init__(self, host: str, port: int, collection_name: str):
        self.client = OpenSearch(hosts=[{"host": host, "port": port}], use_ssl=True, timeout=30)
        self.collection_name = collection_name

    def insert(self, vectors: list[list[float]], payloads: list[dict], ids: list[str]) -> list[str]:
        inserted = []
        for vec, payload, id_ in zip(vectors, payloads, ids):
            body = {"vector_field": vec, "payload": payload, "id": id_}
            self.client.index(index=self.collection_name, body=body)
            inserted.append(id_)
        return inserted
