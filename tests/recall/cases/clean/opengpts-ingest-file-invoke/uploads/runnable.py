"""The runnable that the upload endpoint calls with the posted files."""
from typing import BinaryIO

from langchain_core.document_loaders import Blob
from langchain_core.runnables import RunnableSerializable

from .ingest import ingest_blob

PARSER = None  # a MIME-type based parser in the real app


def to_blob(data: BinaryIO) -> Blob:
    return Blob.from_data(data.read(), path=getattr(data, "name", None))


class IngestRunnable(RunnableSerializable[BinaryIO, list[str]]):
    text_splitter: object
    vectorstore: object
    namespace: str

    def invoke(self, input: BinaryIO, config=None) -> list[str]:
        return ingest_blob(to_blob(input), PARSER, self.text_splitter, self.vectorstore, self.namespace)
