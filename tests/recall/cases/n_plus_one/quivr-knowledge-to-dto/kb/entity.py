"""Knowledge rows and their API shape."""
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlmodel import Field, Relationship, SQLModel


class KnowledgeOut(BaseModel):
    id: str
    file_name: str
    brains: list[dict]
    parent: "KnowledgeOut | None" = None


class KnowledgeRow(AsyncAttrs, SQLModel, table=True):
    id: str = Field(primary_key=True)
    file_name: str
    parent_id: str | None = Field(default=None, foreign_key="knowledgerow.id")
    brains: list["BrainRow"] = Relationship(back_populates="knowledges")
    parent: "KnowledgeRow | None" = Relationship()

    async def to_dto(self) -> KnowledgeOut:
        brains = await self.awaitable_attrs.brains
        parent = await self.awaitable_attrs.parent
        return KnowledgeOut(
            id=self.id,
            file_name=self.file_name,
            brains=[b.model_dump() for b in brains],
            parent=await parent.to_dto() if parent else None,
        )


class BrainRow(AsyncAttrs, SQLModel, table=True):
    id: str = Field(primary_key=True)
    knowledges: list[KnowledgeRow] = Relationship(back_populates="brains")
