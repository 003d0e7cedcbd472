"""Public API: pause every running agent of the caller's project."""
from fastapi import APIRouter
from fastapi_sqlalchemy import db
from sqlalchemy import update

from .models import Agent, AgentExecution

router = APIRouter()


@router.post("/resume/all")
def pause_all_runs(project_id: int) -> dict:
    agent_ids = db.session.query(Agent.id).filter(Agent.project_id == project_id)
    db.session.execute(
        update(AgentExecution)
        .where(AgentExecution.agent_id.in_(agent_ids), AgentExecution.status == "RUNNING")
        .values(status="PAUSED")
    )
    db.session.commit()
    return {"result": "success"}
