"""Resolutions added for maintainers' fixes: a module global assigned under ``global`` in a
start-up function, star imports, a method inherited from a base class in another module, and
the wait at the end of a ``with ThreadPoolExecutor()`` block."""

from __future__ import annotations

from .conftest import found

GLOBALS = {
    "bot/__init__.py": "",
    "bot/censor.py": """
        import time

        class Censor:
            def check(self, text):
                time.sleep(1)
                return True
    """,
    "bot/core.py": """
        from bot.censor import Censor

        censor = None

        def start():
            global censor
            censor = Censor()

        async def handle(text):
            return censor.check(text)
    """,
}


def test_global_assigned_in_a_start_up_function_has_that_type(model_of):
    model = model_of(GLOBALS)
    assert model.canonical_function("bot.core.censor.check") == "bot.censor.Censor.check"


def test_global_assigned_in_a_start_up_function_is_followed_by_apl114(lint):
    assert found(lint(GLOBALS, ["APL114"])) == [("bot/core.py", 10, "APL114")]


def test_global_assigned_two_ways_stays_unknown(model_of):
    files = dict(GLOBALS)
    files["bot/core.py"] = GLOBALS["bot/core.py"] + "\ndef reset():\n    global censor\n    censor = object()\n"
    assert model_of(files).canonical_function("bot.core.censor.check") is None


def test_global_assigned_in_a_nested_function_stays_unknown(model_of):
    files = dict(GLOBALS)
    files["bot/core.py"] = GLOBALS["bot/core.py"] + (
        "\ndef outer(make):\n    def inner():\n        global censor\n        censor = make()\n    return inner\n")
    assert model_of(files).canonical_function("bot.core.censor.check") is None


def test_local_of_the_same_name_is_not_the_global(lint):
    files = dict(GLOBALS)
    files["bot/core.py"] = GLOBALS["bot/core.py"].replace("    return censor.check(text)", (
        "    censor = text\n    return censor.check(text)"))
    assert found(lint(files, ["APL114"])) == []


STAR = {
    "app/__init__.py": "",
    "app/actions.py": """
        import requests

        def fetch(url):
            return requests.get(url).text

        def _private(url):
            return requests.get(url).text
    """,
    "app/agent.py": """
        from app.actions import *

        async def step(url):
            return fetch(url)

        async def hidden(url):
            return _private(url)
    """,
}


def test_star_import_binds_the_public_names(model_of):
    model = model_of(STAR)
    assert model.canonical_function("app.agent.fetch") == "app.actions.fetch"
    assert model.canonical_function("app.agent._private") is None


def test_star_imported_helper_is_followed_by_apl114(lint):
    assert found(lint(STAR, ["APL114"])) == [("app/agent.py", 4, "APL114")]


INHERITED = {
    "gw/__init__.py": "",
    "gw/network.py": """
        import time

        class Network:
            def probe(self):
                time.sleep(2)
    """,
    "gw/gateway.py": """
        from .network import Network

        class Gateway(Network):
            async def run(self):
                self.probe()
    """,
}


def test_method_inherited_from_another_module_is_followed(lint):
    assert found(lint(INHERITED, ["APL114"])) == [("gw/gateway.py", 5, "APL114")]


POOL = {
    "crawl/__init__.py": "",
    "crawl/pages.py": """
        from concurrent.futures import ThreadPoolExecutor

        def work(url):
            return url

        def fetch_all(urls):
            with ThreadPoolExecutor(max_workers=4) as pool:
                return list(pool.map(work, urls))
    """,
    "crawl/agent.py": """
        from crawl.pages import fetch_all

        async def step(urls):
            return fetch_all(urls)
    """,
}


def test_leaving_a_thread_pool_block_waits_for_its_work(model_of):
    effect = model_of(POOL).effect("crawl.pages.fetch_all")
    assert effect is not None and effect.blocking is not None
    assert effect.blocking.chain == ("concurrent.futures.ThreadPoolExecutor.shutdown()",)


RETURNS = {
    "svc/__init__.py": "",
    "svc/clients.py": """
        import requests

        class Client:
            def get(self, url):
                return requests.get(url)

        def make(flag):
            if not flag:
                return None
            return Client()

        def either(flag):
            return Client() if flag else object()

        def two(flag):
            if flag:
                return Client()
            return dict()

        def stream():
            yield Client()
            return Client()
    """,
}


def test_unannotated_return_is_what_every_return_agrees_on(model_of):
    model = model_of(RETURNS)
    assert model.return_type("svc.clients.make") == "svc.clients.Client"
    assert model.return_type("svc.clients.either") is None
    assert model.return_type("svc.clients.two") is None
    assert model.return_type("svc.clients.stream") is None


TO_THREAD = {
    "mem/__init__.py": "",
    "mem/embed.py": """
        from openai import OpenAI

        class Embedder:
            def __init__(self):
                self.client = OpenAI()

            def embed(self, text):
                return self.client.embeddings.create(model="m", input=[text]).data[0].embedding
    """,
    "mem/search.py": """
        import asyncio
        from .embed import Embedder

        class Search:
            def __init__(self):
                self.embedder = Embedder()

            async def vectors(self, texts):
                out = []
                for text in texts:
                    out.append(await asyncio.to_thread(self.embedder.embed, text))
                return out
    """,
}


def test_function_passed_to_to_thread_is_the_per_item_call(lint):
    assert found(lint(TO_THREAD, ["APL204"])) == [("mem/search.py", 11, "APL204")]


PUTS = {
    "sync.py": """
        async def push(client, rows, queue):
            for row in rows:
                await client.put(f"users/{row.id}", json=row.data)
            for row in rows:
                await queue.put(f"users/{row.id}")
            for row in rows:
                await queue.put(row)
    """,
}


def test_put_with_a_request_body_is_an_http_request_not_a_queue_put(lint):
    assert found(lint(PUTS, ["APL201"])) == [("sync.py", 3, "APL201")]


DRIVERS = {
    "store/__init__.py": "",
    "store/clients.py": """
        from supabase import Client, create_client

        def supabase_client() -> Client:
            return create_client("url", "key")
    """,
    "store/tables.py": """
        from azure.cosmos.aio import ContainerProxy
        from opensearchpy import OpenSearch
        from .clients import supabase_client

        class Tables:
            def __init__(self, container: ContainerProxy, host):
                self.container = container
                self.search = OpenSearch(hosts=[host])
                self.db = supabase_client()

            async def write(self, rows):
                for row in rows:
                    await self.container.upsert_item(body=row)

            def index(self, docs):
                for doc in docs:
                    self.search.index(index="i", body=doc)

            def usage(self, brains):
                return [self.db.table("t").select("*").eq("brain", b.id).execute() for b in brains]

            async def untyped(self, store, rows):
                for row in rows:
                    await store.upsert_item(body=row)
    """,
}


def test_typed_document_and_postgrest_clients_are_round_trips_per_item(lint):
    assert found(lint(DRIVERS, ["APL202", "APL203"])) == [
        ("store/tables.py", 13, "APL203"), ("store/tables.py", 17, "APL202"), ("store/tables.py", 20, "APL202")]


def test_memoised_function_without_parameters_runs_its_body_once(model_of):
    model = model_of({"conf.py": """
        from functools import lru_cache

        def read():
            return open("settings.toml").read()

        @lru_cache
        def settings():
            return read()

        @lru_cache(maxsize=None)
        def by_name(name):
            return read()
    """})
    assert model.effect("conf.settings").blocking is None
    assert model.effect("conf.by_name").blocking is not None


LAZY = {
    "kb/__init__.py": "",
    "kb/rows.py": """
        from sqlalchemy.ext.asyncio import AsyncAttrs

        class Row(AsyncAttrs):
            async def to_dto(self):
                brains = await self.awaitable_attrs.brains
                return {"brains": brains}

            async def label(self):
                return "row"
    """,
    "kb/service.py": """
        from .rows import Row

        async def listing(rows: list[Row]):
            return [await row.to_dto() for row in rows]

        async def labels(rows: list[Row]):
            return [await row.label() for row in rows]
    """,
}


def test_awaited_lazy_relationship_is_a_query_per_item(lint):
    assert found(lint(LAZY, ["APL201", "APL203"])) == [("kb/service.py", 4, "APL203")]
