"""Answer from the web: split the question into sub-queries and search each."""
import json
import logging
import os

import requests

logger = logging.getLogger(__name__)
SERPER_URL = "https://google.serper.dev/search"


async def search_online(query: str, subqueries: list[str], send_status=None) -> dict:
    results = {}
    for subquery in subqueries:
        if send_status:
            await send_status(f"Searching the Internet for: {subquery}")
        results[subquery] = search_with_google(subquery)
    return results


def search_with_google(subquery: str) -> dict:
    headers = {"X-API-KEY": os.environ["SERPER_API_KEY"], "Content-Type": "application/json"}
    response = requests.request("POST", SERPER_URL, headers=headers, data=json.dumps({"q": subquery}), timeout=20)
    if response.status_code != 200:
        logger.error(response.text)
        return {}
    found = response.json()
    return {field: found[field] for field in ("organic", "answerBox", "knowledgeGraph") if found.get(field)}
