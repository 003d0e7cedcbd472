"""Memories stored in an OpenSearch k-NN index."""
from opensearchpy import OpenSearch
from opensearchpy.helpers import bulk


class OpenSearchStore:
    def __init__(self, host: str, port: int, collection_name: str):
        self.client = OpenSearch(hosts=[{"host": host, "port": port}], use_ssl=True, timeout=30)
        self.collection_name = collection_name

    def insert(self, vectors: list[list[float]], payloads: list[dict], ids: list[str]) -> list[str]:
        actions = [
            {"_index": self.collection_name, "_source": {"vector_field": vec, "payload": payload, "id": id_}}
            for vec, payload, id_ in zip(vectors, payloads, ids)
        ]
        if actions:
            bulk(self.client, actions)
        return list(ids)
