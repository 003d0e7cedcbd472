"""Storages for the files of a brain."""
from abc import ABC, abstractmethod
from uuid import UUID


class QuivrFile:
    def __init__(self, id: UUID, path: str):
        self.id = id
        self.path = path


class StorageBase(ABC):
    @abstractmethod
    async def upload_file(self, file: QuivrFile, exists_ok: bool = False) -> None: ...

    @abstractmethod
    async def get_files(self) -> list[QuivrFile]: ...


class TransparentStorage(StorageBase):
    """Keeps the files in memory; nothing is written anywhere."""

    def __init__(self):
        self.id_files: dict[UUID, QuivrFile] = {}

    async def upload_file(self, file: QuivrFile, exists_ok: bool = False) -> None:
        self.id_files[file.id] = file

    async def get_files(self) -> list[QuivrFile]:
        return list(self.id_files.values())
