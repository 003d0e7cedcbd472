"""Per-model call logs for the APM dashboard."""
from sqlalchemy.orm import Session

from models import Agent, CallLogs, Tool, Toolkit


class CallLogHelper:
    def __init__(self, session: Session, organisation_id: int):
        self.session = session
        self.organisation_id = organisation_id

    def runs_for_model(self, model: str) -> list[dict]:
        runs = self.session.query(CallLogs).filter(CallLogs.model == model, CallLogs.org_id == self.organisation_id).all()
        rows = []
        for run in runs:
            agent = self.session.query(Agent).filter(Agent.id == run.agent_id).first()
            toolkit = None
            tool = self.session.query(Tool).filter(Tool.name == run.tool_used).first()
            if tool:
                toolkit = self.session.query(Toolkit).filter(Toolkit.id == tool.toolkit_id).first()
            rows.append({
                "id": run.id,
                "agent_name": agent.name if agent else None,
                "tool_used": run.tool_used,
                "toolkit_name": toolkit.name if toolkit else None,
                "tokens_consumed": run.tokens_consumed,
            })
        return rows
