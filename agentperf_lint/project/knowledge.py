"""What third-party calls do, without libcst: the blocking catalogue and round-trip knowledge.

The project model needs the same answers the APL1xx and APL2xx rules give for calls outside
the project, but it works on stdlib ``ast`` summaries (fast, and importable on the warm path).
So this module indexes the catalogue rows of :mod:`..rules._blocking_catalogue` (pure data)
and holds the short lists of packages and method names that mean an awaited round trip.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache

from ..rules._blocking_catalogue import read_rows
from ..rules._costs import Cost, cost_of


@dataclass(frozen=True)
class BlockingCall:
    """One catalogue match: the call as the chain names it, its rule code and cost class."""

    call: str
    code: str
    cost: Cost


_Match = tuple[str, bool, Cost]  # code, conditional (has an argument test), cost class
# argument tests a summary cannot evaluate, whose rows therefore never end a chain
_SKIPPED_TESTS = frozenset({
    "nonblocking_acquire",  # a helper's lock guards a short critical section: not a stall by itself
    "not_iterated_here",  # a lazy query blocks where it is iterated, which a summary does not record
})


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, _Match], dict[str, tuple[_Match, frozenset[str]]], dict[str, _Match]]:
    exact: dict[str, _Match] = {}
    wildcard: dict[str, tuple[_Match, frozenset[str]]] = {}
    any_receiver: dict[str, _Match] = {}
    for row in read_rows():
        if row.unless in _SKIPPED_TESTS:
            continue
        code, unless, stated = row.code, row.unless, row.cost
        words = row.calls.split()
        exempt = frozenset(word[1:] for word in words if word.startswith("!"))
        for word in words:
            if word.startswith("!"):
                continue
            match = (code, unless is not None, stated if stated is not None else cost_of(word, code))
            if word.startswith("*."):
                any_receiver[word[2:]] = match
            elif word.endswith(".*"):
                wildcard[word[:-2]] = (match, exempt)
            else:
                exact[word] = match
    return exact, wildcard, any_receiver


def blocking_call(target: str | None, receiver: str | None, method: str, nonblocking_args: bool = False,
                  extra: frozenset[str] = frozenset()) -> BlockingCall | None:
    """The catalogue entry a call matches, as :class:`..rules._blocking.Catalogue` matches it.

    ``nonblocking_args`` says the call's arguments switch a conditional entry off (a literal
    ``False``/``0`` as in ``acquire(False)``, ``get(block=False)``, ``wait(timeout=0)``; see
    :func:`.summary._nonblocking_arguments`).
    """
    exact, wildcard, any_receiver = _index()
    found: _Match | None = None
    if target is not None and target in exact:
        found = exact[target]
    elif receiver is not None and receiver in wildcard and method not in wildcard[receiver][1]:
        found = wildcard[receiver][0]
    elif method in any_receiver:
        found = any_receiver[method]
    if found is None and extra:
        if (target in extra or (receiver and f"{receiver}.*" in extra) or f"*.{method}" in extra):
            found = ("APL113", False, Cost.NETWORK)
    if found is None:
        return None
    code, conditional, cost = found
    if conditional and nonblocking_args:
        return None
    name = (target or (f"{receiver}.{method}" if receiver else method)).removeprefix("builtins.")
    return BlockingCall(f"{name}()", code, cost)


# -- awaited round trips of third-party code ---------------------------------------------------
_PACKAGES = (
    ("http", ("httpx", "aiohttp", "requests", "urllib3", "websockets", "grpc", "aiobotocore", "aioboto3", "botocore")),
    ("llm", ("openai", "anthropic", "litellm", "google.genai", "google.generativeai", "cohere", "mistralai",
             "groq", "ollama", "langchain", "langchain_core", "langchain_openai", "langchain_anthropic",
             "llama_index", "instructor")),
    ("db", ("asyncpg", "aiosqlite", "aiomysql", "aiopg", "asyncmy", "psycopg", "motor", "pymongo", "sqlalchemy",
            "databases", "tortoise", "beanie", "odmantic", "neo4j", "elasticsearch", "qdrant_client",
            "chromadb", "pinecone", "weaviate")),
    ("cache", ("redis", "aioredis", "aiomcache")),
    ("queue", ("aio_pika", "aiokafka", "nats", "aiormq", "aiobotocore.sqs")),
    ("io", ("aiofiles", "anyio.Path", "anyio.open_file", "asyncio.open_connection", "asyncio.create_subprocess_exec",
            "asyncio.create_subprocess_shell", "asyncssh", "aiosmtplib", "aioftp", "aiodocker")),
)
# awaited methods that are a round trip whatever the receiver (the APL2xx rules know them too)
_METHODS = {
    **dict.fromkeys(("ainvoke", "acompletion", "aembed_query", "aembed_documents", "agenerate", "apredict",
                     "achat", "acomplete"), "llm"),
    **dict.fromkeys(("fetchrow", "fetchval", "find_one", "insert_one", "update_one", "delete_one",
                     "replace_one", "count_documents", "insert_many", "update_many", "delete_many",
                     "find_one_and_update", "executemany", "awaitable_attrs"), "db"),
}
# the event loop's own helpers: awaiting them is no round trip
_RUNTIME = ("asyncio.sleep", "asyncio.gather", "asyncio.wait", "asyncio.wait_for", "asyncio.shield",
            "asyncio.Event", "asyncio.Lock", "asyncio.Semaphore", "asyncio.Condition", "asyncio.Queue",
            "asyncio.to_thread", "trio.sleep", "anyio.sleep", "anyio.to_thread.run_sync")


def round_trip_kind(target: str | None, method: str) -> str | None:
    """``"http"``, ``"llm"``, ``"db"``, ``"cache"``, ``"queue"``, ``"io"`` for an awaited
    third-party call, or None when nothing says it leaves the process."""
    if target:
        for kind, packages in _PACKAGES:
            if any(target == p or target.startswith(p + ".") for p in packages):
                return kind
    return _METHODS.get(method)


def is_third_party(target: str) -> bool:
    """Not the standard library (nor a builtin): an awaited call into such a package is I/O
    (libraries offer coroutines for what waits on the outside world)."""
    return target.split(".", 1)[0] not in _STDLIB


_STDLIB = frozenset(sys.stdlib_module_names) | {"builtins"}


def is_runtime(target: str | None) -> bool:
    """An awaited helper of the event loop itself (sleep, gather, locks, queues)."""
    return bool(target) and any(target == p or target.startswith(p + ".") for p in _RUNTIME)  # type: ignore[union-attr]


# -- the Django ORM ------------------------------------------------------------------------------
# A query is spelled ``<the project's model>.objects.filter(...).count()``: no importable name
# says it, so the model (``Model.objects`` on a class with a ``django.db.models`` base) and the
# rules (:mod:`..rules._frameworks`) rename such calls to these names, which catalogue rows list.
DJANGO_QUERYSET = "django.db.models.QuerySet"
DJANGO_RELATED_MANAGER = "django.db.models.RelatedManager"
DJANGO_MODEL = "django.db.models.Model"
# methods returning another lazy queryset: no query until it is evaluated
DJANGO_LAZY = frozenset({
    "all", "filter", "exclude", "order_by", "values", "values_list", "select_related",
    "prefetch_related", "annotate", "distinct", "only", "defer", "using", "reverse", "alias",
    "select_for_update", "iterator",
})
# methods that run a query (their async twins are ``a<name>``)
DJANGO_QUERIES = frozenset({
    "get", "first", "last", "count", "exists", "create", "get_or_create", "update_or_create",
    "bulk_create", "bulk_update", "update", "delete", "aggregate", "earliest", "latest",
    "in_bulk", "contains", "explain",
})
DJANGO_INSTANCE_QUERIES = frozenset({"save", "delete", "refresh_from_db"})
