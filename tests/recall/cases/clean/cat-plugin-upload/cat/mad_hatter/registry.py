"""Downloads plugins from the public registry."""

import aiofiles
import httpx

REGISTRY = "https://registry.example.org"


async def download_plugin(client: httpx.AsyncClient, url: str) -> str:
    reply = await client.post(f"{REGISTRY}/download", json={"url": url}, timeout=60)
    reply.raise_for_status()
    archive = f"/tmp/{url.rstrip('/').split('/')[-1]}.zip"
    async with aiofiles.open(archive, "wb") as handle:
        await handle.write(reply.content)
    return archive
