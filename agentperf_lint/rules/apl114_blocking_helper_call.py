"""APL114: a coroutine calls a sync helper of the project that (maybe several calls down)
blocks: the call graph over every file of the run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import libcst as cst

from ..context import FileContext
from ..project.queries import model_of
from ..rule import FixAvailability, Invalid, Option, Rule, Valid
from ._chains import LOCAL_FILES, blocking_chain, in_home_assistant
from ._costs import Cost
from ._test_code import CHECK_TESTS
from .apl113_blocking_user_configured import user_catalogue


_FILE_CHAINS = {"report-file-chains": True}


class BlockingHelperCall(Rule):
    """## What it does
    Reports a call inside an `async def` body to a sync function or method of the project that
    blocks, directly or through other project functions, in any module of the run. Calls are
    resolved by the project model (docs/project-model.md): imports (relative ones and
    re-exports too), `self.method()`, `super()`, inherited methods and methods of values whose
    type the code writes down (annotations, `self.x = Store(...)`, factories' return
    annotations, properties). The message shows the chain down to the costliest blocking call,
    such as `load_settings() -> read_json() -> open()` or `_cleanup_venv() -> shutil.rmtree()`
    (not the `os.path.exists()` before it).

    A helper whose costliest blocking call is one file-system metadata call (`ensure_dir() ->
    pathlib.Path.mkdir()`) is reported as APL115 instead, with the direct metadata calls. One
    whose costliest call is local file or directory I/O is reported in Home Assistant code, and
    elsewhere with the `report-file-chains` option (see Options).

    It is exact rather than guessing: only calls it resolved are followed, never a method picked
    by its name alone, and a call already reported by another APL1xx rule is not reported again.

    Not counted as running on every call (docs/project-model.md): what fills a cache or a lazy
    attribute the test found missing; what builds a singleton after the early return of the one
    already built (`if _instance is not None: return _instance`); and what fills an optional
    parameter's default (`if options is None: options = load()`, `if props.get("id") is None:
    props["id"] = read_id()`) when the call passes that parameter (with that key, for a dict
    literal): the blocking call there runs only for callers that leave it out; likewise a
    branch taken only when such a parameter is passed (`elif path is not None: open(path)`)
    when the call does not pass it. Reading,
    listing or checking a file the package ships (a path built from `__file__`: a prompt, a
    template, the package's own directory) does not end a chain either: it is small, bounded
    and in the page cache after the first read, unlike the user's data.

    ## Why is this bad?
    Most real event-loop stalls are one or two calls away from the coroutine: an async
    handler calls `display_name()`, which calls `fetch_profile()`, which makes an HTTP request.
    Per-call linters see nothing wrong in any single function.

    ## Example
    ```python
    import requests

    def fetch_profile(user_id):
        return requests.get(f"https://api.example.com/users/{user_id}", timeout=10).json()

    def display_name(user_id):
        return fetch_profile(user_id)["name"]

    async def greet(request):
        name = display_name(request.user_id)
    ```

    ## Use instead
    ```python
    import asyncio

    async def greet(request):
        name = await asyncio.to_thread(display_name, request.user_id)
    ```
    (or make the helpers async, on an async HTTP client).

    ## Fix safety
    When the helper is defined in the same file and the call is a whole statement or the
    right-hand side of an assignment, the fix runs it in a worker thread:
    `await asyncio.to_thread(load_settings)`. It is unsafe: the helper now runs in another
    thread, which matters if it touches thread-local or loop-bound state. Cross-file findings
    carry no fix, nor do chains that end in a Django query: Django raises
    `SynchronousOnlyOperation` for those on a running event loop (the message says so), and its
    own `asgiref.sync.sync_to_async` is the fix that keeps its per-thread connections right.

    ## Options
    - `extra-calls` (in `[tool.agentperf-lint.blocking]`, shared with APL113): calls declared
      blocking there also end chains.
    - `check-tests` (same table, shared with APL101-115): also report chains in test code
      (skipped by default: a blocking helper slows a test, not a service).
    - `report-file-chains` (same table, default `false`): also report chains whose costliest
      call is local file content or directory-tree I/O (`load_config() -> open()`) in code
      that is not a Home Assistant integration. Off by default because on application code
      such helpers mostly read small configuration, prompt and state files: on 21 application
      repositories, about one such chain in twenty was a change a maintainer would make
      (bench/precision/), against most chains that end in a request, a query or a
      subprocess. Home Assistant code always gets them: Home Assistant's own loop detector
      reports file I/O in the event loop, and integration maintainers fix every one.

    ## Known problems
    Acquiring a `threading` lock does not end a chain: thread-safe helpers take locks around
    short critical sections, which is rarely what stalls a loop. Functions passed around as
    values and calls through objects of unknown type are not followed.
    """

    code = "APL114"
    name = "blocking-helper-call"
    message = "`{call}` blocks the event loop"
    fix_availability = FixAvailability.SOMETIMES
    # only files with coroutines start a chain; the project model parses the modules a chain
    # leads into on demand, so sync-only code nothing reaches is never parsed
    triggers = ("async",)
    options_table = "blocking"
    options = (
        Option("extra-calls", dict, {}, "blocking call (qualified name) -> suggested async replacement"),
        CHECK_TESTS,
        Option("report-file-chains", bool, False,
               "also report chains whose costliest call is local file or directory I/O outside Home Assistant code"),
    )

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        self.extra = user_catalogue(self.settings.get("extra-calls") or {})

    def begin_file(self, ctx: FileContext) -> None:
        super().begin_file(ctx)
        if self.extra.entries:
            model_of(ctx).extra_blocking = frozenset(entry.call for entry in self.extra.entries)

    def visit_Call(self, node: cst.Call) -> None:
        chain = blocking_chain(self, self.ctx, node, self.extra)
        if chain is None or chain.cost == Cost.METADATA:  # metadata-only chains: APL115
            return
        if chain.cost in LOCAL_FILES and not (self.settings["report-file-chains"] or in_home_assistant(self.ctx)):
            return
        self.report(node, message=chain.message(), fix=chain.fix)

    VALID = (
        # local file I/O through a helper outside Home Assistant code: only with report-file-chains
        Valid("import json\ndef read(p):\n    with open(p) as f:\n        return json.load(f)\n\nasync def f():\n    return read('s.json')\n"),
        # a loop over a list is no call
        Valid("import requests\ndef names(rows):\n    for row in rows:\n        yield row\n\nasync def f(rows):\n    return list(names(rows))\n"),
        Valid("import json\ndef read(p):\n    with open(p) as f:\n        return json.load(f)\n\ndef load():\n    return read('s.json')\n"),
        Valid("import asyncio\ndef read(p):\n    return open(p).read()\n\nasync def f():\n    return await asyncio.to_thread(read, 'x')\n"),
        Valid("def pure(x):\n    return x * 2\n\nasync def f():\n    return pure(2)\n"),
        Valid("async def read(p):\n    return p\n\nasync def f():\n    return await read('x')\n"),
        Valid("def read(p):\n    return open(p).read()\n\nasync def f():\n    def read(p):\n        return p\n    return read('x')\n"),
        Valid("def read(p):\n    return open(p).read()\n\nasync def f():\n    return [lambda: read('x')]\n"),
        Valid("def read(p):\n    return open(p).read()\n\nasync def f(store):\n    return store.read('x')\n"),
        Valid("def outer():\n    def inner():\n        return open('x')\n    return inner\n\nasync def f():\n    return outer()\n"),
        Valid("import time\nasync def f():\n    time.sleep(1)\n"),
        Valid("class Store:\n    def get(self):\n        return 1\n\nasync def f():\n    return Store().get()\n"),
        Valid(  # the default fill of an optional parameter the call passes
            "def server_id():\n    return open('id').read()\n\ndef log(kind, props=None):\n"
            "    if props.get('id') is None:\n        props['id'] = server_id()\n    return props\n\n"
            "async def f(user):\n    return log('x', props={'id': user})\n"),
        Valid(  # a prompt the package ships: a path built from ``__file__``
            "from pathlib import Path\n\nPROMPTS = Path(__file__).parent / 'prompts'\n\n"
            "def prompt(name):\n    return (PROMPTS / name).read_text()\n\n"
            "async def f(name):\n    return prompt(name)\n"),
        Valid(  # a singleton built once, after the early return of the one already built
            "_client = None\n\nclass Client:\n    def __init__(self):\n        self.key = open('key').read()\n\n"
            "def client():\n    global _client\n    if _client is not None:\n        return _client\n"
            "    _client = Client()\n    return _client\n\nasync def f():\n    return client()\n"),
    )
    INVALID = (
        Invalid(  # a Django query: Django refuses it on a running loop, and a worker thread is not its fix
            "from django.db import models\n\n\nclass Agent(models.Model):\n    name = models.CharField(max_length=10)\n\n\n"
            "def default_agent():\n    return Agent.objects.first()\n\n\nasync def handle():\n    return default_agent()\n",
            line=13, column=12,
            message_contains="`default_agent()` runs a Django query on the event loop: default_agent() -> "
            "django.db.models.QuerySet.first(); Django raises `SynchronousOnlyOperation` there"),
        Invalid(  # Home Assistant code: its own loop detector reports file I/O, maintainers fix it
            "from homeassistant.core import HomeAssistant\n\ndef read_info(path):\n    with open(path) as f:\n"
            "        return f.read()\n\nasync def async_get_diagnostics(hass: HomeAssistant, entry):\n"
            "    return read_info(hass.config.path('info.txt'))\n",
            line=8, column=12, message_contains="read_info() -> open() (file content I/O)",
        ),
        Invalid(  # a loop over a lazy Django queryset runs the query
            "from django.db import models\n\nclass Option(models.Model):\n    pass\n\nclass Options:\n"
            "    @staticmethod\n    def every():\n        return Option.objects.all()\n\n    @staticmethod\n"
            "    def first_enabled():\n        for option in Options.every():\n            return option\n\n"
            "async def route(message):\n    return Options.first_enabled()\n",
            line=17, column=12, message_contains="Options.first_enabled() -> django.db.models.QuerySet.__iter__(); Django raises",
        ),
        Invalid(  # the costliest call of the helper is named, not the metadata check before it
            "import os\nimport shutil\n\ndef _cleanup_venv(path):\n    if os.path.exists(path):\n"
            "        shutil.rmtree(path)\n\nasync def reset(path):\n    _cleanup_venv(path)\n",
            line=9, column=5, message_contains="_cleanup_venv() -> shutil.rmtree()", options=_FILE_CHAINS,
            fixed="import os\nimport shutil\nimport asyncio\n\ndef _cleanup_venv(path):\n    if os.path.exists(path):\n"
            "        shutil.rmtree(path)\n\nasync def reset(path):\n    await asyncio.to_thread(_cleanup_venv, path)\n",
        ),
        Invalid(  # a typed attribute and an inherited method
            "import json\n\nclass Base:\n    def load(self, path):\n        with open(path) as f:\n"
            "            return json.load(f)\n\nclass Store(Base):\n    pass\n\nclass Service:\n"
            "    def __init__(self, store: Store):\n        self.store = store\n\n    async def run(self):\n"
            "        return self.store.load('x.json')\n",
            line=16, column=16, message_contains="Base.load() -> open()", options=_FILE_CHAINS,
        ),
        Invalid(
            "import json\n\ndef read_json(path):\n    with open(path) as f:\n        return json.load(f)\n\n"
            "def load_settings():\n    return read_json('settings.json')\n\nasync def handle():\n    settings = load_settings()\n",
            line=11, column=16, message_contains="load_settings() -> read_json() -> open()", options=_FILE_CHAINS,
            fixed="import json\nimport asyncio\n\ndef read_json(path):\n    with open(path) as f:\n        return json.load(f)\n\n"
            "def load_settings():\n    return read_json('settings.json')\n\nasync def handle():\n    settings = await asyncio.to_thread(load_settings)\n",
        ),
        Invalid(
            "import time\n\nclass Agent:\n    def _backoff(self):\n        time.sleep(1)\n\n    async def run(self):\n        return self._backoff()\n",
            line=8, column=16, message_contains="Agent._backoff() -> time.sleep()",
        ),
        Invalid(
            "import requests\n\nclass Client:\n    def fetch(self, url):\n        return requests.get(url)\n\n"
            "async def f(url):\n    client = Client()\n    return client.fetch(url)\n",
            line=9, column=12, message_contains="Client.fetch() -> requests.get()",
        ),
        Invalid(
            "from pathlib import Path\n\nclass Store:\n    def __init__(self, root: Path):\n        self.data = (root / 'db.json').read_text()\n\n"
            "async def f(root):\n    return Store(root)\n",
            line=8, column=12, message_contains="Store.__init__() -> pathlib.Path.read_text()", options=_FILE_CHAINS,
        ),
        Invalid(  # the call leaves the optional parameter out: its default fill reads the file
            "def server_id():\n    return open('id').read()\n\ndef log(kind, props=None):\n"
            "    if props.get('id') is None:\n        props['id'] = server_id()\n    return props\n\n"
            "async def f(user):\n    return log('x', props={'user': user})\n",
            line=10, column=12, message_contains="log() -> server_id() -> open", options=_FILE_CHAINS,
        ),
        Invalid(
            "def a():\n    return b()\n\ndef b():\n    return a() or open('x')\n\nasync def f():\n    a()\n",
            line=8, column=5, message_contains="a() -> b() -> open()", options=_FILE_CHAINS,
            fixed="import asyncio\n\ndef a():\n    return b()\n\ndef b():\n    return a() or open('x')\n\nasync def f():\n    await asyncio.to_thread(a)\n",
        ),
    )
