"""Keeps the pages most similar to a query, through a LangChain compression retriever."""

import asyncio

from langchain.retrievers import ContextualCompressionRetriever
from langchain.retrievers.document_compressors import DocumentCompressorPipeline, EmbeddingsFilter


class ContextCompressor:
    def __init__(self, documents, embeddings, threshold: float = 0.38) -> None:
        self.documents = documents
        self.embeddings = embeddings
        self.threshold = threshold

    def _retriever(self, base_retriever):
        relevance = EmbeddingsFilter(embeddings=self.embeddings, similarity_threshold=self.threshold)
        return ContextualCompressionRetriever(
            base_compressor=DocumentCompressorPipeline(transformers=[relevance]), base_retriever=base_retriever
        )

    def get_context(self, query: str, base_retriever, max_results: int = 5) -> str:
        docs = self._retriever(base_retriever).invoke(query)
        return "\n\n".join(doc.page_content for doc in docs[:max_results])

    async def async_get_context(self, query: str, base_retriever, max_results: int = 5) -> str:
        docs = await asyncio.to_thread(self._retriever(base_retriever).invoke, query)
        return "\n\n".join(doc.page_content for doc in docs[:max_results])
