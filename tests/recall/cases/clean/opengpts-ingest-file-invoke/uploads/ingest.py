"""Parse, split, embed and store one uploaded file."""
from langchain_core.document_loaders import Blob
from langchain_core.vectorstores import VectorStore
from langchain_text_splitters import TextSplitter


def ingest_blob(blob: Blob, parser, splitter: TextSplitter, vectorstore: VectorStore, namespace: str) -> list[str]:
    docs = splitter.split_documents(list(parser.lazy_parse(blob)))
    for doc in docs:
        doc.metadata["namespace"] = namespace
    return vectorstore.add_documents(docs)
