"""APL111: sync SDK clients with an async twin (OpenAI, Anthropic, httpx, requests, Azure,
Replicate, Supabase auth, Stripe, Resend) used inside ``async def``."""

from __future__ import annotations

from ..rule import Invalid, Valid
from ._blocking import BlockingCallRule


class SyncSdkClient(BlockingCallRule):
    """## What it does
    Reports method calls on synchronous SDK clients inside an `async def` body when the client
    was created in the same function, assigned to `self.x` anywhere in the class, created at
    module level, or annotated with the sync type: `openai.OpenAI`/`AzureOpenAI`,
    `anthropic.Anthropic`, `httpx.Client`, `requests.Session`, the Azure Storage blob and Cosmos
    clients, `replicate.Client` and Supabase's sync auth client; the module-level calls of the
    OpenAI SDK before 1.0 (`openai.ChatCompletion.create`), and Stripe's and Resend's resource
    class methods (`stripe.Customer.list`, `resend.Emails.send`). The message names the async
    twin (`AsyncOpenAI`, `AsyncAnthropic`, `httpx.AsyncClient`, an `aiohttp` session,
    `azure.storage.blob.aio`, `list_async`/`send_async`).

    Cost class (named in every message, counted by `--statistics`): a network round trip.

    ## Why is this bad?
    This is the classic agent-framework stall: an agent class builds `OpenAI()` in `__init__`
    and awaits nothing when it calls `self.client.chat.completions.create(...)` from its async
    `run()`. A completion takes seconds, and during those seconds no other agent, stream or
    health check on the loop makes progress: ten "concurrent" agents run one after another.

    ## Example
    ```python
    from openai import OpenAI

    class Researcher:
        def __init__(self):
            self.client = OpenAI()

        async def run(self, question):
            reply = self.client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
            return reply.choices[0].message.content
    ```

    ## Use instead
    ```python
    from openai import AsyncOpenAI

    class Researcher:
        def __init__(self):
            self.client = AsyncOpenAI()

        async def run(self, question):
            reply = await self.client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
            return reply.choices[0].message.content
    ```

    ## Fix safety
    Where the call is a whole statement or the right-hand side of an assignment, the fix runs
    it in a worker thread (`await asyncio.to_thread(self.client.chat.completions.create, ...)`).
    It is unsafe: the call now runs in another thread (the default executor has a bounded
    number of threads, so this is a stopgap; switch to the async client).

    ## Options
    - `check-tests` (in `[tool.agentperf-lint.blocking]`, shared by the APL1xx rules, default
      false): also report blocking calls in test code, which is skipped by default.
    """

    code = "APL111"
    name = "sync-sdk-client"

    VALID = (
        Valid("from openai import AsyncOpenAI\nasync def f():\n    client = AsyncOpenAI()\n    return await client.chat.completions.create(model='m', messages=[])\n"),
        Valid("from openai import OpenAI\ndef f():\n    client = OpenAI()\n    return client.chat.completions.create(model='m', messages=[])\n"),
        Valid("from openai import OpenAI\nimport asyncio\nasync def f():\n    client = OpenAI()\n    return await asyncio.to_thread(client.chat.completions.create, model='m', messages=[])\n"),
        Valid("async def f(client):\n    return client.chat.completions.create(model='m', messages=[])\n"),
        Valid("import httpx\nasync def f(url):\n    async with httpx.AsyncClient() as client:\n        return await client.get(url)\n"),
        Valid("from anthropic import AsyncAnthropic\nclass A:\n    def __init__(self):\n        self.client = AsyncAnthropic()\n    async def run(self):\n        return await self.client.messages.create(model='m', max_tokens=1, messages=[])\n"),
        Valid("from openai import OpenAI\nasync def f():\n    client = OpenAI()\n    return client.with_options(timeout=5)\n"),
        Valid("import requests\nasync def f():\n    s = requests.Session()\n    s.headers.update({'a': 'b'})\n    return s\n"),
    )
    INVALID = (
        Invalid(
            "from openai import OpenAI\n\nclass Agent:\n    def __init__(self):\n        self.client = OpenAI()\n\n"
            "    async def run(self, q):\n        reply = self.client.chat.completions.create(model='m', messages=q)\n",
            line=8, column=17, message_contains="AsyncOpenAI",
            fixed="from openai import OpenAI\nimport asyncio\n\nclass Agent:\n    def __init__(self):\n        self.client = OpenAI()\n\n"
            "    async def run(self, q):\n        reply = await asyncio.to_thread(self.client.chat.completions.create, model='m', messages=q)\n",
        ),
        Invalid("import openai\n\nasync def f(q):\n    return openai.ChatCompletion.create(model='m', messages=q)\n", line=4, column=12,
                message_contains="acreate"),
        Invalid("import openai\n\nasync def f(q):\n    client = openai.OpenAI()\n    return client.chat.completions.create(model='m', messages=q)\n", line=5, column=12),
        Invalid("from openai import OpenAI\n\nclient = OpenAI()\n\nasync def f(q):\n    return client.embeddings.create(model='m', input=q)\n", line=6, column=12),
        Invalid("from openai import AzureOpenAI\n\nasync def f(client: AzureOpenAI, q):\n    return client.chat.completions.create(model='m', messages=q)\n", line=4, column=12,
                message_contains="AsyncAzureOpenAI"),
        Invalid("import anthropic\n\nclass Agent:\n    client: anthropic.Anthropic\n\n    async def run(self, q):\n        return self.client.messages.create(model='m', max_tokens=9, messages=q)\n",
                line=7, column=16, message_contains="AsyncAnthropic"),
        Invalid("import httpx\n\nasync def f(url):\n    with httpx.Client() as client:\n        return client.get(url)\n", line=5, column=16, message_contains="httpx.AsyncClient"),
        Invalid("import httpx\n\nasync def f(client: httpx.Client, url):\n    client.post(url, json={})\n", line=4, column=5,
                fixed="import httpx\nimport asyncio\n\nasync def f(client: httpx.Client, url):\n    await asyncio.to_thread(client.post, url, json={})\n"),
        Invalid("import requests\n\nclass Api:\n    def __init__(self):\n        self.session = requests.Session()\n\n    async def fetch(self, url):\n        return self.session.get(url).json()\n",
                line=8, column=16, message_contains="aiohttp"),
    )
