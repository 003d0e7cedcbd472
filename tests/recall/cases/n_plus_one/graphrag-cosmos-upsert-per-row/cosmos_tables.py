"""Pipeline tables stored as documents in one Cosmos DB container."""
import json

import pandas as pd
from azure.cosmos.aio import ContainerProxy


class CosmosTables:
    def __init__(self, container: ContainerProxy, namespace: str):
        self._container = container
        self._namespace = namespace

    async def write_table(self, table_name: str, df: pd.DataFrame) -> None:
        records = json.loads(df.to_json(orient="records"))
        for index, row in enumerate(records):
            row_key = row.pop("id", index)
            doc = {"id": f"{table_name}:{row_key}", "namespace": self._namespace, "table_name": table_name, **row}
            await self._container.upsert_item(body=doc)
