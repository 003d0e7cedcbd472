"""Knowledge use cases for the API routes."""
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from .entity import BrainRow, KnowledgeOut, KnowledgeRow


class KnowledgeService:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def list_in_brain(self, brain_id: str) -> list[KnowledgeOut]:
        result = await self.session.exec(select(BrainRow).where(BrainRow.id == brain_id))
        brain = result.one()
        rows: list[KnowledgeRow] = await brain.awaitable_attrs.knowledges
        return [await row.to_dto() for row in rows]
