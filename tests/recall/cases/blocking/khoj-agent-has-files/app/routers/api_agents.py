"""Agent details for a conversation."""

from app.database import AgentAdapters


async def get_agent_by_conversation(conversation) -> dict:
    if conversation.agent_slug:
        agent = await AgentAdapters.aget_agent_by_slug(conversation.agent_slug)
    else:
        agent = await AgentAdapters.aget_default_agent()
    if agent is None:
        return {"error": "agent not found"}
    has_files = agent.fileobject_set.exists()
    return {"name": agent.name, "slug": agent.slug, "has_files": has_files}
