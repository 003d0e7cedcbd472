"""Read a web page and keep what matters for the query."""
import logging

import aiohttp
from bs4 import BeautifulSoup

from .helpers import extract_relevant_info

logger = logging.getLogger(__name__)


async def read_webpage_at_url(session: aiohttp.ClientSession, url: str) -> str:
    async with session.get(url, timeout=aiohttp.ClientTimeout(total=30)) as response:
        response.raise_for_status()
        return BeautifulSoup(await response.text(), "html.parser").get_text("\n", strip=True)


async def read_webpage_and_extract_content(session: aiohttp.ClientSession, query: str, url: str) -> tuple[str, str | None]:
    try:
        content = await read_webpage_at_url(session, url)
        return url, await extract_relevant_info(query, content)
    except aiohttp.ClientError as e:
        logger.error("failed to read %s: %s", url, e)
        return url, None
