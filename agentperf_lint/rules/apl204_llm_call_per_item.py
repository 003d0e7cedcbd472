"""APL204: one LLM or embedding call per item of a loop."""

from __future__ import annotations

import re

import libcst as cst

from ..rule import FixAvailability, Invalid, Valid
from ._loops import PerItemCallRule, call_name, dotted_callee


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
        "litellm", "invoke", "embed_query", "acompletion",
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

    def describe(self, call: cst.Call, kind: str | None) -> str:
        callee = self.callee(call)
        if "embed" in dotted_callee(call) or "embed" in call_name(call):
            return (f"`{callee}(...)` embeds one text per request, once per item of the loop; "
                    "send the whole list in one request (embedding endpoints accept a list)")
        return (f"`{callee}(...)` calls the model once per item, each waiting for the previous one; "
                "run the calls concurrently (`asyncio.gather` bounded by a semaphore, or "
                "`BatchProcessor`) or use the provider's batch input")

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
    )
    INVALID = (
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
    )
