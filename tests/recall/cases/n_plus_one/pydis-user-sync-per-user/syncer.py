"""Mirror the guild's members into the site database."""
from typing import NamedTuple


class MemberRow(NamedTuple):
    id: int
    name: str
    in_guild: bool


class MemberSync:
    def __init__(self, bot):
        self.bot = bot

    async def apply(self, created: list[MemberRow], changed: list[MemberRow]) -> None:
        for row in created:
            await self.bot.api_client.post("bot/users", json=row._asdict())

        for row in changed:
            await self.bot.api_client.put(f"bot/users/{row.id}", json=row._asdict())
