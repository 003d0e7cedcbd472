"""Book-keeping of the CDP targets and sessions a browser session owns."""


class SessionManager:
    def __init__(self):
        self._target_sessions: dict[str, set[str]] = {}

    def get_all_target_ids(self) -> list[str]:
        return list(self._target_sessions)

    async def is_target_valid(self, target_id: str) -> bool:
        """A target is valid while at least one session is attached to it."""
        if target_id not in self._target_sessions:
            return False
        return len(self._target_sessions[target_id]) > 0
