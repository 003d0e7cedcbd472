"""APL108: blocking sockets, DNS lookups, TLS handshakes and ``select`` inside ``async def``."""

from __future__ import annotations

from ..rule import Invalid, Valid
from ._blocking import BlockingCallRule


class BlockingNetwork(BlockingCallRule):
    """## What it does
    Reports blocking network primitives inside an `async def` body: DNS lookups
    (`socket.gethostbyname`, `getaddrinfo`, `getnameinfo`, `getfqdn`, ...),
    `socket.create_connection`, `connect`/`connect_ex`/`accept`/`recv*`/`send*` on a `socket.socket`,
    `ssl.get_server_certificate`, `wrap_socket`/`do_handshake` (the TLS handshake), building
    SSL contexts (`ssl.create_default_context`, `load_verify_locations`, `load_cert_chain`: they
    read certificate files), and
    `select.select`/`poll`/selectors without a zero timeout.

    Cost class (named in every message, counted by `--statistics`): a network round trip; file content I/O for SSL contexts (they read the CA bundle).

    ## Why is this bad?
    A DNS lookup through the system resolver can take seconds on a cold cache or a broken
    nameserver, and a `recv` on a blocking socket waits for the peer: the whole loop waits too.
    `asyncio`'s own `loop.getaddrinfo` runs the same lookup in a thread for this reason.

    ## Example
    ```python
    import socket

    async def resolve(host):
        return socket.gethostbyname(host)
    ```

    ## Use instead
    ```python
    import asyncio

    async def resolve(host):
        infos = await asyncio.get_running_loop().getaddrinfo(host, None)
        return infos[0][4][0]
    ```

    ## Fix safety
    Where the call is a whole statement or the right-hand side of an assignment, the fix runs
    it in a worker thread (`await asyncio.to_thread(socket.getaddrinfo, host, port)`). It is
    unsafe: the call now runs in another thread.

    ## Options
    - `check-tests` (in `[tool.agentperf-lint.blocking]`, shared by the APL1xx rules, default
      false): also report blocking calls in test code, which is skipped by default.

    ## Known problems
    Socket methods are not reported in a module that calls `setblocking(False)` anywhere:
    non-blocking sockets return at once, and which socket was switched is not tracked.
    """

    code = "APL108"
    name = "blocking-network"

    VALID = (
        Valid("import socket\ndef f(h):\n    return socket.gethostbyname(h)\n"),
        Valid("import asyncio\nasync def f(h):\n    return await asyncio.get_running_loop().getaddrinfo(h, 80)\n"),
        Valid("import socket\nasync def f(loop, sock: socket.socket):\n    return await loop.sock_recv(sock, 1024)\n"),
        Valid("import select\nasync def f(r):\n    return select.select(r, [], [], 0)\n"),
        Valid("import socket\nasync def f():\n    return socket.AF_INET, socket.gethostname()\n"),
        Valid("import socket\nasync def f(sock: socket.socket):\n    sock.setblocking(False)\n    return sock.fileno()\n"),
        Valid("import socket\nasync def f(path):\n    sock = socket.socket(socket.AF_UNIX)\n    sock.setblocking(False)\n    try:\n        sock.connect(path)\n    except BlockingIOError:\n        pass\n"),
        Valid("import socket\nasync def f(h):\n    s = socket.socket()\n    s.setblocking(False)\n    return s.connect_ex((h, 80))\n"),
    )
    INVALID = (
        Invalid("import socket\n\nasync def f(h):\n    ip = socket.gethostbyname(h)\n", line=4, column=10, message_contains="getaddrinfo",
                fixed="import socket\nimport asyncio\n\nasync def f(h):\n    ip = await asyncio.to_thread(socket.gethostbyname, h)\n"),
        Invalid("import socket\n\nasync def f(h):\n    return socket.getaddrinfo(h, 443)\n", line=4, column=12),
        Invalid("import socket\n\nasync def f(h):\n    return socket.getfqdn(h)\n", line=4, column=12),
        Invalid("import socket\n\nasync def f(h):\n    return socket.create_connection((h, 80))\n", line=4, column=12),
        Invalid("import socket\n\nasync def f(sock: socket.socket):\n    return sock.recv(1024)\n", line=4, column=12),
        Invalid("import socket\n\nasync def f(h):\n    s = socket.socket()\n    s.connect((h, 80))\n", line=5, column=5,
                fixed="import socket\nimport asyncio\n\nasync def f(h):\n    s = socket.socket()\n    await asyncio.to_thread(s.connect, (h, 80))\n"),
        Invalid("import socket\n\nasync def f(server: socket.socket):\n    conn, addr = server.accept()\n", line=4, column=18,
                fixed="import socket\nimport asyncio\n\nasync def f(server: socket.socket):\n    conn, addr = await asyncio.to_thread(server.accept)\n"),
        Invalid("import ssl\n\nasync def f(h):\n    return ssl.get_server_certificate((h, 443))\n", line=4, column=12),
        Invalid("import ssl\n\nasync def f(sock, h, ctx: ssl.SSLContext):\n    return ctx.wrap_socket(sock, server_hostname=h)\n", line=4, column=12),
        Invalid("import ssl\n\nasync def f(h):\n    ctx = ssl.create_default_context()\n", line=4, column=11, message_contains="CA bundle",
                fixed="import ssl\nimport asyncio\n\nasync def f(h):\n    ctx = await asyncio.to_thread(ssl.create_default_context)\n"),
        Invalid("import ssl\n\nasync def f(ctx: ssl.SSLContext, cafile):\n    ctx.load_verify_locations(cafile)\n", line=4, column=5,
                fixed="import ssl\nimport asyncio\n\nasync def f(ctx: ssl.SSLContext, cafile):\n    await asyncio.to_thread(ctx.load_verify_locations, cafile)\n"),
        Invalid("import select\n\nasync def f(r):\n    return select.select(r, [], [])\n", line=4, column=12),
        Invalid("import select\n\nasync def f(r):\n    return select.select(r, [], [], 5)\n", line=4, column=12),
        Invalid("import socket\n\nasync def f(h):\n    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n    return probe.connect_ex((h, 23)) == 0\n",
                line=5, column=12),
    )
