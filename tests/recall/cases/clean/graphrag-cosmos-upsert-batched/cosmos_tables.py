"""Pipeline tables stored as documents in one Cosmos DB container."""
import json
import logging

import pandas as pd
from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosBatchOperationError

logger = logging.getLogger(__name__)


async def batch_upsert(container: ContainerProxy, docs: list[dict], partition_key: str, batch_size: int) -> None:
    for start in range(0, len(docs), batch_size):
        chunk = docs[start : start + batch_size]
        try:
            await container.execute_item_batch([("upsert", (doc,)) for doc in chunk], partition_key=partition_key)
        except CosmosBatchOperationError:
            logger.warning("batch of %d failed; writing its documents one by one", len(chunk))
            for doc in chunk:
                await container.upsert_item(body=doc)


class CosmosTables:
    def __init__(self, container: ContainerProxy, namespace: str, batch_size: int = 100):
        self._container = container
        self._namespace = namespace
        self._batch_size = batch_size

    async def write_table(self, table_name: str, df: pd.DataFrame) -> None:
        records = json.loads(df.to_json(orient="records"))
        docs = []
        for index, row in enumerate(records):
            row_key = row.pop("id", index)
            docs.append({"id": f"{table_name}:{row_key}", "namespace": self._namespace, "table_name": table_name, **row})
        await batch_upsert(self._container, docs, self._namespace, self._batch_size)
