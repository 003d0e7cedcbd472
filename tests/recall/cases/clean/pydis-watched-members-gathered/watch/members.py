"""Member lookups that fall back to the Discord API."""
import logging

import discord

log = logging.getLogger(__name__)


async def get_or_fetch_member(guild: discord.Guild, member_id: int) -> discord.Member | None:
    """Return the cached member, or ask the API for it."""
    member = guild.get_member(member_id)
    if member is not None:
        return member
    try:
        return await guild.fetch_member(member_id)
    except discord.NotFound:
        log.debug("member %d is gone", member_id)
        return None
