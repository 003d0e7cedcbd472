"""Remove every document of one pipeline table."""
from azure.cosmos.aio import ContainerProxy


class CosmosTableDropper:
    def __init__(self, namespace: str):
        self._namespace = namespace

    async def delete_table(self, container: ContainerProxy, table_name: str) -> None:
        query = "SELECT c.id FROM c WHERE c.table_name = @table_name"
        parameters = [{"name": "@table_name", "value": table_name}]
        pages = container.query_items(query=query, parameters=parameters, partition_key=self._namespace).by_page()
        async for page in pages:
            async for doc in page:
                await container.delete_item(item=doc["id"], partition_key=self._namespace)
