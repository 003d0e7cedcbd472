"""Render the list of watched users for a moderator."""
from .members import get_or_fetch_member


async def describe_watched(ctx, watched: dict[int, str]) -> str:
    lines = []
    for user_id, reason in watched.items():
        member = await get_or_fetch_member(ctx.guild, user_id)
        line = f"`{user_id}`"
        if member:
            line += f" ({member.display_name})"
        lines.append(f"{line}: {reason}")
    return "\n".join(lines)
