"""The orchestrator: fans a task out to agents, tools and the model (APL201, APL204, APL205).

Each mistake sits next to the correct way, and next to loops that must stay sequential, which
agentperf-lint leaves alone.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp
from openai import AsyncOpenAI

from agentperf_lint.runtime import BatchProcessor

MODEL = "gpt-4o-mini"
llm = AsyncOpenAI()


@dataclass
class Document:
    url: str
    text: str = ""
    summary: str = ""


# --- fetching documents with a tool -----------------------------------------------------------
async def fetch_documents_slow(session: aiohttp.ClientSession, docs: list[Document]) -> None:
    for doc in docs:
        async with session.get(doc.url) as response:  # one request after another (APL201)
            doc.text = await response.text()


async def _fetch_one(session: aiohttp.ClientSession, doc: Document, limit: asyncio.Semaphore) -> None:
    async with limit, session.get(doc.url) as response:
        doc.text = await response.text()


async def fetch_documents(session: aiohttp.ClientSession, docs: list[Document]) -> None:
    limit = asyncio.Semaphore(16)  # bounded: a large input is not a burst of sockets
    await asyncio.gather(*(_fetch_one(session, doc, limit) for doc in docs))


# --- asking the model per document ------------------------------------------------------------
async def summarise_slow(docs: list[Document]) -> list[str]:
    summaries = []
    for doc in docs:
        reply = await llm.chat.completions.create(  # one model call at a time (APL204)
            model=MODEL, messages=[{"role": "user", "content": f"Summarise:\n{doc.text}"}]
        )
        summaries.append(reply.choices[0].message.content or "")
    return summaries


async def summarise(docs: list[Document]) -> list[str]:
    async def one(doc: Document) -> str:
        reply = await llm.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": f"Summarise:\n{doc.text}"}]
        )
        return reply.choices[0].message.content or ""

    async def batch(chunk: list[Document]) -> list[str]:
        return list(await asyncio.gather(*(one(doc) for doc in chunk)))

    # chunks of 8 requests at once, at most 2 chunks in flight: bounded by the provider's rate limit
    processor = BatchProcessor(batch, batch_size=8, max_workers=2)
    return await processor.process_many(docs)


async def embed_slow(texts: list[str]) -> list[list[float]]:
    return [(await llm.embeddings.create(model="text-embedding-3-small", input=t)).data[0].embedding
            for t in texts]  # one request per text (APL204)


async def embed(texts: list[str]) -> list[list[float]]:
    response = await llm.embeddings.create(model="text-embedding-3-small", input=texts)  # one request
    return [item.embedding for item in response.data]


# --- running sub-agents -----------------------------------------------------------------------
class Agent:
    def __init__(self, name: str) -> None:
        self.name = name

    async def run(self, task: str) -> str:
        await asyncio.sleep(0.1)
        return f"{self.name}: {task}"

    async def reply(self, message: str) -> str:
        await asyncio.sleep(0.1)
        return message + "!"


async def plan_slow(agents: list[Agent], task: str) -> list[str]:
    return [await agent.run(task) for agent in agents]  # the agents wait for each other (APL204)


async def plan(agents: list[Agent], task: str) -> list[str]:
    return list(await asyncio.gather(*(agent.run(task) for agent in agents)))


async def broadcast_at_once(agents: list[Agent], tasks: list[str]) -> list[str]:
    # every task of an unknown-size input starts at once (APL205 in a module without a bound;
    # this module has one, so it is not reported here: see store.py for the reported shape)
    return list(await asyncio.gather(*(agents[0].run(t) for t in tasks)))


# --- loops that must stay sequential (not reported) -------------------------------------------
async def debate(a: Agent, b: Agent, opening: str, rounds: int) -> str:
    message = opening
    for _ in range(rounds):
        message = await a.reply(message)  # each turn answers the previous one
        message = await b.reply(message)
    return message


async def first_willing(agents: list[Agent], task: str) -> Agent | None:
    for agent in agents:
        if "yes" in await agent.run(task):  # stops at the first taker
            return agent
    return None


async def drain(queue: asyncio.Queue[str], agent: Agent, results: list[str]) -> None:
    while not queue.empty():
        results.append(await agent.run(await queue.get()))


async def paced(agent: Agent, tasks: list[str]) -> None:
    for task in tasks:
        await agent.run(task)
        await asyncio.sleep(1)  # deliberately one per second
