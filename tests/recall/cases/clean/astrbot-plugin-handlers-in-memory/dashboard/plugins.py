"""Dashboard route: list the installed plugins and what they handle."""
from .registry import handlers_by_name

EVENT_NAMES = {"AdapterMessageEvent": "message", "OnLLMRequestEvent": "LLM request"}


class PluginRoute:
    def __init__(self, plugin_manager):
        self.plugin_manager = plugin_manager

    async def get_plugins(self) -> list[dict]:
        plugins = []
        for plugin in self.plugin_manager.all_plugins():
            plugins.append({
                "name": plugin.name,
                "version": plugin.version,
                "handlers": await self.get_plugin_handlers_info(plugin.handler_full_names),
            })
        return plugins

    async def get_plugin_handlers_info(self, handler_full_names: list[str]) -> list[dict]:
        infos = []
        for full_name in handler_full_names:
            handler = handlers_by_name.get(full_name)
            if handler is None:
                continue
            infos.append({
                "name": handler.name,
                "event_type": EVENT_NAMES.get(handler.event_type, handler.event_type),
                "desc": handler.desc,
                "filters": [type(f).__name__ for f in handler.filters],
            })
        return infos
