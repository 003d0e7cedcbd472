"""Agents calling an LLM over HTTP: the client, the embedding cache and the prompt lookups.

Each mistake (APL3xx) sits next to the correct way.
"""

from __future__ import annotations

import asyncio
import functools

import aiohttp
import httpx
import requests
from openai import AsyncOpenAI

from agentperf_lint.runtime import IntelligentCache

LLM_URL = "http://127.0.0.1:8081/v1/chat"
_embedding_cache = IntelligentCache(max_size=10_000, default_ttl=3600)


# --- clients -------------------------------------------------------------------------------
async def ask_llm_slow(prompt: str) -> str:
    # a new connection pool (and TLS handshake) for every question (APL301)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.post(LLM_URL, json={"prompt": prompt}) as response:
            return (await response.json())["text"]


class LLMClient:
    """The correct way: one session per agent process, opened in ``__aenter__``."""

    async def __aenter__(self) -> LLMClient:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()

    async def ask(self, prompt: str) -> str:
        async with self.session.post(LLM_URL, json={"prompt": prompt}) as response:
            return (await response.json())["text"]


async def summarise_all(texts: list[str]) -> list[str]:
    summaries = []
    for text in texts:
        client = AsyncOpenAI()  # a new SDK client (and httpx pool) per text (APL301)
        response = await client.responses.create(model="small", input=text)
        summaries.append(response.output_text)
    return summaries


def make_openai_client() -> AsyncOpenAI:
    """The correct way: a factory called once at start-up; the client is returned and shared."""
    return AsyncOpenAI(timeout=30.0)


# --- caches --------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1024)  # caches the coroutine: the second await raises (APL303)
async def embed_broken(text: str) -> list[float]:
    async with httpx.AsyncClient(timeout=None) as client:  # no timeout at all (APL306)
        response = await client.post(f"{LLM_URL}/embed", json={"text": text})
        return response.json()["vector"]


@_embedding_cache.cached()  # the correct way: caches the awaited result, single flight
async def embed(client: httpx.AsyncClient, text: str) -> list[float]:
    response = await client.post(f"{LLM_URL}/embed", json={"text": text})
    return response.json()["vector"]


class Agent:
    def __init__(self, name: str, template: str) -> None:
        self.name = name
        self.template = template

    @functools.cache  # keeps every Agent (and its history) alive forever (APL304)
    def system_prompt(self, role: str) -> str:
        return self.template.format(name=self.name, role=role)

    @functools.cached_property  # the correct way for a value computed once per agent
    def greeting(self) -> str:
        return f"You are {self.name}."


@functools.lru_cache(maxsize=256)  # fine: a module-level sync function
def prompt_template(kind: str) -> str:
    return f"Answer as a {kind} expert."


# --- loops ---------------------------------------------------------------------------------
async def rank_documents(client: httpx.AsyncClient, query: str, docs: list[str]) -> list[float]:
    scores = []
    for doc in docs:
        query_vector = await embed(client, query)  # same query every iteration (APL305)
        # and one embedding request per document, each waiting for the last (APL201)
        scores.append(sum(a * b for a, b in zip(query_vector, await embed(client, doc))))
    return scores


async def rank_documents_fast(client: httpx.AsyncClient, query: str, docs: list[str]) -> list[float]:
    query_vector = await embed(client, query)  # the correct way: hoisted out of the loop,
    doc_vectors = await asyncio.gather(*(embed(client, doc) for doc in docs))  # and concurrent
    return [sum(a * b for a, b in zip(query_vector, vector)) for vector in doc_vectors]


def download_prompts(urls: list[str]) -> list[str]:
    # a new connection per URL (APL302), and no timeout (APL306)
    return [requests.get(url).text for url in urls]


def download_prompts_fast(urls: list[str]) -> list[str]:
    with requests.Session() as session:  # the correct way: one session, keep-alive, timeouts
        return [session.get(url, timeout=10).text for url in urls]
