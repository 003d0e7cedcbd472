"""Answer from specific web pages."""
import aiohttp

from .pages import read_webpage_and_extract_content


async def read_webpages(query: str, urls: list[str]) -> dict[str, str | None]:
    results = {}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for url in urls:
            _, extract = await read_webpage_and_extract_content(session, query, url)
            results[url] = extract
    return results
