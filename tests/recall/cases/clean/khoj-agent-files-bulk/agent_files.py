"""Copy the files an agent was given (and their search entries) to the agent."""
from django.db import transaction

from database.models import Agent, Entry, FileObject


@transaction.atomic
def attach_files(agent: Agent, files: list[str]) -> None:
    FileObject.objects.filter(agent=agent).delete()
    Entry.objects.filter(agent=agent).delete()
    references = FileObject.objects.filter(file_name__in=files, user=agent.creator, agent=None)
    FileObject.objects.bulk_create(
        [FileObject(file_name=ref.file_name, agent=agent, raw_text=ref.raw_text) for ref in references], batch_size=100
    )
    entries = Entry.objects.filter(file_path__in=files, user=agent.creator, agent=None)
    Entry.objects.bulk_create(
        [
            Entry(agent=agent, raw=e.raw, compiled=e.compiled, embeddings=e.embeddings, file_path=e.file_path)
            for e in entries
        ],
        batch_size=500,
    )
