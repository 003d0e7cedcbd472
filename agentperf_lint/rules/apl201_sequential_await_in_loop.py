"""APL201: one independent ``await`` per item of a ``for`` loop or comprehension."""

from __future__ import annotations

import libcst as cst

from ..rule import FixAvailability, Invalid, Valid
from ._kind_dispatch import for_one_kind_of_part
from ._loops import (
    PerItemCallRule,
    call_kind,
    facts_for,
    for_one_item,
    in_error_fallback,
    in_test_code,
    independent_call,
    innermost_loop,
    is_ordered_or_runtime,
    looks_like_io,
    shares_state,
    walks_batches,
)


class SequentialAwaitInLoop(PerItemCallRule):
    """## What it does
    Reports a `for` loop or a list/set/dict comprehension that awaits one call per item
    (`await fetch(url)`, `async with session.get(url)`) when the iterations do not depend on
    each other: the call reads the loop variable, and nothing an earlier iteration wrote.

    It stays silent where the order is the point, or where the await does not really run once
    per item:

    - loops that carry a value from one iteration to the next (`message = await
      agent.reply(message)`, pagination cursors, accumulators the call reads), leave early
      (`break`, `return`, `raise`, `yield`: retries, searches), or pace themselves (a sleep, a
      lock, a semaphore or a rate limiter in the body);
    - ordered I/O (`send`, `write`, `put`, `drain`, queue and event waits), replayed input
      events (`dispatchKeyEvent`, `click`, `press`; any await of a loop whose body also clicks
      or presses belongs to ordered steps on one page), awaits that feed each other, awaits of
      tasks that already run (`for t in tasks: await t`, `as_completed`), `async for` streams
      and `while` loops;
    - loops over batches (`for chunk in batched(users, 1000)`, `range(0, n, 100)`: one request
      per batch already) and one-by-one fallbacks in an `except` block;
    - awaits that run for one item or depending on earlier ones: under `if tool.name == name:`
      or `if item is target:` (the item against a variable the loop does not change; the
      finding then goes to an await that does run per item, if any), under a test of what
      earlier iterations wrote (`if not image: image = await download(...)`, a memo checked
      before `continue`) or of what an earlier await of the iteration found (`if not member:
      await cache.delete(key)`); cache-first lookups written out
      (`bot.get_user(i) or await bot.fetch_user(i)`);
    - coroutines of the same class or module that await nothing, or whose every await sits
      behind a flag the call passes as `False`/`None`/`0` (`await build_message(m,
      vision_support=False)`), calls that do not use the loop variable (APL305), and one-shot
      code: migrations (`alembic/versions/`, `migrations/`, `migrate_*.py`) and Home Assistant
      `diagnostics.py`;
    - code that keeps nobody waiting: helpers that, in their module, only start-up hooks call
      (`cog_load`, `setup_hook`, `async_setup_entry`..., up to three calls down; a helper a
      command, a route or a module-level reference also reaches is reported), periodic jobs
      (`@tasks.loop(...)`, `@repeat_every(...)`, `@scheduled_job(...)`, or a `while` loop
      whose body sleeps between rounds), Django management commands (`management/commands/`),
      and scripts or command-line tools that run nothing concurrently (one whose `__main__`
      block starts a server is a service and is reported);
    - an await in one arm of a dispatch on the item's kind, when another tested arm handles
      its kind in process (no await, no `raise`):
      `for comp in message.chain: if isinstance(comp, Plain): ... elif isinstance(comp,
      Image): await download(comp.url)` converts one record's parts in order, and the few
      parts that need a download must keep their place (an `if`/`elif` chain with two tested
      arms on the item's type or tag; a chain whose every arm awaits is reported).

    Database, LLM and driver calls have their own codes (APL202-APL204).

    Only calls that look like a round trip are reported: methods of HTTP clients (`httpx`,
    `aiohttp`) or of objects named like a client, session or API, and callees whose names say
    so (`fetch`, `get`, `post`, `download`, `query`, `search`, `retrieve`, `embed`...). Other
    coroutines may be cheap in-process work (formatting, token counting) that gains nothing
    from concurrency.

    ## Why is this bad?
    Each `await` waits for a full round trip before the next one starts: ten 200 ms requests
    take two seconds in series, and about 200 ms awaited together. In an agent, every sequential
    tool or HTTP call adds its whole latency to the user's wait.

    ## Example
    ```python
    async def fetch_all(session, urls):
        pages = []
        for url in urls:
            pages.append(await session.fetch(url))
        return pages
    ```

    ## Use instead
    ```python
    import asyncio

    async def fetch_all(session, urls):
        return list(await asyncio.gather(*(session.fetch(url) for url in urls)))
    ```
    For inputs of unknown size, bound the concurrency (an `asyncio.Semaphore`, or
    `agentperf_lint.runtime.BatchProcessor(max_workers=...)` when the callee takes batches);
    see APL205.

    ## Fix safety
    The fix is unsafe: the calls then run concurrently, so their side effects may interleave,
    the server sees them at once, and the first exception propagates while the other calls
    keep running. It is offered for four shapes only, where the results keep their order:
    `for x in xs: await f(x)` (the whole body), `out = []` directly followed by
    `for x in xs: out.append(await f(x))`, `[await f(x) for x in xs]` (and the set form), and
    `{k: await f(k) for k in ks}` when `ks` names a collection built in the function (it is
    read twice: a generator passed in would be consumed by the first read). It is not offered
    when a name the `for` loop binds is used outside the loop (the generator in the fix binds
    none), nor in trio or anyio modules, where a nursery or task group is the idiom. Each fix
    shape is executed in the test suite against a fake network.

    ## Options
    None.
    """

    code = "APL201"
    name = "sequential-await-in-loop"
    message = "`await {call}(...)` runs once per item, each waiting for the previous one"
    fix_availability = FixAvailability.SOMETIMES
    triggers = ("await", "async with")
    kinds = frozenset({None})
    offers_gather = True

    def visit_With(self, node: cst.With) -> None:
        """``async with session.get(url) as response:`` per item is a request per item."""
        ctx = self.ctx
        if node.asynchronous is None or not ctx.in_async:
            return
        loop = innermost_loop(ctx)
        if loop is None or id(loop) in self._reported or in_test_code(ctx):
            return
        facts = facts_for(ctx, loop)
        if for_one_item(ctx, loop, facts) or walks_batches(loop) or in_error_fallback(ctx, loop):
            return
        if for_one_kind_of_part(ctx, loop, set(facts.targets | facts.derived)):
            return
        for item in node.items:
            call = item.item
            if (isinstance(call, cst.Call) and call_kind(ctx, call) is None
                    and not is_ordered_or_runtime(ctx, call, facts.targets) and looks_like_io(ctx, call)
                    and not shares_state(ctx, call, facts)
                    and independent_call(ctx, facts, call)):
                self._reported.add(id(loop))
                self.report(call, message=self.describe(call, None).replace("`await ", "`async with ", 1))
                return

    def describe(self, call: cst.Call, kind: str | None) -> str:
        return (
            f"`await {self.callee(call)}(...)` runs once per item, each waiting for the previous "
            "one; the iterations are independent: await them together with `asyncio.gather` or "
            "a `TaskGroup` (bounded by a semaphore for large inputs), or `BatchProcessor`"
        )

    VALID = (
        # an in-memory repository: its coroutine is proven in process, whatever its name says
        Valid("class Graph:\n    def __init__(self):\n        self.nodes = {}\n\n    async def get_node(self, key):\n"
              "        return self.nodes.get(key)\n\nasync def run(graph: Graph, keys):\n    out = []\n"
              "    for key in keys:\n        out.append(await graph.get_node(key))\n    return out\n"),
        # loop-carried: the reply feeds the next turn; pagination; an accumulator the call reads
        Valid("async def f(agent, message):\n    for _ in range(3):\n        message = await agent.reply(message)\n"),
        Valid("async def f(agent, message, turns):\n    for turn in turns:\n        message = await agent.reply(message, turn)\n"),
        Valid("""
            async def f(client, pages):
                cursor = None
                for page in pages:
                    result = await client.list(page, cursor=cursor)
                    cursor = result.next
        """),
        Valid("""
            async def f(client, items):
                offset = 0
                for item in items:
                    await client.upload(item, offset)
                    offset += item.size
        """),
        Valid("""
            async def f(client, items):
                seen = set()
                for item in items:
                    await client.check(item, seen)
                    seen.add(item)
        """),
        Valid("""
            async def f(self, items):
                for item in items:
                    self.state = await self.step(item, self.state)
        """),
        Valid("""
            async def f(client, items):
                history = []
                for item in items:
                    reply = await client.ask(item, history)
                    history.append(reply)
        """),
        Valid("""
            async def f(client, items):
                for item in items:
                    if item.parent:
                        parent = item.parent
                    await client.fetch(item, parent)
        """),
        # retries and polling: the loop leaves on success
        Valid("""
            async def f(client, url):
                for attempt in range(5):
                    try:
                        return await client.fetch(url, attempt=attempt)
                    except TimeoutError:
                        pass
        """),
        Valid("""
            async def f(workers, job):
                for worker in workers:
                    if await worker.accepts(job):
                        return worker
        """),
        Valid("""
            async def f(mirrors, name):
                for mirror in mirrors:
                    found = await mirror.lookup(name)
                    if found:
                        break
        """),
        Valid("""
            async def f(client, items):
                for item in items:
                    response = await client.post(item)
                    if response.status != 200:
                        raise RuntimeError(response.status)
        """),
        Valid("async def f(client, ids):\n    for i in ids:\n        yield await client.fetch(i)\n"),
        Valid("async def f(client):\n    while True:\n        job = await client.poll(client.job_id)\n        if job.done:\n            break\n"),
        Valid("async def f(client, ids):\n    i = 0\n    while i < len(ids):\n        await client.fetch(ids[i])\n        i += 1\n"),
        # pacing: sleeps, locks, semaphores, rate limiters
        Valid("""
            import asyncio
            async def f(client, urls):
                for url in urls:
                    await client.fetch(url)
                    await asyncio.sleep(1)
        """),
        Valid("""
            async def f(client, urls, lock):
                for url in urls:
                    async with lock:
                        await client.fetch(url)
        """),
        Valid("""
            async def f(self, urls):
                for url in urls:
                    async with self._semaphore:
                        await self.client.fetch(url)
        """),
        Valid("""
            async def f(client, urls, limiter):
                for url in urls:
                    await limiter.wait()
                    await client.fetch(url)
        """),
        Valid("""
            async def f(client, urls, bucket):
                for url in urls:
                    await bucket.acquire()
                    await client.fetch(url)
        """),
        # queues, events, streams, ordered output
        Valid("async def f(queue, items):\n    for item in items:\n        await queue.put(item)\n"),
        Valid("async def f(ws, events):\n    for event in events:\n        await ws.send_json(event)\n"),
        Valid("async def f(writer, lines):\n    for line in lines:\n        writer.write(line)\n        await writer.drain()\n"),
        Valid("""
            async def f(client, ws, prompts):
                for prompt in prompts:
                    answer = await client.fetch(prompt)
                    await ws.send_text(answer)
        """),
        Valid("async def f(stream, sink):\n    async for chunk in stream:\n        await sink.store(chunk)\n"),
        Valid("async def f(events):\n    for event in events:\n        await event.wait()\n"),
        # already concurrent work
        Valid("async def f(tasks):\n    for task in tasks:\n        await task\n"),
        Valid("""
            import asyncio
            async def f(client, urls):
                for future in asyncio.as_completed([client.fetch(u) for u in urls]):
                    print(await future)
        """),
        Valid("""
            import asyncio
            async def f(client, batches):
                for batch in batches:
                    await asyncio.gather(*(client.fetch(u) for u in batch))
        """),
        Valid("""
            import asyncio
            async def f(coros):
                for coro in coros:
                    await asyncio.wait_for(coro, timeout=5)
        """),
        # not depending on the loop variable (APL305's business)
        Valid("async def f(conv):\n    for _ in range(3):\n        await conv.tick()\n"),
        Valid("async def f(client, items):\n    for item in items:\n        print(item)\n        await client.refresh()\n"),
        # awaits that feed each other within an iteration
        Valid("""
            async def f(api, ids):
                for i in ids:
                    user = await api.user(i)
                    await api.notify(user.email)
        """),
        # nested scopes, sync code, fixed inputs, `async for` comprehensions
        Valid("""
            async def f(client, urls):
                for url in urls:
                    async def one():
                        await client.fetch(url)
                    callbacks.append(one)
        """),
        Valid("async def f(client, urls):\n    return [lambda: client.fetch(u) for u in urls]\n"),
        Valid("def f(client, urls):\n    for url in urls:\n        client.fetch(url)\n"),
        Valid("async def f(client):\n    for name in ('a', 'b'):\n        await client.fetch(name)\n"),
        Valid("async def f(client, stream):\n    return [await client.fetch(x) async for x in stream]\n"),
        Valid("async def f(client, urls):\n    for url in urls:\n        pass\n    else:\n        await client.fetch(url)\n"),
        # owned by other rules: database drivers (APL203), model calls (APL204)
        Valid("async def f(conn, ids):\n    for i in ids:\n        await conn.fetchrow('SELECT 1 WHERE id = $1', i)\n"),
        Valid("async def f(client, docs):\n    for d in docs:\n        await client.chat.completions.create(messages=d)\n"),
        # coroutines whose names say nothing of I/O: formatting, token counting, mapping
        Valid("async def f(messages):\n    return sum([await m.aestimate_tokens() for m in messages])\n"),
        Valid("async def f(self, parts):\n    out = []\n    for part in parts:\n        out.append(await self._map_part(part))\n    return out\n"),
        Valid("async def f(context, messages):\n    for m in messages:\n        await context.add_message(m)\n"),
        # state every iteration shares: an accumulator made empty here, a mapping context
        Valid("""
            async def f(self, messages):
                parts = []
                for m in messages:
                    await self._fetch_parts(m, parts)
                return parts
        """),
        Valid("async def f(self, messages, map_context):\n    for m in messages:\n        await self.upload_request(m, map_context)\n"),
        Valid("async def f(self, messages, ctx):\n    for m in messages:\n        await self._map_model_request(m, ctx)\n"),
        # tracing hooks and notifications, whatever they are named after
        Valid("async def f(traces, url):\n    for trace in traces:\n        await trace.send_request_start(url)\n"),
        # collecting work that already runs
        Valid("async def f(responses):\n    for response in responses:\n        print(await response.get_response())\n"),
        Valid("async def f(model, batches):\n    for batch in batches:\n        await model.get_batch_results(batch)\n"),
        # hooks, handlers and plugins run in registration order
        Valid("async def f(app, hooks):\n    for hook in hooks:\n        await hook(app)\n"),
        Valid("async def f(app, plugins):\n    for plugin in plugins:\n        await plugin.on_startup(app)\n"),
        Valid("async def f(self, events):\n    for event in events:\n        await self.handle_event(event)\n"),
        Valid("async def f(app, middlewares):\n    for m in middlewares:\n        await m.setup(app)\n"),
        # tests and test doubles
        Valid("async def test_each(client, urls):\n    for url in urls:\n        assert await client.get(url)\n"),
        Valid("""
            class FakeModel:
                async def abatch(self, inputs):
                    return [await self.ainvoke_http(i) for i in inputs]
        """),
        # whether the call runs depends on earlier items: the first image only, a memo
        Valid("""
            async def f(client, parts):
                image = None
                for part in parts:
                    if part.is_image and not image:
                        image = await client.download(part.url)
                return image
        """),
        Valid("""
            async def f(client, repos):
                topics = {}
                for repo in repos:
                    if topics.get(repo.owner):
                        continue
                    topics[repo.owner] = await client.fetch(repo.url)
        """),
        Valid("""
            async def f(self, names):
                for name in names:
                    if name not in self.seen:
                        await self.api.post("lists", json={"name": name})
                        self.seen[name] = set()
        """),
        # runs on what an earlier await of the same iteration found (cleanup of stale entries)
        Valid("""
            async def f(guild, cache, items):
                for key, value in items:
                    member = await load_member(guild, key)
                    if not member:
                        await cache.delete(key)
                        continue
                    print(member, value)
        """),
        # replayed user input: the order is the point
        Valid("""
            async def f(cdp, keys):
                for k in keys:
                    await cdp.send.Input.dispatchKeyEvent(params={'type': 'keyDown', 'key': k})
        """),
        # answered from a cache most of the time
        Valid("""
            async def f(bot, rows):
                for row in rows:
                    print((bot.get_user(row.author) or await bot.fetch_user(row.author)).name)
        """),
        # the one-by-one fallback after a failed batch request
        Valid("""
            async def f(container, chunk):
                try:
                    await container.execute_batch([("delete", i) for i in chunk])
                except BatchError:
                    for item_id in chunk:
                        await container.delete_item(item=item_id)
        """),
        # answered from a local value unless missing
        Valid("""
            async def f(hass, kinds, totals):
                for kind in kinds:
                    last = totals[kind] if kind in totals else await get_last_sum(hass, kind)
                    print(last)
        """),
        # one batch per request already: how many batches run at once is another decision
        Valid("""
            from itertools import batched
            async def f(api, users):
                for chunk in batched(users, 1000):
                    await api.post("bot/users", json=chunk)
        """),
        Valid("""
            async def f(api, users):
                for i in range(0, len(users), 100):
                    await api.post("bot/users", json=users[i:i + 100])
        """),
        # a coroutine of this class that awaits nothing: in-process work, no round trip
        Valid("""
            class Routes:
                async def list_plugins(self, plugins):
                    return [await self.get_handlers_info(p.names) for p in plugins]

                async def get_handlers_info(self, names):
                    return [name.upper() for name in names]
        """),
        # runs for the one item looked for, not per item
        Valid("""
            async def f(client, tools, name):
                for tool in tools:
                    if tool.name == name:
                        await client.fetch(tool.url)
        """),
        Valid("""
            async def f(client, items, target):
                for item in items:
                    if item is target and item.ready:
                        await client.fetch(item.url)
        """),
        Valid("""
            async def f(session, servers, wanted):
                for server in servers:
                    if server.id == wanted:
                        async with session.get(server.url) as response:
                            print(await response.text())
        """),
        # tests that expect each call to fail
        Valid("""
            import pytest
            async def check_f(client, bad):
                for value in bad:
                    with pytest.raises(ValueError):
                        await client.parse(value)
        """),
        # each iteration also clicks on the page: the lookups belong to ordered UI steps
        Valid("""
            async def select_options(client, page, options):
                for option in options:
                    await client.send.DOM.describeNode({"nodeId": option.node_id})
                    await page.click(option.selector)
        """),
        # a helper only a start-up hook of the module calls
        Valid("""
            class Moderation:
                async def cog_load(self):
                    await self.reschedule_roles()

                async def reschedule_roles(self):
                    for mod_id in self.pending:
                        await self.client.fetch_member(mod_id)
        """),
        # a periodic job: a discord.py task loop, a worker sleeping between rounds
        Valid("""
            from discord.ext import tasks
            class Janitor:
                @tasks.loop(minutes=5)
                async def archive_idle(self):
                    for post in self.forum.threads:
                        await self.client.archive(post.id)
        """),
        Valid("""
            import asyncio
            async def poll(client, feeds):
                while True:
                    for feed in feeds:
                        await client.fetch(feed.url)
                    await asyncio.sleep(60)
        """),
        # a command-line tool: it runs once per invocation and starts nothing concurrently
        Valid("""
            import argparse, asyncio
            async def main(client, urls):
                for url in urls:
                    await client.fetch(url)
            if __name__ == "__main__":
                args = argparse.ArgumentParser().parse_args()
                asyncio.run(main(None, []))
        """),
        # a message converted part by part: only the image parts download, the text parts do not
        Valid("""
            async def convert(client, message):
                parts = []
                for comp in message.chain:
                    if isinstance(comp, Plain):
                        parts.append(comp.text)
                    elif isinstance(comp, Image):
                        parts.append(await client.download(comp.url))
                return parts
        """),
        Valid("""
            async def convert(client, segments):
                out = []
                for seg in segments:
                    if seg["tag"] == "text":
                        out.append(seg["text"])
                    elif seg["tag"] == "img":
                        out.append(await client.get_resource(seg["key"]))
                return out
        """),
        # the helper's only round trip sits behind a flag the call site switches off
        Valid("""
            import httpx
            async def build_message(client: httpx.AsyncClient, message, vision_support=False):
                if vision_support:
                    return {"content": (await client.get(message.image_url)).content}
                return {"content": message.content}

            async def build_payload(client, messages):
                return [await build_message(client, m, vision_support=False) for m in messages[:-1]]
        """),
    )
    INVALID = (
        # a helper called from start-up and from a command: it may run per request
        Invalid(
            """
            class Moderation:
                async def cog_load(self):
                    await self.reschedule_roles()

                @command()
                async def refresh(self, ctx):
                    await self.reschedule_roles()

                async def reschedule_roles(self):
                    for mod_id in self.pending:
                        await self.client.fetch_member(mod_id)
                        print(mod_id)
            """,
            line=11, column=13,
        ),
        # every kind of item makes a round trip: a real query per item
        Invalid(
            """
            async def load(client, sources):
                for source in sources:
                    if source.kind == "url":
                        await client.fetch(source.url)
                    elif source.kind == "file":
                        await client.read_remote(source.path)
                    else:
                        log.warning("unknown source %s", source)
            """,
            line=4, column=13,
        ),
        # a filter with an else is no dispatch on the item's kind
        Invalid(
            """
            async def load(client, docs, skipped):
                for doc in docs:
                    if doc.status == "new":
                        await client.fetch(doc.url)
                    else:
                        skipped.append(doc)
            """,
            line=4, column=13,
        ),
        # the flag is on: the helper downloads for every message
        Invalid(
            """
            import httpx
            async def build_message(client: httpx.AsyncClient, message, vision_support=False):
                if vision_support:
                    return {"content": (await client.get(message.image_url)).content}
                return {"content": message.content}

            async def build_payload(client, messages):
                for m in messages:
                    await build_message(client, m, vision_support=True)
                    print(m)
            """,
            line=9, column=9,
        ),
        # the lookup runs for one tool; the post runs for every tool and is the finding
        Invalid(
            """
            async def f(client, tools, name):
                for tool in tools:
                    if tool.name == name:
                        await client.fetch(tool.url)
                    await client.post(tool.url)
            """,
            line=5, column=9, message_contains="`await client.post(...)`",
        ),
        # this class's coroutine that does await something is still a candidate
        Invalid(
            """
            class Routes:
                async def list_plugins(self, plugins):
                    return [await self.get_handlers_info(p.url) for p in plugins]

                async def get_handlers_info(self, url):
                    return await self.client.get(url)
            """,
            line=3, column=17,
            fixed="""
            import asyncio

            class Routes:
                async def list_plugins(self, plugins):
                    return await asyncio.gather(*(self.get_handlers_info(p.url) for p in plugins))

                async def get_handlers_info(self, url):
                    return await self.client.get(url)
            """,
        ),
        # a walrus in the test binds this item's own value: still per item
        Invalid(
            """
            async def f(cache, members):
                found = []
                for member in members:
                    if revoke := await cache.get(member.id):
                        found.append(revoke)
                return found
            """,
            line=4, column=22,
        ),
        # a filter against an enum member still runs per matching item
        Invalid(
            """
            async def f(client, messages, MessageType):
                for msg in messages:
                    if msg.type == MessageType.reply:
                        await client.fetch_message(msg.reference_id)
            """,
            line=4, column=13,
        ),
        # a filter against a literal still runs per matching item
        Invalid(
            """
            async def f(client, docs):
                for doc in docs:
                    if doc.status == "new":
                        await client.fetch(doc.url)
            """,
            line=4, column=13,
        ),
        Invalid(  # the callee's name says nothing; the project model sees the HTTP call inside it
            "import httpx\n\nclient = httpx.AsyncClient()\n\nasync def enrich(item):\n"
            "    return await client.post('/x', json=item)\n\nasync def run(items):\n    out = []\n"
            "    for item in items:\n        out.append(await enrich(item))\n    return out\n",
            line=11, column=20, message_contains="`await enrich(...)`",
            fixed="import httpx\nimport asyncio\n\nclient = httpx.AsyncClient()\n\nasync def enrich(item):\n"
            "    return await client.post('/x', json=item)\n\nasync def run(items):\n"
            "    out = list(await asyncio.gather(*(enrich(item) for item in items)))\n    return out\n",
        ),
        Invalid(
            """
            async def f(session, urls):
                for url in urls:
                    await session.fetch(url)
            """,
            line=3, column=9,
            fixed="""
            import asyncio

            async def f(session, urls):
                await asyncio.gather(*(session.fetch(url) for url in urls))
            """,
        ),
        Invalid(
            """
            import asyncio

            async def f(session, urls):
                pages = []
                for url in urls:
                    pages.append(await session.fetch(url))
                return pages
            """,
            line=6, column=22,
            fixed="""
            import asyncio

            async def f(session, urls):
                pages = list(await asyncio.gather(*(session.fetch(url) for url in urls)))
                return pages
            """,
            message_contains="`await session.fetch(...)` runs once per item",
        ),
        Invalid(
            "import asyncio\nasync def f(tool, docs):\n    return [await tool.download(d.path) for d in docs if d.ok]\n",
            line=3, column=13,
            fixed="import asyncio\nasync def f(tool, docs):\n    return await asyncio.gather(*(tool.download(d.path) for d in docs if d.ok))\n",
        ),
        Invalid(
            "import asyncio\nasync def f(tool, docs):\n    return [await tool.download(d) for d in docs][0]\n",
            line=3, column=13,
            fixed="import asyncio\nasync def f(tool, docs):\n    return (await asyncio.gather(*(tool.download(d) for d in docs)))[0]\n",
        ),
        Invalid(
            "import asyncio\nasync def f(tool, docs):\n    return {await tool.download(d) for d in docs}\n",
            line=3, column=13,
            fixed="import asyncio\nasync def f(tool, docs):\n    return set(await asyncio.gather(*(tool.download(d) for d in docs)))\n",
        ),
        Invalid(
            "import asyncio\nasync def f(tool, names):\n    keys = sorted(names)\n    return {k: await tool.download(k) for k in keys}\n",
            line=4, column=16,
            fixed="import asyncio\nasync def f(tool, names):\n    keys = sorted(names)\n"
                  "    return dict(zip(keys, await asyncio.gather(*(tool.download(k) for k in keys))))\n",
        ),
        # a parameter may be a generator, which the dict form would read twice: message only
        Invalid("async def f(tool, keys):\n    return {k: await tool.download(k) for k in keys}\n", line=2, column=16),
        # the loop variable is read after the loop: a generator would not bind it (message only)
        Invalid("async def f(s, urls):\n    for url in urls:\n        await s.fetch(url)\n    return url\n", line=3, column=9),
        # the dict form reads its input twice: only a plain name is fixed
        Invalid("async def f(tool, docs):\n    return {k: await tool.download(k) for k in docs.keys()}\n", line=2, column=16),
        Invalid(
            """
            async def f(session, urls):
                for url in urls:
                    async with session.get(url) as response:
                        body = await response.text()
                    print(body)
            """,
            line=3, column=20, message_contains="`async with session.get(...)`",
        ),
        # a name derived from the item earlier in the same iteration
        Invalid(
            """
            async def f(client, docs):
                results = {}
                for doc in docs:
                    url = doc.base + "/summary"
                    results[doc.id] = await client.fetch(url)
            """,
            line=5, column=27,
        ),
        # per-item error handling and filters keep the iterations independent (no fix)
        Invalid(
            """
            async def f(client, docs, log):
                for doc in docs:
                    if not doc.cached:
                        try:
                            doc.text = await client.fetch(doc.url)
                        except OSError:
                            log.warning("skipped %s", doc)
                            continue
            """,
            line=5, column=28,
        ),
        Invalid(
            """
            async def f(self, items):
                for item in items:
                    item.status = await self.api.status(item.id)
                    self.count += 1
            """,
            line=3, column=23,
        ),
        # one finding per loop, at the first independent await
        Invalid(
            """
            async def f(api, ids):
                for i in ids:
                    a = await api.profile(i)
                    b = await api.orders(i)
                    print(a, b)
            """,
            line=3, column=13,
        ),
        # a comment inside the loop would be lost: message only
        Invalid("async def f(s, urls):\n    for url in urls:\n        await s.fetch(url)  # slow\n", line=3, column=9),
        # trio modules get the message, not an asyncio rewrite
        Invalid("import trio\nasync def f(s, urls):\n    for url in urls:\n        await s.fetch(url)\n", line=4, column=9),
        Invalid(
            "async def f(s, urls):\n    for i, url in enumerate(urls):\n        await s.fetch(url, i)\n",
            line=3, column=9,
            fixed="import asyncio\n\nasync def f(s, urls):\n    await asyncio.gather(*(s.fetch(url, i) for i, url in enumerate(urls)))\n",
        ),
    )
