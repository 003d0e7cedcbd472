"""Per-model call logs for the APM dashboard."""
from sqlalchemy.orm import Session

from models import Agent, CallLogs, Tool, Toolkit


class CallLogHelper:
    def __init__(self, session: Session, organisation_id: int):
        self.session = session
        self.organisation_id = organisation_id

    def runs_for_model(self, model: str) -> list[dict]:
        runs = self.session.query(CallLogs).filter(CallLogs.model == model, CallLogs.org_id == self.organisation_id).all()
        agents = self.session.query(Agent).filter(Agent.id.in_([run.agent_id for run in runs])).all()
        agent_names = {agent.id: agent.name for agent in agents}
        toolkit_ids = self.session.query(Toolkit.id).filter(Toolkit.organisation_id == self.organisation_id)
        tools = self.session.query(Tool).filter(Tool.name.in_([run.tool_used for run in runs]), Tool.toolkit_id.in_(toolkit_ids)).all()
        toolkit_of_tool = {tool.name: tool.toolkit_id for tool in tools}
        return [
            {
                "id": run.id,
                "agent_name": agent_names.get(run.agent_id),
                "tool_used": run.tool_used,
                "toolkit_name": toolkit_of_tool.get(run.tool_used),
                "tokens_consumed": run.tokens_consumed,
            }
            for run in runs
        ]
