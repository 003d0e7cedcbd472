"""A browsing context that keeps its cookies between runs."""

import json

from .settings import SessionSettings


class BrowsingContext:
    def __init__(self, settings: SessionSettings, browser) -> None:
        self.settings = settings
        self.browser = browser

    async def open(self):
        ctx = await self.browser.new_context()
        if self.settings.cookies_file:
            with open(self.settings.cookies_file, "r") as handle:
                saved = json.load(handle)
            await ctx.add_cookies([c for c in saved if c.get("sameSite") in ("Strict", "Lax", "None")])
        return ctx

    async def save_cookies(self, ctx) -> None:
        if not self.settings.cookies_file:
            return
        cookies = await ctx.cookies()
        with open(self.settings.cookies_file, "w") as handle:
            json.dump(cookies, handle)
