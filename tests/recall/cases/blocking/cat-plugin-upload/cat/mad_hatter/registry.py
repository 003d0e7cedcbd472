"""Downloads plugins from the public registry."""

import requests

REGISTRY = "https://registry.example.org"


def download_plugin(url: str) -> str:
    reply = requests.post(f"{REGISTRY}/download", json={"url": url}, timeout=60)
    archive = f"/tmp/{url.rstrip('/').split('/')[-1]}.zip"
    with open(archive, "wb") as handle:
        handle.write(reply.content)
    return archive
