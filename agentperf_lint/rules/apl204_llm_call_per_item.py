"""APL204: one LLM or embedding call per item of a loop."""

from __future__ import annotations

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
    triggers = ("create", "invoke", "generate", "run", "completion", "embed", "chat", "complete", "kickoff", "reply")
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

    VALID = ()
    INVALID = ()
