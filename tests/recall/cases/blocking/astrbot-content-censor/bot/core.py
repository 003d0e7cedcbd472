"""Message pipeline of the chat bot."""

from addons.censor import TextCensor

censor = None


def start_bot(settings: dict) -> None:
    global censor
    if settings.get("censor"):
        censor = TextCensor(settings["censor"])


async def handle_message(text: str, provider) -> str:
    if censor is not None:
        allowed, why = censor.check(text)
        if not allowed:
            return f"Your question was blocked by moderation: {why}"
    answer = await provider.text_chat(text)
    if censor is not None:
        allowed, why = censor.check(answer)
        if not allowed:
            return f"The answer was blocked by moderation: {why}"
    return answer
