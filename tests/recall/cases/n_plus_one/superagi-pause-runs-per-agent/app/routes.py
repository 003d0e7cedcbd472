"""Public API: pause every running agent of the caller's project."""
from fastapi import APIRouter
from fastapi_sqlalchemy import db

from .models import Agent, AgentExecution

router = APIRouter()


@router.post("/resume/all")
def pause_all_runs(project_id: int) -> dict:
    for agent in Agent.all_for_project(db.session, project_id):
        for execution in AgentExecution.with_status(db.session, agent.id, "RUNNING"):
            execution.status = "PAUSED"
    db.session.commit()
    return {"result": "success"}
