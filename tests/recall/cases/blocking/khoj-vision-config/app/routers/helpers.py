"""Chooses the model a message goes to."""

from app.database import ConversationAdapters


async def send_message_to_model(message: str, chat_config, image_url: str | None, send):
    model_name = chat_config.name
    if image_url and not chat_config.vision_enabled:
        vision_config = ConversationAdapters.get_vision_enabled_config()
        if vision_config is not None:
            model_name = vision_config.name
    return await send(model_name, message, image_url)
