"""Django querysets, LangChain models and chains under canonical names (rules/_frameworks.py):
what is reported, at which line, and the look-alikes that must stay silent."""

from __future__ import annotations

import textwrap

import pytest

from agentperf_lint.engine import Linter
from agentperf_lint.registry import select

FAMILY = [rule for rule in select(["APL1"]) if rule.code != "APL114"]


def findings(source: str) -> list[tuple[int, str]]:
    outcome = Linter(FAMILY, {}).lint("service.py", textwrap.dedent(source).lstrip("\n").encode())
    assert outcome.result.errors == []
    return sorted((f.line, f.code) for f in outcome.result.findings)


DJANGO = """
from app.models import Agent, Note

async def view(agent, note: Note, slug):
    Agent.objects.get(slug=slug)
    Agent.objects.filter(slug=slug).exclude(name="").exists()
    agent.file_set.filter(kind="pdf").count()
    names = [a.name for a in Agent.objects.filter(slug=slug)]
    total = len(Agent.objects.all())
    note.save()
    return Note.objects.none()
"""


def test_django_queries_are_reported_where_they_run() -> None:
    assert findings(DJANGO) == [(4, "APL107"), (5, "APL107"), (6, "APL107"), (7, "APL107"), (8, "APL107"), (9, "APL107")]


@pytest.mark.parametrize("source", [
    # async twins, async iteration and a queryset kept for later: no query on the loop
    "from app.models import Agent\nasync def f(s):\n    qs = Agent.objects.filter(slug=s).order_by('id')\n"
    "    async for a in qs:\n        pass\n    return await qs.acount(), await Agent.objects.acreate(slug=s)\n",
    # a module called ``objects`` and Python sets named ``*_set``
    "from app import registry\nasync def f(x):\n    return registry.objects.get(x)\n",
    "async def f(self, x):\n    self.seen_set.add(x)\n    self.seen_set.update([x])\n    return self.seen_set.count(x)\n",
    # ``save()`` on a class nothing ties to the ORM (another class's manager does not count)
    "from app.store import Draft\nasync def f(d: Draft):\n    d.save()\n",
    "from app.models import OldDraft\nfrom app.store import Draft\nasync def f(d: Draft):\n"
    "    await OldDraft.objects.filter(x=1).adelete()\n    d.save()\n",
    # sync code and wrapped calls
    "from app.models import Agent\ndef f(s):\n    return Agent.objects.get(slug=s)\n",
    "from asgiref.sync import sync_to_async\nfrom app.models import Agent\nasync def f(s):\n"
    "    return await sync_to_async(lambda: list(Agent.objects.filter(slug=s)))()\n",
])
def test_django_look_alikes_are_silent(source: str) -> None:
    assert findings(source) == []


LANGCHAIN = """
from langchain.chat_models import init_chat_model
from langchain_anthropic import ChatAnthropic
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

class Planner:
    def __init__(self, model):
        self.chain = ChatPromptTemplate.from_template("{q}") | model | StrOutputParser()

    async def plan(self, q):
        llm = init_chat_model("gpt-4o")
        llm.invoke(q)
        ChatAnthropic(model="claude").batch([q])
        for chunk in llm.stream(q):
            print(chunk)
        return self.chain.invoke({"q": q})
"""


def test_langchain_models_and_chains_are_reported() -> None:
    assert findings(LANGCHAIN) == [(12, "APL112"), (13, "APL112"), (14, "APL112"), (16, "APL112")]


def test_a_pipe_through_an_untyped_model_call_is_reported() -> None:
    source = """
    from langchain_core.prompts import ChatPromptTemplate

    class Planner:
        async def plan(self, q, schema):
            chain = ChatPromptTemplate.from_template("{q}") | self.llm.with_structured_output(schema)
            return chain.invoke({"q": q})
    """
    assert findings(source) == [(6, "APL112")]


@pytest.mark.parametrize("source", [
    # templates and parsers alone run in process
    "from langchain_core.prompts import ChatPromptTemplate\nfrom langchain_core.output_parsers import StrOutputParser\n"
    "async def f(q):\n    return (ChatPromptTemplate.from_template('{q}') | StrOutputParser()).invoke({'q': q})\n",
    # a pipe of a LangChain template and a project function
    "from langchain_core.prompts import PromptTemplate\ndef shout(x):\n    return x\n"
    "async def f(q):\n    chain = PromptTemplate.from_template('{q}') | shout\n    return chain.invoke({'q': q})\n",
    # set union and a non-LangChain ``invoke``
    "async def f(a: set, b: set, ctx):\n    both = a | b\n    await ctx.invoke(both)\n    return both.copy()\n",
    # the stream handed to a worker thread
    "import asyncio\nfrom langchain_openai import ChatOpenAI\nasync def f(q):\n    steps = ChatOpenAI().stream(q)\n"
    "    return await asyncio.to_thread(list, steps)\n",
])
def test_langchain_look_alikes_are_silent(source: str) -> None:
    assert findings(source) == []
