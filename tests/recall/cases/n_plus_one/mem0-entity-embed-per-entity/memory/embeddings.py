"""Embedding providers behind one small interface."""
from openai import OpenAI


class OpenAIEmbedder:
    def __init__(self, model: str = "text-embedding-3-small"):
        self.client = OpenAI()
        self.model = model

    def embed(self, text: str, action: str = "search") -> list[float]:
        return self.client.embeddings.create(model=self.model, input=[text]).data[0].embedding

    def embed_batch(self, texts: list[str], action: str = "search") -> list[list[float]]:
        response = self.client.embeddings.create(model=self.model, input=texts)
        return [item.embedding for item in response.data]


def make_embedder(provider: str) -> OpenAIEmbedder:
    if provider != "openai":
        raise ValueError(provider)
    return OpenAIEmbedder()
