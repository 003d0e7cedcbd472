"""ORM models for agents and their runs."""
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import Session, declarative_base

Base = declarative_base()


class Agent(Base):
    __tablename__ = "agents"
    id = Column(Integer, primary_key=True)
    project_id = Column(Integer)

    @classmethod
    def all_for_project(cls, session: Session, project_id: int) -> list["Agent"]:
        return session.query(cls).filter(cls.project_id == project_id).all()


class AgentExecution(Base):
    __tablename__ = "agent_executions"
    id = Column(Integer, primary_key=True)
    agent_id = Column(Integer)
    status = Column(String)

    @classmethod
    def with_status(cls, session: Session, agent_id: int, status: str) -> list["AgentExecution"]:
        return session.query(cls).filter(cls.agent_id == agent_id, cls.status == status).all()
