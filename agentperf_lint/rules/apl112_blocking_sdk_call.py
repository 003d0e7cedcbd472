"""APL112: other sync SDKs whose every call does I/O (boto3, GitPython, paramiko, smtplib,
ftplib, docker, Firecrawl, wechatpy, LangChain models and chains, MLX) inside ``async def``."""

from __future__ import annotations

from ..rule import Invalid, Valid
from ._blocking import BlockingCallRule


class BlockingSdkCall(BlockingCallRule):
    """## What it does
    Reports calls inside an `async def` body on SDK objects whose methods all do network or
    disk I/O: `boto3` clients and resources (`boto3.client("s3")`, `session.resource(...)`),
    GitPython (`git.Repo(...)`, `Repo.clone_from`, methods of a repo), `paramiko` SSH clients,
    transports and SFTP clients, `smtplib.SMTP`, `ftplib.FTP` (connecting and their methods),
    `docker.from_env()` clients, the sync Firecrawl client (`FirecrawlApp`) and the WeCom client
    of `wechatpy` (`WeChatClient`: messages, media, users). Also LangChain's
    sync `invoke`/`batch`/`stream` on a chat model built from a `langchain*` package
    (`ChatOpenAI(...)`, `init_chat_model(...)`, a value annotated `BaseChatModel`,
    `llm.with_structured_output(...)`) or on a
    `prompt | model | parser` pipe with a model in it (an untyped operand between LangChain
    components counts as the model), and MLX generation on the local GPU (`mlx_lm.generate`,
    iterating `generate_step`/`stream_generate`).

    Cost class (named in every message, counted by `--statistics`): a network round trip; a subprocess for GitPython (it runs `git`).

    ## Why is this bad?
    An S3 upload, a git clone, an SSH command or an email send takes from tens of
    milliseconds to minutes, all of it on the event loop thread when called from a
    coroutine.

    ## Example
    ```python
    import boto3

    s3 = boto3.client("s3")

    async def save_report(key, body):
        s3.put_object(Bucket="reports", Key=key, Body=body)
    ```

    ## Use instead
    ```python
    import asyncio
    import boto3

    s3 = boto3.client("s3")

    async def save_report(key, body):
        await asyncio.to_thread(s3.put_object, Bucket="reports", Key=key, Body=body)
    ```
    (or `aioboto3`, `asyncssh`, `aiosmtplib`, `aioftp`, `aiodocker`).

    ## Fix safety
    Where the call is a whole statement or the right-hand side of an assignment, the fix runs
    it in a worker thread. It is unsafe: the call now runs in another thread (boto3 clients
    are thread-safe; boto3 sessions and resources are not shared safely across threads).

    ## Options
    - `check-tests` (in `[tool.agentperf-lint.blocking]`, shared by the APL1xx rules, default
      false): also report blocking calls in test code, which is skipped by default.
    """

    code = "APL112"
    name = "blocking-sdk-call"

    VALID = (
        Valid("import boto3\ndef f():\n    return boto3.client('s3').list_buckets()\n"),
        Valid("import asyncio, boto3\nasync def f():\n    s3 = boto3.client('s3')\n    return await asyncio.to_thread(s3.list_buckets)\n"),
        Valid("import boto3\nasync def f():\n    s3 = boto3.client('s3')\n    return s3.get_paginator('list_objects_v2')\n"),
        Valid("import aioboto3\nasync def f():\n    async with aioboto3.Session().client('s3') as s3:\n        return await s3.list_buckets()\n"),
        Valid("import paramiko\nasync def f():\n    c = paramiko.SSHClient()\n    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())\n    return c\n"),
        Valid("async def f(repo):\n    return repo.git.status()\n"),
        # Firecrawl, LangChain and MLX (issue 11 recall)
        Valid("from firecrawl import AsyncFirecrawlApp\nasync def f(url):\n    return await AsyncFirecrawlApp().scrape_url(url)\n"),
        Valid("from langchain_openai import ChatOpenAI\nasync def f(q):\n    return await ChatOpenAI().ainvoke(q)\n"),
        Valid("from langchain_core.prompts import PromptTemplate\nfrom langchain_core.output_parsers import StrOutputParser\n"
              "async def f(model, q):\n    chain = PromptTemplate.from_template('{q}') | model | StrOutputParser()\n    return await chain.ainvoke({'q': q})\n"),
        Valid("from langchain_core.prompts import PromptTemplate\nfrom langchain_core.output_parsers import StrOutputParser\n"
              "async def f(q):\n    chain = PromptTemplate.from_template('{q}') | StrOutputParser()\n    return chain.invoke({'q': q})\n"),
        Valid("from langchain_core.prompts import ChatPromptTemplate\nasync def f(q):\n    return ChatPromptTemplate.from_messages([('user', q)]).invoke({})\n"),
        Valid("import asyncio\nfrom mlx_lm import stream_generate\nasync def f(model, tok, p):\n    steps = stream_generate(model, tok, p)\n    return await asyncio.to_thread(next, steps)\n"),
    )
    INVALID = (
        Invalid("import boto3\n\nasync def f(body):\n    s3 = boto3.client('s3')\n    s3.put_object(Bucket='b', Key='k', Body=body)\n", line=5, column=5,
                message_contains="aioboto3",
                fixed="import boto3\nimport asyncio\n\nasync def f(body):\n    s3 = boto3.client('s3')\n    await asyncio.to_thread(s3.put_object, Bucket='b', Key='k', Body=body)\n"),
        Invalid("import boto3\n\nasync def f():\n    session = boto3.Session()\n    return session.client('sqs').receive_message(QueueUrl='q')\n", line=5, column=12),
        Invalid("import boto3\n\nasync def f():\n    table = boto3.resource('dynamodb').Table('t')\n    return boto3.resource('s3').buckets.all()\n", line=5, column=12),
        Invalid("import git\n\nasync def f(path):\n    repo = git.Repo(path)\n", line=4, column=12,
                fixed="import git\nimport asyncio\n\nasync def f(path):\n    repo = await asyncio.to_thread(git.Repo, path)\n"),
        Invalid("from git import Repo\n\nasync def f(url, path):\n    return Repo.clone_from(url, path)\n", line=4, column=12),
        Invalid("import paramiko\n\nasync def f(host):\n    c = paramiko.SSHClient()\n    c.connect(host)\n", line=5, column=5,
                fixed="import paramiko\nimport asyncio\n\nasync def f(host):\n    c = paramiko.SSHClient()\n    await asyncio.to_thread(c.connect, host)\n"),
        Invalid("import smtplib\n\nasync def f(msg):\n    with smtplib.SMTP('localhost') as s:\n        pass\n", line=4, column=10, message_contains="aiosmtplib"),
        Invalid("import ftplib\n\nasync def f(ftp: ftplib.FTP):\n    return ftp.nlst()\n", line=4, column=12),
        Invalid("import docker\n\nasync def f():\n    client = docker.from_env()\n    return client.containers.list()\n", line=4, column=14, extra_findings=1, fixed='import docker\nimport asyncio\n\nasync def f():\n    client = await asyncio.to_thread(docker.from_env)\n    return client.containers.list()\n'),
        Invalid("from firecrawl import FirecrawlApp\n\nasync def f(url):\n    page = FirecrawlApp().scrape_url(url)\n", line=4, column=12,
                message_contains="AsyncFirecrawlApp",
                fixed="from firecrawl import FirecrawlApp\nimport asyncio\n\nasync def f(url):\n    page = await asyncio.to_thread(FirecrawlApp().scrape_url, url)\n"),
        Invalid("from langchain_openai import ChatOpenAI\n\nclass Agent:\n    def __init__(self):\n        self.llm = ChatOpenAI(model='gpt-4o')\n\n"
                "    async def answer(self, q):\n        return self.llm.invoke(q).content\n", line=8, column=16, message_contains="ainvoke"),
        Invalid("from langchain_core.prompts import PromptTemplate\nfrom langchain_core.output_parsers import StrOutputParser\n\n"
                "async def f(model, q):\n    chain = PromptTemplate.from_template('{q}') | model | StrOutputParser()\n    return chain.invoke({'q': q})\n",
                line=6, column=12),
        Invalid("from langchain_core.language_models import BaseChatModel\n\nasync def f(llm: BaseChatModel, schema, q):\n    return llm.with_structured_output(schema).invoke(q)\n",
                line=4, column=12),
        Invalid("from mlx_lm.utils import generate_step\n\nasync def f(prompt, model):\n    for token, _ in generate_step(prompt, model):\n        yield token\n",
                line=4, column=21, message_contains="next"),
    )
