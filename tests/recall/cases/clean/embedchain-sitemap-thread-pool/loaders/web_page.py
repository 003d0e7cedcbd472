"""Load one web page as a document."""
import requests
from bs4 import BeautifulSoup


class WebPageLoader:
    def load_data(self, url: str) -> dict:
        response = requests.get(url, timeout=30)
        response.raise_for_status()
        text = BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)
        return {"doc_id": url, "data": [{"content": text, "meta_data": {"url": url}}]}
