"""The research agent: keeps what is relevant to each sub-query."""

from researcher.context.compression import ContextCompressor


class Researcher:
    def __init__(self, memory, base_retriever) -> None:
        self.memory = memory
        self.base_retriever = base_retriever

    async def relevant_context(self, query: str, pages: list) -> str:
        compressor = ContextCompressor(documents=pages, embeddings=self.memory.embeddings())
        return compressor.get_context(query, self.base_retriever, max_results=8)
