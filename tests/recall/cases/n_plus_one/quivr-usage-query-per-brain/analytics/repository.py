"""Daily usage of a user's brains."""
from collections import defaultdict
from datetime import datetime

from .settings import get_supabase_client


class Analytics:
    def __init__(self, brain_users):
        self.db = get_supabase_client()
        self.brain_users = brain_users

    def usage_per_day(self, user_id: str) -> dict:
        per_day = defaultdict(int)
        for brain in self.brain_users.get_user_brains(user_id):
            rows = self.db.from_("chat_history").select("message_time").eq("brain_id", str(brain.id)).execute().data
            for row in rows:
                per_day[datetime.fromisoformat(row["message_time"]).date()] += 1
        return dict(per_day)
