"""APL204: one LLM or embedding call per item of a loop."""

from __future__ import annotations

import re

import libcst as cst

from ..rule import FixAvailability, Invalid, Valid
from ._loops import Loop, PerItemCallRule, call_name, dotted_callee

# keyword arguments through which model and embedding APIs take a list of inputs
_LIST_PARAMETERS = frozenset({"input", "inputs", "texts", "documents", "contents", "prompts", "sentences", "queries"})
# sync method -> names its async twin is given in the same class
_TWIN_PATTERNS = ("a{}", "{}_async", "async_{}", "{}async")


class LlmCallPerItem(PerItemCallRule):
    """## What it does
    Reports a model call made once per item of a `for` loop or comprehension whose iterations
    are independent: OpenAI-style `chat.completions.create`, `embeddings.create`,
    `responses.create`, Anthropic `messages.create`, Gemini `generate_content`, LiteLLM
    `completion`, and framework calls on agents, chains and graphs (`ainvoke`, `agent.run`,
    `chain.invoke`, `embed_query`). Conversations are not reported: when the call reads a
    history the loop appends to, or the previous reply, the turns depend on each other.

    ## Why is this bad?
    A model call takes seconds. Summarising 20 documents one after another takes 20 times as
    long as one call, while the provider would serve them concurrently (within your rate
    limit); embedding endpoints take a whole list in one request.

    ## Example
    ```python
    async def summarise(client, docs):
        out = []
        for doc in docs:
            out.append(await client.chat.completions.create(model=MODEL, messages=prompt(doc)))
        return out
    ```

    ## Use instead
    ```python
    import asyncio

    async def summarise(client, docs):
        limit = asyncio.Semaphore(8)  # stay under the provider's rate limit

        async def one(doc):
            async with limit:
                return await client.chat.completions.create(model=MODEL, messages=prompt(doc))

        return list(await asyncio.gather(*(one(doc) for doc in docs)))
    ```
    For embeddings, send the list: `client.embeddings.create(model=MODEL, input=texts)`.

    A loop that already sends one batch per request (`for batch in batched(texts, 32)`,
    `range(0, len(texts), 32)` with `texts[i:i + 32]`, a list passed as `input`/`texts`/
    `documents`) is not reported. In a plain `def`, `asyncio.gather` cannot help: the message
    advises a thread pool (`concurrent.futures.ThreadPoolExecutor.map`) or the call's async
    twin (`ainvoke`), and when the method's class already has an async twin
    (`kickoff_for_each` next to `kickoff_for_each_async`, `run`/`arun`), it names that twin.

    ## Fix safety
    The fix (for awaited calls, in the shapes APL201 fixes) is unsafe: the calls then run
    concurrently, with no bound, and may hit the provider's rate limit; add a semaphore for
    large inputs. Synchronous calls get no fix.

    ## Options
    None.
    """

    code = "APL204"
    name = "llm-call-per-item"
    message = "`{call}(...)` calls the model once per item"
    fix_availability = FixAvailability.SOMETIMES
    # the gate mirrors call_kind(...) == "llm": a provider call path or LangChain-style method
    # anywhere, or one of the agent-ish methods together with a model/agent-like receiver word
    triggers = (
        "completions", "embeddings", "messages.create", "responses.", "generate_content", "embed_content",
        "litellm", "invoke", "embed_query", "acompletion", "to_thread", "run_in_executor",
    )
    _agent_methods = re.compile(
        r"\.(?:a?run|run_sync|a?chat|a?complete|apredict|kickoff(?:_async)?|a?generate|a?embed|a?reply)\("
    )
    _agent_words = ("agent", "Agent", "llm", "LLM", "chain", "crew", "graph", "runnable", "assistant",
                    "chat", "embedder", "openai", "anthropic")

    @classmethod
    def applies(cls, text: str) -> bool:
        if any(trigger in text for trigger in cls.triggers):
            return True
        return any(word in text for word in cls._agent_words) and cls._agent_methods.search(text) is not None

    kinds = frozenset({"llm"})
    plain = True
    offers_gather = True

    def _loop_for(self, call: cst.Call, expr: cst.BaseExpression) -> Loop | None:
        loop = super()._loop_for(call, expr)
        if loop is None or _sends_a_batch(call):
            return None
        return loop

    def describe(self, call: cst.Call, kind: str | None) -> str:
        callee = self.callee(call)
        if "embed" in dotted_callee(call) or "embed" in call_name(call):
            return (f"`{callee}(...)` embeds one text per request, once per item of the loop; "
                    "send the whole list in one request (embedding endpoints accept a list)")
        what = _what_runs(call)
        waiting = f"`{callee}(...)` calls {what} once per item, each waiting for the previous one; "
        batch = "" if what == "the tool" else " or use the provider's batch input"
        twin = self._class_twin()
        if twin is not None:
            return (waiting + f"this class already has an async twin, `{twin}()`, which can run the calls "
                    "concurrently: call that from async code, or run these calls in a thread pool "
                    "(`concurrent.futures.ThreadPoolExecutor.map`)")
        if isinstance(self.ctx.ancestors[-1], cst.Await):
            return (waiting + "run the calls concurrently (`asyncio.gather` bounded by a semaphore, or "
                    f"`BatchProcessor`){batch}")
        own = _async_twin_of_call(call)
        if self.ctx.in_async:  # a synchronous call in a coroutine: gather cannot overlap it
            twin = f"`{own}()`" if own else "the async client"
            return (waiting + f"await {twin} for all items together (`asyncio.gather` bounded by a "
                    f"semaphore){batch}")
        async_way = f", or call the async twin `{own}()` from async code" if own else ""
        return (waiting + "run them in a thread pool (`concurrent.futures.ThreadPoolExecutor(max_workers=...)"
                f".map`){async_way}{',' if batch else ''}{batch}")

    def _class_twin(self) -> str | None:
        """``kickoff_for_each_async`` for a loop in ``kickoff_for_each`` (``arun`` for ``run``,
        ``ainvoke`` for ``invoke``): the concurrent version the class already offers."""
        frame = self.ctx.function
        if frame.kind != "function" or frame.is_async or frame.class_info is None:
            return None
        name = getattr(getattr(frame.node, "name", None), "value", "")
        private = "_" if name.startswith("_") and not name.startswith("__") else ""
        bare = name[len(private):]
        for pattern in _TWIN_PATTERNS:
            twin = private + pattern.format(bare)
            method = frame.class_info.methods.get(twin)
            if method is not None and method.asynchronous is not None:
                return twin
        return None

    VALID = (
        Valid("async def f(client, texts):\n    return await client.embeddings.create(model='m', input=texts)\n"),
        # a conversation: each turn reads the history the loop extends
        Valid("""
            async def f(client, questions):
                messages = []
                for question in questions:
                    messages.append({'role': 'user', 'content': question})
                    reply = await client.chat.completions.create(model='m', messages=messages)
                    messages.append(reply.choices[0].message)
        """),
        # an agent refining its own draft
        Valid("""
            async def f(agent, draft, critics):
                for critic in critics:
                    draft = await agent.ainvoke({'draft': draft, 'critic': critic})
        """),
        # stop at the first acceptable answer
        Valid("""
            async def f(client, prompts):
                for prompt in prompts:
                    answer = await client.messages.create(model='m', max_tokens=10, messages=prompt)
                    if answer.stop_reason == 'end_turn':
                        return answer
        """),
        # paced to stay within a rate limit
        Valid("""
            import asyncio
            async def f(client, docs):
                for doc in docs:
                    await client.chat.completions.create(model='m', messages=doc)
                    await asyncio.sleep(0.5)
        """),
        Valid("""
            async def f(client, docs, limiter):
                for doc in docs:
                    async with limiter:
                        await client.chat.completions.create(model='m', messages=doc)
        """),
        # streaming each answer to the user in order
        Valid("""
            async def f(chain, ws, questions):
                for question in questions:
                    answer = await chain.ainvoke(question)
                    await ws.send_text(answer)
        """),
        # the same prompt every time (sampling): APL305
        Valid("async def f(client, n):\n    for _ in range(n):\n        await client.responses.create(model='m', input='hi')\n"),
        # coroutines collected for gather or asyncio.run, not calls made here
        Valid("def f(self, chunks):\n    tasks = [self._llm.apredict(p, context_str=c) for c in chunks]\n    return run_async_tasks(tasks)\n"),
        Valid("def f(runner, jobs):\n    for job in jobs:\n        runner.run(job)\n"),
        # one batch per request: not one call per item
        Valid("""
            import itertools
            def f(client, texts):
                out = []
                for batch in itertools.batched(texts, 32):
                    out.extend(client.embeddings.create(model='m', input=[t.strip() for t in batch]).data)
                return out
        """),
        Valid("""
            def f(client, texts):
                for i in range(0, len(texts), 64):
                    client.embeddings.create(model='m', input=texts[i:i + 64])
        """),
        Valid("def f(embedder, batches):\n    return [embedder.embed_documents(text_batch) for text_batch in batches]\n"),
        Valid("async def f(client, groups):\n    for g in groups:\n        await client.embeddings.create(model='m', input=[*g.texts])\n"),
    )
    INVALID = (
        Invalid(  # a tool's ainvoke runs the tool, not the model: no provider batch input to offer
            "async def run_tools(tool_calls, tools):\n    results = []\n    for call in tool_calls:\n"
            "        tool = tools[call.name]\n        results.append(await tool.ainvoke(call.args))\n    return results\n",
            line=5, column=24,
            message_contains="calls the tool once per item, each waiting for the previous one; run the calls "
            "concurrently (`asyncio.gather` bounded by a semaphore, or `BatchProcessor`)"),
        Invalid(
            """
            async def f(client, docs):
                out = []
                for doc in docs:
                    out.append(await client.chat.completions.create(model='m', messages=[doc]))
                return out
            """,
            line=4, column=20,
            fixed="""
            import asyncio

            async def f(client, docs):
                out = list(await asyncio.gather(*(client.chat.completions.create(model='m', messages=[doc]) for doc in docs)))
                return out
            """,
        ),
        Invalid(
            "def f(client, texts):\n    return [client.embeddings.create(model='m', input=t) for t in texts]\n",
            line=2, column=13, message_contains="accept a list",
        ),
        Invalid(
            """
            async def f(client, tickets):
                for ticket in tickets:
                    ticket.summary = await client.messages.create(model='m', max_tokens=200, messages=ticket.prompt)
            """,
            line=3, column=26,
        ),
        Invalid(
            "async def f(agent, tasks):\n    return [await agent.run(t) for t in tasks]\n",
            line=2, column=13,
            fixed="import asyncio\n\nasync def f(agent, tasks):\n    return await asyncio.gather(*(agent.run(t) for t in tasks))\n",
        ),
        Invalid(
            "async def f(chain, questions):\n    for q in questions:\n        await chain.ainvoke({'question': q})\n",
            line=3, column=9,
            fixed="import asyncio\n\nasync def f(chain, questions):\n    await asyncio.gather(*(chain.ainvoke({'question': q}) for q in questions))\n",
        ),
        Invalid(
            "import litellm\ndef f(prompts):\n    return [litellm.completion(model='m', messages=p) for p in prompts]\n",
            line=3, column=13,
        ),
        Invalid(
            "def f(embedder, docs):\n    return [embedder.embed_query(d.text) for d in docs]\n",
            line=2, column=13, message_contains="accept a list",
        ),
        # a one-element list per item is still one text per request
        Invalid(
            "def f(client, texts):\n    return [client.embeddings.create(model='m', input=[t]) for t in texts]\n",
            line=2, column=13, message_contains="accept a list",
        ),
        # a plain def: a thread pool or the async twin, never gather
        Invalid(
            "def f(chain, questions):\n    return [chain.invoke({'q': q}) for q in questions]\n",
            line=2, column=13, message_contains="ThreadPoolExecutor(max_workers=...).map`), or call the async twin `ainvoke()`",
        ),
        # the class already offers the concurrent version: name it
        Invalid(
            """
            class Crew:
                def kickoff_for_each(self, inputs):
                    results = []
                    for item in inputs:
                        results.append(self.agent_crew.kickoff(inputs=item))
                    return results

                async def kickoff_for_each_async(self, inputs):
                    return inputs
            """,
            line=5, column=28, message_contains="async twin, `kickoff_for_each_async()`",
        ),
    )


def _async_twin_of_call(call: cst.Call) -> str | None:
    """``invoke`` -> ``ainvoke``, ``kickoff`` -> ``kickoff_async``: the coroutine to gather."""
    name = call_name(call)
    if name == "kickoff":
        return "kickoff_async"
    if name in ("invoke", "run", "predict", "chat", "complete", "generate", "batch", "stream", "reply"):
        return "a" + name
    return None


def _sends_a_batch(call: cst.Call) -> bool:
    """One request per batch, not per item: the call is handed a list (``input=[t.text for t
    in batch]``, ``input=texts[i:i + 32]``, ``embed_documents(batch)``); loops over batches
    (``batched(texts, 32)``) are left alone for every N+1 rule (``walks_batches``)."""
    embeds = "embed" in dotted_callee(call) or "embed" in call_name(call)
    for arg in call.args:
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword in _LIST_PARAMETERS or (keyword is None and embeds):
            if _is_list_value(arg.value):
                return True
    return False


def _is_list_value(value: cst.BaseExpression) -> bool:
    if isinstance(value, (cst.ListComp, cst.GeneratorExp)):
        return True
    if isinstance(value, cst.List):
        return len(value.elements) > 1 or any(isinstance(e, cst.StarredElement) for e in value.elements)
    if isinstance(value, cst.Subscript):
        return any(isinstance(element.slice, cst.Slice) for element in value.slice)
    if isinstance(value, cst.Name):
        return "batch" in value.value.lower()  # ``batch``, ``text_batch``, ``batched_texts``
    return False


def _what_runs(call: cst.Call) -> str:
    """``tool.ainvoke(args)`` runs a tool (an MCP or LangChain tool), not a model: say so."""
    receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
    last = receiver.attr.value if isinstance(receiver, cst.Attribute) else (
        receiver.value if isinstance(receiver, cst.Name) else "")
    return "the tool" if "tool" in last.lower() else "the model"
