"""Upload endpoints of the memory: from a URL."""

import requests
from fastapi import BackgroundTasks, HTTPException


async def upload_url(url: str, background: BackgroundTasks, app) -> dict:
    try:
        reply = requests.head(url, headers={"User-Agent": "Magic Browser"}, allow_redirects=True, timeout=10)
    except requests.exceptions.RequestException as error:
        raise HTTPException(status_code=400, detail={"error": "Unable to reach the URL", "url": url}) from error
    if reply.status_code != 200:
        raise HTTPException(status_code=400, detail={"error": "Invalid URL", "url": url})
    background.add_task(app.ingest_url, url)
    return {"url": url, "info": "URL is being ingested asynchronously"}
