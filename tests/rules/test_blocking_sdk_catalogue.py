"""Catalogue rows for sync network SDKs that application coroutines call (WeCom, Stripe, Resend,
Replicate, Supabase auth, Azure blob and Cosmos; pydub's ffmpeg conversions): each row reports its call at the exact line and
column, and leaves alone the same call run in a worker thread, in a sync function, on the SDK's
async twin, or a method of the client that does not wait on the network."""

from __future__ import annotations

import textwrap

import pytest

from agentperf_lint.engine import Linter
from agentperf_lint.registry import select


def _findings(source: str) -> list[tuple[int, int, str]]:
    text = textwrap.dedent(source).lstrip("\n")
    result = Linter(select(["APL1"])).lint("app.py", text.encode()).result
    return [(finding.line, finding.column, finding.code) for finding in result.findings]


# (case, source, the one expected finding as (line, column, code))
BAD = [
    ("WeCom message sent from the bot's send coroutine", """
        from wechatpy.enterprise import WeChatClient

        class Event:
            def __init__(self, client: WeChatClient):
                self.client = client

            async def send(self, agent_id, user, text):
                self.client.message.send_text(agent_id, user, text)
    """, (8, 9, "APL112")),
    ("WeCom media upload on a client built in the adapter", """
        from wechatpy.work import WeChatClient

        class Adapter:
            def __init__(self, corp_id, secret):
                self.client = WeChatClient(corp_id, secret)

            async def upload(self, image):
                return self.client.media.upload("image", image)
    """, (8, 16, "APL112")),
    ("Stripe customer lookup in a route", """
        import stripe

        async def subscribe(email):
            return stripe.Customer.list(email=email)
    """, (4, 12, "APL111")),
    ("Stripe subscription changed in a webhook handler", """
        import stripe

        async def cancel(subscription_id):
            stripe.Subscription.modify(subscription_id, cancel_at_period_end=True)
    """, (4, 5, "APL111")),
    ("Resend e-mail sent from a coroutine", """
        import resend

        async def send_magic_link(params):
            resend.Emails.send(params)
    """, (4, 5, "APL111")),
    ("Replicate model run on a client made in the coroutine", """
        import replicate

        async def image(token, prompt):
            client = replicate.Client(token)
            return client.run("owner/model:version", input={"prompt": prompt})
    """, (5, 12, "APL111")),
    ("Supabase token check on the sync client", """
        from supabase import Client, create_client

        class Auth:
            def __init__(self, url, key):
                self.supabase: Client = create_client(url, key)

            async def user(self, token):
                return self.supabase.auth.get_user(token)
    """, (8, 16, "APL111")),
    ("Azure blob read through the container client", """
        from azure.storage.blob import BlobServiceClient

        class Storage:
            def __init__(self, url):
                self.service = BlobServiceClient(account_url=url)

            async def get(self, container, key):
                blob = self.service.get_container_client(container).get_blob_client(key)
                return blob.download_blob()
    """, (9, 16, "APL111")),
    ("Azure blob listing iterated in the coroutine", """
        from azure.storage.blob import BlobServiceClient

        async def names(connection, container):
            client = BlobServiceClient.from_connection_string(connection).get_container_client(container)
            return [blob.name for blob in client.list_blobs()]
    """, (5, 35, "APL111")),
    ("Cosmos item read on a typed container proxy", """
        from azure.cosmos import ContainerProxy

        class Store:
            _container: ContainerProxy

            async def get(self, key):
                return self._container.read_item(item=key, partition_key=key)
    """, (7, 16, "APL111")),
    ("pydub encodes a voice message through ffmpeg", """
        import pydub

        async def to_amr(record_path, out):
            pydub.AudioSegment.from_wav(record_path).export(out, format="amr")
    """, (4, 5, "APL103")),
    ("pydub decodes an uploaded file through ffmpeg", """
        from pydub import AudioSegment

        async def to_wav(path, path_wav):
            audio = AudioSegment.from_file(path)
            audio.export(path_wav, format="wav")
    """, (4, 13, "APL103")),
]


@pytest.mark.parametrize(("case", "source", "expected"), BAD, ids=[case[0] for case in BAD])
def test_sync_sdk_call_is_reported_at_its_position(case: str, source: str, expected: tuple[int, int, str]) -> None:
    assert _findings(source) == [expected]


GOOD = [
    ("WeCom call in a worker thread", """
        import asyncio
        from wechatpy.enterprise import WeChatClient

        async def send(client: WeChatClient, agent_id, user, text):
            await asyncio.to_thread(client.message.send_text, agent_id, user, text)
    """),
    ("WeCom URL builders do no request", """
        from wechatpy.work import WeChatClient

        async def login_url(client: WeChatClient, redirect):
            return client.oauth.authorize_url(redirect)
    """),
    ("Stripe call in a sync function", """
        import stripe

        def subscribe(email):
            return stripe.Customer.list(email=email)
    """),
    ("Stripe async twin", """
        import stripe

        async def subscribe(email):
            return await stripe.Customer.list_async(email=email)
    """),
    ("Stripe webhook signature check is local", """
        import stripe

        async def webhook(body, signature, secret):
            return stripe.Webhook.construct_event(body, signature, secret)
    """),
    ("Resend async twin", """
        import resend

        async def send_magic_link(params):
            await resend.Emails.send_async(params)
    """),
    ("Resend e-mail in a worker thread", """
        import asyncio
        import resend

        async def send_magic_link(params):
            await asyncio.to_thread(resend.Emails.send, params)
    """),
    ("Replicate async twin", """
        import replicate

        async def image(token, prompt):
            client = replicate.Client(token)
            return await client.async_run("owner/model:version", input={"prompt": prompt})
    """),
    ("Supabase async client", """
        from supabase import AsyncClient

        async def user(supabase: AsyncClient, token):
            return await supabase.auth.get_user(token)
    """),
    ("Azure child clients are built in memory; the aio client is awaited", """
        from azure.storage.blob.aio import BlobServiceClient as AsyncBlobServiceClient
        from azure.storage.blob import BlobServiceClient

        async def get(url, container, key):
            blob = BlobServiceClient(account_url=url).get_container_client(container).get_blob_client(key)
            client = AsyncBlobServiceClient(account_url=url).get_blob_client(container, key)
            return blob.url, await client.download_blob()
    """),
    ("Azure blob listing handed to a worker thread", """
        import asyncio
        from azure.storage.blob import ContainerClient

        async def names(client: ContainerClient):
            return await asyncio.to_thread(list, client.list_blobs())
    """),
    ("Cosmos aio container", """
        from azure.cosmos.aio import ContainerProxy

        async def get(container: ContainerProxy, key):
            return await container.read_item(item=key, partition_key=key)
    """),
    ("pydub reads and writes WAV itself, without ffmpeg", """
        from pydub import AudioSegment

        async def trim():
            return AudioSegment.from_file("in.wav").export("out.wav", format="wav")
    """),
    ("pydub conversion in a worker thread", """
        import asyncio
        from pydub import AudioSegment

        async def to_mp3(path):
            return await asyncio.to_thread(AudioSegment.from_file, path)
    """),
]


@pytest.mark.parametrize(("case", "source"), GOOD, ids=[case[0] for case in GOOD])
def test_worker_thread_sync_code_and_async_twins_are_not_reported(case: str, source: str) -> None:
    assert _findings(source) == []
