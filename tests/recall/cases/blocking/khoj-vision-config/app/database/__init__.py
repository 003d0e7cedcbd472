"""Data access for conversation settings."""

from app.database.models import ChatModelOptions


class ConversationAdapters:
    @staticmethod
    def get_all_conversation_configs():
        return ChatModelOptions.objects.all()

    @staticmethod
    def get_vision_enabled_config():
        for config in ConversationAdapters.get_all_conversation_configs():
            if config.vision_enabled:
                return config
        return None
