"""Data access for agents."""

from app.database.models import Agent


class AgentAdapters:
    DEFAULT_AGENT = "Default"

    @staticmethod
    async def aget_agent_by_slug(slug: str):
        return await Agent.objects.filter(slug__iexact=slug.lower()).prefetch_related("fileobject_set").afirst()

    @staticmethod
    async def aget_default_agent():
        return await Agent.objects.filter(name=AgentAdapters.DEFAULT_AGENT).afirst()
