"""Copy the files an agent was given (and their search entries) to the agent."""
from database.models import Agent, Entry, FileObject


async def attach_files(agent: Agent, files: list[str]) -> None:
    await FileObject.objects.filter(agent=agent).adelete()
    await Entry.objects.filter(agent=agent).adelete()
    for file in files:
        reference = await FileObject.objects.filter(file_name=file, user=agent.creator).afirst()
        if reference is None:
            continue
        await FileObject.objects.acreate(file_name=file, agent=agent, raw_text=reference.raw_text)
        copies = [
            Entry(agent=agent, raw=entry.raw, compiled=entry.compiled, embeddings=entry.embeddings, file_path=file)
            async for entry in Entry.objects.filter(file_path=file, user=agent.creator).aiterator()
        ]
        await Entry.objects.abulk_create(copies)
