"""Steps of a research run."""

from researcher.scraping.pages import PageFetcher

__all__ = ["scrape_urls"]

DEFAULT_AGENT = "Mozilla/5.0 (research bot)"


def scrape_urls(urls, settings=None):
    agent = settings.user_agent if settings else DEFAULT_AGENT
    try:
        return PageFetcher(urls, agent).run()
    except Exception as error:
        print(f"scraping failed: {error}")
        return []
