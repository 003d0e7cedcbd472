"""Render the list of watched users for a moderator."""
import asyncio

from .members import get_or_fetch_member


async def describe_watched(ctx, watched: dict[int, str]) -> str:
    found = await asyncio.gather(*(get_or_fetch_member(ctx.guild, user_id) for user_id in watched))
    members = {member.id: member for member in found if member is not None}
    lines = []
    for user_id, reason in watched.items():
        member = members.get(user_id)
        line = f"`{user_id}`"
        if member:
            line += f" ({member.display_name})"
        lines.append(f"{line}: {reason}")
    return "\n".join(lines)
