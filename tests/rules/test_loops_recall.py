"""Recall of the APL2xx family on the N+1 loops maintainers fix most often.

Each case is the shape of a loop that was rewritten with ``asyncio.gather``, a batch query or a
list input in real agent and web code (HTTP fan-out, embeddings, tool calls, ORM lookups);
every one must be reported by exactly one family rule, the one named.
"""

from __future__ import annotations

import textwrap

import pytest

from agentperf_lint.engine import Linter
from agentperf_lint.registry import select

CASES = {
    "httpx-get": ("APL201", """
        async def f(client, urls):
            out = []
            for url in urls:
                resp = await client.get(url)
                out.append(resp.json())
            return out
    """),
    "aiohttp-async-with": ("APL201", """
        async def f(session, urls):
            data = []
            for url in urls:
                async with session.get(url) as r:
                    data.append(await r.json())
            return data
    """),
    "helper-fetch-comprehension": ("APL201", """
        async def f(session, urls):
            return [await fetch(session, u) for u in urls]
    """),
    "storage-download": ("APL201", """
        async def f(self, files):
            for f in files:
                f.content = await self.storage.download(f.key)
    """),
    "sdk-retrieve": ("APL201", """
        async def f(notion, page_ids):
            pages = {}
            for page_id in page_ids:
                pages[page_id] = await notion.pages.retrieve(page_id)
            return pages
    """),
    "api-price": ("APL201", """
        async def f(api, tickers):
            prices = {}
            for ticker in tickers:
                prices[ticker] = await api.get_price(ticker)
            return prices
    """),
    "weather-helper": ("APL201", """
        async def f(cities):
            report = []
            for city in cities:
                weather = await get_weather(city)
                report.append((city, weather))
            return report
    """),
    "http-post-each": ("APL201", """
        async def f(self, url, items):
            for item in items:
                await self.http.post(url, json=item)
    """),
    "tool-calls": ("APL201", """
        async def f(self, message, messages):
            for tool_call in message.tool_calls:
                result = await self.execute_tool(tool_call)
                messages.append({"role": "tool", "content": result})
    """),
    "openai-embeddings": ("APL204", """
        async def f(client, docs):
            for doc in docs:
                emb = await client.embeddings.create(input=doc.text, model="m")
                doc.embedding = emb.data[0].embedding
    """),
    "langchain-ainvoke": ("APL204", """
        async def f(chain, questions):
            answers = []
            for q in questions:
                answers.append(await chain.ainvoke({"q": q}))
            return answers
    """),
    "embed-query": ("APL204", """
        async def f(embedder, texts):
            vecs = []
            for t in texts:
                vecs.append(await embedder.aembed_query(t))
            return vecs
    """),
    "agents-fan-out": ("APL204", """
        async def f(self, task):
            results = {}
            for agent in self.agents:
                results[agent.name] = await agent.run(task)
            return results
    """),
    "sync-openai": ("APL204", """
        def f(client, reviews):
            labels = []
            for review in reviews:
                r = client.chat.completions.create(model="m", messages=[{"role": "user", "content": review}])
                labels.append(r.choices[0].message.content)
            return labels
    """),
    "asyncpg-fetchrow": ("APL203", """
        async def f(conn, ids):
            users = []
            for user_id in ids:
                users.append(await conn.fetchrow("SELECT * FROM users WHERE id = $1", user_id))
            return users
    """),
    "redis-get": ("APL203", """
        async def f(redis, keys):
            return {key: await redis.get(key) for key in keys}
    """),
    "motor-find-one": ("APL203", """
        async def f(db, ids):
            docs = []
            for i in ids:
                docs.append(await db.items.find_one({"_id": i}))
            return docs
    """),
    "async-session-get": ("APL203", """
        async def f(session, Item, ids):
            return [await session.get(Item, i) for i in ids]
    """),
    "django-get": ("APL202", """
        def f(orders, Customer):
            for o in orders:
                o.customer = Customer.objects.get(id=o.customer_id)
    """),
    "dbapi-insert": ("APL202", """
        def f(cursor, rows):
            for row in rows:
                cursor.execute("INSERT INTO t VALUES (%s, %s)", row)
    """),
    "sqlalchemy-query-get": ("APL202", """
        def f(session, Item, ids):
            items = []
            for i in ids:
                items.append(session.query(Item).get(i))
            return items
    """),
    "django-create": ("APL202", """
        def f(Tag, names):
            for name in names:
                Tag.objects.create(name=name)
    """),
    "gather-embeddings": ("APL205", """
        import asyncio
        async def f(model, texts):
            return await asyncio.gather(*[model.aget_text_embedding(t) for t in texts])
    """),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixed_n_plus_one_shapes_are_reported(name: str) -> None:
    code, source = CASES[name]
    outcome = Linter(select(["APL2"])).lint("case.py", textwrap.dedent(source).encode())
    assert [f.code for f in outcome.result.findings] == [code]
