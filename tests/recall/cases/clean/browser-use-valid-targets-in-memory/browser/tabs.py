"""Tabs the agent may switch to."""
from .session_manager import SessionManager


class TabList:
    def __init__(self, session_manager: SessionManager):
        self.session_manager = session_manager

    async def live_target_ids(self) -> list[str]:
        return [
            target_id
            for target_id in self.session_manager.get_all_target_ids()
            if await self.session_manager.is_target_valid(target_id)
        ]
