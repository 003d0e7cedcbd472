"""Example: an agent with a custom web-search action backed by an LLM search API."""

import logging
import os

log = logging.getLogger(__name__)


class ActionResult:
    def __init__(self, extracted_content: str, include_in_memory: bool = False) -> None:
        self.extracted_content = extracted_content
        self.include_in_memory = include_in_memory


async def search_web(query: str) -> ActionResult:
    import json

    import requests

    payload = {"model": "sonar", "messages": [{"role": "user", "content": query}]}
    headers = {"Authorization": f"Bearer {os.environ.get('SEARCH_API_KEY', '')}"}
    response = requests.request("POST", "https://api.search.example/chat/completions", json=payload, headers=headers)
    body = json.loads(response.text)
    content = body["choices"][0]["message"]["content"]
    output = content + "\n\nSources:\n" + "\n".join(body.get("citations", []))
    log.info(output)
    return ActionResult(extracted_content=output, include_in_memory=True)
