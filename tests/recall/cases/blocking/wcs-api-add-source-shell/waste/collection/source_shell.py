"""Wraps one waste collection source module: its metadata and its fetch."""

import importlib
import logging
from typing import Optional

log = logging.getLogger(__name__)


class SourceShell:
    def __init__(self, source, title: str, url: str, calendar_title: Optional[str]) -> None:
        self.source = source
        self.title = title
        self.url = url
        self.calendar_title = calendar_title or title

    @staticmethod
    def create(source_name: str, customize: dict, source_args: dict, calendar_title: Optional[str] = None):
        try:
            module = importlib.import_module(f"waste.collection.source.{source_name}")
        except ImportError:
            log.error("source not found: %s", source_name)
            return None
        return SourceShell(module.Source(**source_args), module.TITLE, module.URL, calendar_title)
