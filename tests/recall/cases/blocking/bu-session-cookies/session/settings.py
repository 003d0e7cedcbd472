"""Settings of one browsing session."""

from dataclasses import dataclass
from typing import Optional


@dataclass
class SessionSettings:
    cookies_file: Optional[str] = None
    headless: bool = True
