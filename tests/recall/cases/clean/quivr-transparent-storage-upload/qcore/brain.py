"""Build a brain's storage from files that are already parsed."""
from .storage import QuivrFile, TransparentStorage


async def storage_from_files(files: list[QuivrFile]) -> TransparentStorage:
    storage = TransparentStorage()
    for file in files:
        await storage.upload_file(file)
    return storage
