"""The catalogue of blocking calls, as data: what blocks, which code reports it, what to use.

Each row is ``(calls, code, fix, alternative)`` and optionally ``unless``:

* ``calls``: space-separated qualified call targets as :meth:`FileContext.call_target` spells
  them after import resolution. ``requests.get`` is a module function; ``requests.Session.get``
  is a method on a value made by ``requests.Session(...)`` (or annotated with it);
  ``sqlite3.connect.*`` is every method on a value made by ``sqlite3.connect(...)``, however
  deep its attribute chain (``client.chat.completions.create`` on an ``openai.OpenAI``), but not
  methods on what those methods return: ``conn.cursor().execute`` resolves to
  ``sqlite3.connect.cursor.execute`` and needs its own ``sqlite3.connect.cursor.*`` row, so
  ``r.get(key).decode()`` on a Redis client is not a second finding;
  ``*.run_until_complete`` matches the method name on any receiver.
* ``fix``: ``sleep`` (``await asyncio.sleep``), ``thread`` (``await asyncio.to_thread(f, ...)``),
  ``sqlite_thread`` (the same, only for connections opened with ``check_same_thread=False``),
  ``await`` (``await <the coroutine argument>``) or ``none``.
* ``alternative``: the message's advice, naming the concrete async replacement.
* ``unless``: the name of an argument test in :mod:`._blocking` under which the call does not
  block (``queue.get(block=False)``, ``select.select(r, w, x, 0)``).
* ``cost``: what one call costs (:class:`._costs.Cost`), stated where :func:`._costs.cost_of`
  (which knows the metadata and tree calls, else goes by code) would say otherwise: messages
  say it in words, the costliest call of a coroutine carries the cheap ones beside it, and
  ``--statistics`` and the docs group by it.

Methods listed after ``!`` in a wildcard row are exempt (``sqlite3.connect.* !cursor``): they
only build objects in memory, or wait on nothing (``close()`` on a pooled HTTP client drops its
idle sockets; ``seek``/``tell`` on a file move an offset).

Pure functions that never touch the disk are absent on purpose (``os.path.join``, ``normpath``,
``basename``, ``abspath``; ``Path.with_suffix``, ``Path.absolute``, ``Path.cwd``), as are
methods whose cost is one cheap system call on process state (``os.getcwd``, ``os.getpid``).
"""

from __future__ import annotations

from typing import NamedTuple

from ._costs import Cost

HTTP = (
    "use an async HTTP client: `httpx.AsyncClient`, or a shared `aiohttp` session through "
    "`agentperf_lint.runtime.ConnectionPool`"
)
SUBPROCESS = "use `asyncio.create_subprocess_exec` (or `anyio.run_process`)"
PROCESS_WAIT = "await the process from `asyncio.create_subprocess_exec` (`await proc.wait()`)"
FILES = "use `aiofiles`/`anyio.open_file`, or `await asyncio.to_thread(...)`"
PYDUB = ("pydub converts through an `ffmpeg` subprocess and waits for it: call it in a worker "
         "thread (`await asyncio.to_thread(...)`)")
PATHS = "use `anyio.Path` (its methods are awaitable), or `await asyncio.to_thread(...)`"
OS_FS = "use `aiofiles.os`/`anyio.Path`, or `await asyncio.to_thread(...)`"
ARCHIVES = "run it in a worker thread: `await asyncio.to_thread(...)`"
TEMPFILES = "use `aiofiles.tempfile`, or `await asyncio.to_thread(...)`"
INPUT = "read input in a worker thread (`await asyncio.to_thread(input, ...)`) or with `aioconsole`"
SQLITE = (
    "use `aiosqlite` (a `sqlite3` connection works only in the thread that opened it: "
    "`asyncio.to_thread` on it raises `ProgrammingError` unless it was opened with "
    "`check_same_thread=False`)"
)
POSTGRES = "use `asyncpg` or `psycopg.AsyncConnection`"
MYSQL = "use `aiomysql` or `asyncmy`"
MONGO = "use `motor` or `pymongo.AsyncMongoClient`"
REDIS = "use `redis.asyncio.Redis`"
SQLALCHEMY = "use `sqlalchemy.ext.asyncio` (`AsyncEngine`, `AsyncSession`)"
DATA_FILES = "read and write data files in a worker thread: `await asyncio.to_thread(...)`"
SSL_FILES = "build the SSL context once at start-up (it reads the CA bundle from disk), or in a worker thread"
SOCKETS = "use `asyncio.open_connection`/`loop.sock_*` (or `anyio.connect_tcp`)"
DNS = "use `await loop.getaddrinfo(...)` (or `anyio.getaddrinfo`)"
SELECT = "await the event loop's readiness callbacks (`loop.add_reader`, streams) instead"
THREADS = "use the `asyncio` primitive (`asyncio.Lock`, `asyncio.Event`, `asyncio.Queue`), or `await asyncio.to_thread(...)`"
FUTURES = "await it: `await asyncio.wrap_future(future)`"
NESTED_LOOP = "`await` the coroutine instead of starting or re-entering an event loop"
OPENAI = "use `openai.AsyncOpenAI`"
AZURE_OPENAI = "use `openai.AsyncAzureOpenAI`"
ANTHROPIC = "use `anthropic.AsyncAnthropic`"
HTTPX_CLIENT = "use `httpx.AsyncClient`"
SESSION = "use `aiohttp` (a shared session via `agentperf_lint.runtime.ConnectionPool`) or `httpx.AsyncClient`"
BOTO3 = "use `aioboto3`/`aiobotocore`, or `await asyncio.to_thread(...)`"
GIT = "run git in a worker thread (`await asyncio.to_thread(...)`) or `asyncio.create_subprocess_exec(\"git\", ...)`"
SSH = "use `asyncssh`"
SMTP = "use `aiosmtplib`"
FTP = "use `aioftp`"
DOCKER = "use `aiodocker`"
# constants of the rows appended by the recall work on maintainers' fixes (issue 11)
IMPORTS = ("import the module at start-up (module level), or in a worker thread: "
           "`await asyncio.to_thread(importlib.import_module, name)`")
PYTZ = ("build the timezone once at import time, or in a worker thread "
        "(`await asyncio.to_thread(pytz.timezone, name)`)")
LOG_FILES = ("create file log handlers at start-up or in a worker thread, or pass `delay=True` "
             "so the file is opened on the first record")
DJANGO = ("Django raises `SynchronousOnlyOperation` for it on a running event loop (unless "
          "`DJANGO_ALLOW_ASYNC_UNSAFE` is set, when it blocks); use the async ORM (`await ...aget()`, "
          "`afirst()`, `acount()`, `aexists()`, `acreate()`, `instance.asave()`, `async for`), or wrap "
          "the query in `asgiref.sync.sync_to_async`")
DJANGO_ITERATION = ("iterate the queryset with `async for`, or load it with "
                    "`await sync_to_async(list)(queryset)`")
FIRECRAWL = "use `firecrawl.AsyncFirecrawlApp` (`AsyncFirecrawl` in SDK v2), or `await asyncio.to_thread(...)`"
LANGCHAIN = "use the runnable's async method: `await ....ainvoke(...)` (`abatch`, `agenerate`)"
LANGCHAIN_STREAM = "iterate the async stream instead: `async for chunk in ....astream(...)`"
MLX = ("run generation in a worker thread: `await asyncio.to_thread(...)`, pulling a generator "
       "one step at a time with `await asyncio.to_thread(next, steps)`")
# constants of the rows for sync network SDKs found in application coroutines (corpus survey)
WECHATPY = "`wechatpy` has no async client: call it in a worker thread (`await asyncio.to_thread(...)`)"
STRIPE = ("use the resource's async twin (`await stripe.Customer.list_async(...)`: `create_async`, "
          "`retrieve_async`, `modify_async`, ...), or `await asyncio.to_thread(...)`")
RESEND = ("use the `*_async` class methods (`await resend.Emails.send_async(params)`, with "
          "`pip install resend[async]`), or `await asyncio.to_thread(...)`")
REPLICATE = "use `await client.async_run(...)` (`replicate.async_run`), or `await asyncio.to_thread(...)`"
SUPABASE = "use the async client from `supabase.acreate_client(...)` (`await client.auth.get_user(...)`)"
AZURE_BLOB = "use `azure.storage.blob.aio.BlobServiceClient` (awaitable methods), or `await asyncio.to_thread(...)`"
AZURE_COSMOS = "use `azure.cosmos.aio.CosmosClient` (awaitable methods), or `await asyncio.to_thread(...)`"


def _on(receivers: str, suffix: str) -> str:
    """``suffix`` after each of the space-separated ``receivers``: one SDK's client types reached
    through its constructors and factory methods (``BlobServiceClient.get_container_client``)."""
    return " ".join(f"{receiver}{suffix}" for receiver in receivers.split())


# Azure Storage blob clients, as built directly or handed out by the client one level up
_AZURE_BLOB_SERVICE = "azure.storage.blob.BlobServiceClient azure.storage.blob.BlobServiceClient.from_connection_string"
_AZURE_BLOB_CONTAINER = ("azure.storage.blob.ContainerClient azure.storage.blob.ContainerClient.from_connection_string "
                         "azure.storage.blob.ContainerClient.from_container_url "
                         + _on(_AZURE_BLOB_SERVICE, ".get_container_client"))
_AZURE_BLOB_CLIENTS = " ".join((
    _AZURE_BLOB_SERVICE, _AZURE_BLOB_CONTAINER,
    "azure.storage.blob.BlobClient azure.storage.blob.BlobClient.from_connection_string "
    "azure.storage.blob.BlobClient.from_blob_url", _on(_AZURE_BLOB_CONTAINER, ".get_blob_client"),
    _on(_AZURE_BLOB_SERVICE, ".get_blob_client")))
_AZURE_BLOB_PAGED = "list_containers find_blobs_by_tags list_blobs list_blob_names walk_blobs"
_AZURE_COSMOS_CLIENTS = ("azure.cosmos.CosmosClient azure.cosmos.CosmosClient.from_connection_string "
                         "azure.cosmos.DatabaseProxy azure.cosmos.ContainerProxy "
                         "azure.cosmos.CosmosClient.get_database_client "
                         "azure.cosmos.DatabaseProxy.get_container_client")
_AZURE_COSMOS_PAGED = ("list_databases query_databases list_containers query_containers query_items "
                       "read_all_items query_items_change_feed")


def _paged(receivers: str, methods: str) -> str:
    """Each of ``methods`` on each of ``receivers``: pagers that send their requests as they are
    iterated."""
    return " ".join(_on(receivers, f".{method}") for method in methods.split())


def _exempt(methods: str) -> str:
    """``methods`` as a row's exemptions (``!name``)."""
    return " ".join(f"!{method}" for method in methods.split())


_FILE_METHODS_EXEMPT = "!seek !fileno !isatty !readable !writable !seekable !tell !name !mode !closed !encoding"

# (calls, code, fix, alternative[, unless][, cost])
ROWS: tuple[tuple[str | Cost, ...], ...] = (
    # APL101 sleep
    ("time.sleep", "APL101", "sleep", "use `await {library}.sleep(...)`"),
    # APL102 HTTP
    (("requests.get requests.post requests.put requests.patch requests.delete requests.head "
     "requests.options requests.request requests.api.get requests.api.post requests.api.request"),
     "APL102", "thread", HTTP),
    (("httpx.get httpx.post httpx.put httpx.patch httpx.delete httpx.head httpx.options "
     "httpx.request httpx.stream httpx2.get httpx2.post httpx2.put httpx2.patch httpx2.delete "
     "httpx2.head httpx2.options httpx2.request httpx2.stream"), "APL102", "thread", HTTP),
    (("urllib.request.urlopen urllib.request.urlretrieve urllib.request.OpenerDirector.open "
     "urllib.request.build_opener.open"), "APL102", "thread", HTTP),
    (("urllib3.request urllib3.PoolManager.* urllib3.ProxyManager.* urllib3.HTTPConnectionPool.* "
     "urllib3.HTTPSConnectionPool.* urllib3.connection_from_url.* urllib3.poolmanager.PoolManager.* "
     "urllib3.connectionpool.HTTPConnectionPool.* urllib3.connectionpool.HTTPSConnectionPool.* "
     "urllib3.connectionpool.ConnectionPool.* urllib3.poolmanager.ProxyManager.* "
     "urllib3.request.RequestMethods.* "
     "!connection_from_url !connection_from_host !clear"), "APL102", "thread", HTTP),
    ("http.client.HTTPConnection.* http.client.HTTPSConnection.* !set_debuglevel !set_tunnel",
     "APL102", "thread", HTTP),
    # APL103 subprocess
    (("subprocess.run subprocess.call subprocess.check_call subprocess.check_output "
     "subprocess.getoutput subprocess.getstatusoutput subprocess.Popen os.system os.popen "
     "os.spawnl os.spawnle os.spawnlp os.spawnlpe os.spawnv os.spawnve os.spawnvp os.spawnvpe "
     "os.posix_spawn os.posix_spawnp"), "APL103", "thread", SUBPROCESS),
    (("os.wait os.wait3 os.wait4 os.waitid os.waitpid subprocess.Popen.wait "
     "subprocess.Popen.communicate"), "APL103", "thread", PROCESS_WAIT, "nohang"),
    # pydub decodes and encodes every format but WAV and raw PCM by running ffmpeg (or avconv)
    (("pydub.AudioSegment.from_file pydub.AudioSegment.from_mp3 pydub.AudioSegment.from_ogg "
      "pydub.AudioSegment.from_flv pydub.audio_segment.AudioSegment.from_file "
      "pydub.AudioSegment.export pydub.AudioSegment.from_file.export pydub.AudioSegment.from_wav.export "
      "pydub.AudioSegment.from_mp3.export pydub.AudioSegment.from_ogg.export "
      "pydub.audio_segment.AudioSegment.export"), "APL103", "thread", PYDUB, "wav_audio"),
    # APL104 files
    ("builtins.open io.open io.open_code os.fdopen codecs.open", "APL104", "thread", FILES),
    ((f"builtins.open.* io.open.* io.open_code.* os.fdopen.* codecs.open.* pathlib.Path.open.* "
     "io.TextIOWrapper.* io.BufferedReader.* io.BufferedWriter.* io.BufferedRandom.* io.FileIO.* "
     f"{_FILE_METHODS_EXEMPT}"), "APL104", "thread", FILES),
    (("pathlib.Path.read_text pathlib.Path.read_bytes pathlib.Path.write_text "
     "pathlib.Path.write_bytes pathlib.Path.open"), "APL104", "thread", PATHS),
    ("os.listdir os.scandir os.removedirs os.renames os.open os.fsync os.sendfile", "APL104",
     "thread", OS_FS),
    (("shutil.copy shutil.copy2 shutil.copyfile shutil.copyfileobj shutil.copytree shutil.rmtree "
     "shutil.move glob.glob"), "APL104", "thread", OS_FS),
    # generators: the I/O happens when they are iterated, so only a use in the coroutine counts
    # (no fix: running the call in a thread would only create the generator there)
    (("pathlib.Path.iterdir pathlib.Path.glob pathlib.Path.rglob pathlib.Path.walk os.walk "
      "os.fwalk glob.iglob"), "APL104", "none", PATHS, "iterated_elsewhere"),
    (("pandas.read_csv pandas.read_json pandas.read_parquet pandas.read_excel pandas.read_feather "
     "pandas.read_pickle pandas.read_table numpy.load numpy.save numpy.savez numpy.loadtxt "
     "numpy.savetxt numpy.fromfile numpy.genfromtxt"), "APL104", "thread", DATA_FILES, "in_memory_file"),
    ("json.load json.dump pickle.load pickle.dump tomllib.load", "APL104", "thread", FILES,
     "in_memory_file"),
    # APL105 archives and temporary files
    (("zipfile.ZipFile zipfile.is_zipfile zipfile.ZipFile.* tarfile.open tarfile.is_tarfile "
     "tarfile.open.* tarfile.TarFile tarfile.TarFile.* shutil.make_archive shutil.unpack_archive "
     "gzip.open bz2.open lzma.open !namelist !infolist !getinfo !setpassword"),
     "APL105", "thread", ARCHIVES, "in_memory_archive"),
    (("tempfile.NamedTemporaryFile tempfile.TemporaryFile tempfile.NamedTemporaryFile.* "
     f"tempfile.TemporaryFile.* {_FILE_METHODS_EXEMPT}"), "APL105", "thread", TEMPFILES,
     Cost.FILE_CONTENT),
    ("tempfile.TemporaryDirectory tempfile.TemporaryDirectory.cleanup", "APL105", "thread", TEMPFILES),
    # APL115 single file-system metadata calls (inside a loop over directory entries they are
    # a tree walk: :func:`._blocking.classify` reports them as APL104)
    (("pathlib.Path.exists pathlib.Path.is_dir pathlib.Path.is_file pathlib.Path.is_symlink "
     "pathlib.Path.is_mount pathlib.Path.is_socket pathlib.Path.is_fifo "
     "pathlib.Path.is_block_device pathlib.Path.is_char_device pathlib.Path.is_junction "
     "pathlib.Path.stat pathlib.Path.lstat pathlib.Path.owner pathlib.Path.group "
     "pathlib.Path.chmod pathlib.Path.lchmod pathlib.Path.mkdir pathlib.Path.rmdir "
     "pathlib.Path.unlink pathlib.Path.rename pathlib.Path.replace pathlib.Path.touch "
     "pathlib.Path.symlink_to pathlib.Path.hardlink_to pathlib.Path.link_to "
     "pathlib.Path.readlink pathlib.Path.resolve pathlib.Path.samefile"), "APL115", "thread", PATHS),
    (("os.stat os.lstat os.remove os.unlink os.rename os.replace os.makedirs os.mkdir os.rmdir "
     "os.chmod os.chown os.lchown os.link os.symlink os.readlink os.utime os.truncate os.access "
     "os.statvfs os.mkfifo"), "APL115", "thread", OS_FS, Cost.METADATA),
    (("os.path.exists os.path.lexists os.path.isfile os.path.isdir os.path.islink "
     "os.path.ismount os.path.isjunction os.path.getsize os.path.getmtime os.path.getatime "
     "os.path.getctime os.path.samefile os.path.sameopenfile os.path.realpath"), "APL115",
     "thread", OS_FS),
    ("shutil.copymode shutil.copystat shutil.disk_usage shutil.chown shutil.which", "APL115",
     "thread", OS_FS),
    ("tempfile.mkdtemp tempfile.mkstemp", "APL115", "thread", TEMPFILES),
    # APL106 input
    (("builtins.input sys.stdin.read sys.stdin.readline sys.stdin.readlines "
     "sys.stdin.buffer.read sys.stdin.buffer.readline getpass.getpass"), "APL106", "thread", INPUT),
    # APL107 databases and caches with sync drivers
    (("sqlite3.connect sqlite3.connect.* sqlite3.connect.cursor.* sqlite3.connect.execute.* "
     "sqlite3.Connection.* sqlite3.Connection.cursor.* sqlite3.Connection.execute.* sqlite3.Cursor.* "
     "!cursor"), "APL107", "sqlite_thread", SQLITE, "in_memory_sqlite"),
    (("psycopg2.connect psycopg2.connect.* psycopg.connect psycopg.connect.* "
     "psycopg.Connection.connect psycopg.Connection.connect.* psycopg2.connect.cursor.* "
     "psycopg.connect.cursor.* psycopg.connect.execute.* !cursor"), "APL107", "thread", POSTGRES),
    (("pymysql.connect pymysql.connect.* pymysql.connect.cursor.* mysql.connector.connect "
     "mysql.connector.connect.* mysql.connector.connect.cursor.* !cursor"),
     "APL107", "thread", MYSQL),
    ("pymongo.MongoClient.* !get_database !get_default_database !get_collection",
     "APL107", "thread", MONGO),
    (("redis.Redis.* redis.StrictRedis.* redis.from_url.* redis.Redis.from_url.* "
     "redis.client.Redis.* redis.Redis.pipeline.execute redis.from_url.pipeline.execute "
     "redis.StrictRedis.pipeline.execute !pipeline !pubsub !lock"), "APL107", "thread", REDIS),
    (("sqlalchemy.create_engine.* sqlalchemy.create_engine.connect.* sqlalchemy.create_engine.begin.* "
     "sqlalchemy.orm.Session.* sqlalchemy.engine.Engine.* sqlalchemy.engine.Connection.* sqlalchemy.orm.session.Session.* "
     "!add !add_all !expunge !begin_nested !get_bind !dispose !query !filter !filter_by !where "
     "!order_by !limit !offset !join !options"), "APL107", "thread", SQLALCHEMY),
    # APL108 network
    (("socket.gethostbyname socket.gethostbyname_ex socket.gethostbyaddr socket.getaddrinfo "
     "socket.getnameinfo socket.getfqdn"), "APL108", "thread", DNS),
    ("socket.create_connection ssl.get_server_certificate", "APL108", "thread", SOCKETS),
    (("ssl.create_default_context ssl.SSLContext.load_verify_locations ssl.SSLContext.load_cert_chain "
     "ssl.SSLContext.set_default_verify_paths ssl.SSLContext.load_default_certs "
     "ssl.create_default_context.load_verify_locations ssl.create_default_context.load_cert_chain"),
     "APL108", "thread", SSL_FILES, Cost.FILE_CONTENT),
    (("socket.socket.connect socket.socket.accept socket.socket.recv socket.socket.recvfrom "
     "socket.socket.recv_into socket.socket.send socket.socket.sendall socket.socket.sendto "
     "socket.socket.sendfile socket.create_connection.recv socket.create_connection.recv_into "
     "socket.create_connection.send socket.create_connection.sendall ssl.SSLContext.wrap_socket "
     "ssl.create_default_context.wrap_socket ssl.SSLSocket.do_handshake"), "APL108", "thread",
     SOCKETS, "nonblocking_sockets"),
    (("select.select select.poll.poll select.epoll.poll selectors.DefaultSelector.select "
     "selectors.SelectSelector.select selectors.EpollSelector.select"), "APL108", "thread", SELECT,
     "zero_timeout"),
    # APL109 thread primitives
    (("threading.Lock.acquire threading.RLock.acquire threading.Semaphore.acquire "
     "threading.BoundedSemaphore.acquire threading.Condition.acquire"), "APL109", "none", THREADS,
     "nonblocking_acquire"),
    (("threading.Event.wait threading.Condition.wait threading.Condition.wait_for "
     "threading.Barrier.wait threading.Thread.join"), "APL109", "thread", THREADS, "zero_timeout"),
    (("queue.Queue.get queue.Queue.put queue.LifoQueue.get queue.LifoQueue.put "
     "queue.PriorityQueue.get queue.PriorityQueue.put queue.SimpleQueue.get queue.Queue.join "
     "multiprocessing.Queue.get multiprocessing.Queue.put"), "APL109", "thread", THREADS,
     "nonblocking_queue"),
    (("concurrent.futures.Future.result concurrent.futures.ThreadPoolExecutor.submit.result "
     "concurrent.futures.ProcessPoolExecutor.submit.result concurrent.futures.wait "
     "concurrent.futures.Future.exception"), "APL109", "none", FUTURES, "finished_future"),
    (("concurrent.futures.ThreadPoolExecutor.shutdown concurrent.futures.ProcessPoolExecutor.shutdown "
     "concurrent.futures.Executor.shutdown"), "APL109", "thread", THREADS, "no_wait"),
    # APL110 nested event loops
    ("asyncio.run *.run_until_complete", "APL110", "await", NESTED_LOOP),
    ("asyncio.run_coroutine_threadsafe.result", "APL110", "none", NESTED_LOOP),
    # APL111 sync SDK clients with an async twin
    ("openai.OpenAI.* openai.Client.* !close !with_options !with_raw_response !with_streaming_response",
     "APL111", "thread", OPENAI),
    (("openai.Completion.create openai.ChatCompletion.create openai.Embedding.create "
     "openai.Image.create openai.Moderation.create"), "APL111", "thread",
     "use `await openai.ChatCompletion.acreate(...)` (SDK < 1.0) or `openai.AsyncOpenAI`"),
    ("openai.AzureOpenAI.* !close !with_options !with_raw_response !with_streaming_response",
     "APL111", "thread", AZURE_OPENAI),
    (("anthropic.Anthropic.* anthropic.Client.* !close !with_options !with_raw_response "
     "!with_streaming_response"), "APL111", "thread", ANTHROPIC),
    (("httpx.Client.get httpx.Client.post httpx.Client.put httpx.Client.patch httpx.Client.delete "
     "httpx.Client.head httpx.Client.options httpx.Client.request httpx.Client.send "
     "httpx.Client.stream httpx2.Client.get httpx2.Client.post httpx2.Client.put "
     "httpx2.Client.patch httpx2.Client.delete httpx2.Client.head httpx2.Client.options "
     "httpx2.Client.request httpx2.Client.send httpx2.Client.stream"),
     "APL111", "thread", HTTPX_CLIENT),
    (("requests.Session.get requests.Session.post requests.Session.put requests.Session.patch "
     "requests.Session.delete requests.Session.head requests.Session.options "
     "requests.Session.request requests.Session.send requests.session.get requests.session.post "
     "requests.session.put requests.session.patch requests.session.delete requests.session.head "
     "requests.session.request requests.session.send"), "APL111", "thread", SESSION),
    # APL112 other sync SDKs whose every call does I/O
    (("boto3.client.* boto3.resource.* boto3.Session.client.* boto3.Session.resource.* "
     "boto3.session.Session.client.* boto3.session.Session.resource.* !get_paginator !get_waiter "
     "!can_paginate !Bucket !Object !Table !meta"), "APL112", "thread", BOTO3),
    (("git.Repo git.Repo.clone_from git.Repo.init git.Repo.* git.Git.* !bare !working_dir "
     "!working_tree_dir !git_dir"), "APL112", "thread", GIT, Cost.SUBPROCESS),
    (("paramiko.SSHClient.* paramiko.Transport.* paramiko.SFTPClient.* "
     "!set_missing_host_key_policy !get_transport"), "APL112", "thread", SSH),
    ("smtplib.SMTP smtplib.SMTP_SSL smtplib.SMTP.* smtplib.SMTP_SSL.* !set_debuglevel",
     "APL112", "thread", SMTP),
    ("ftplib.FTP ftplib.FTP_TLS ftplib.FTP.* ftplib.FTP_TLS.* !set_debuglevel !set_pasv",
     "APL112", "thread", FTP),
    ("docker.from_env docker.from_env.* docker.DockerClient.* docker.client.from_env.*",
     "APL112", "thread", DOCKER),
    # ---- recall on maintainers' fixes (issue 11): calls the catalogue did not know ----------
    # importing a module reads and compiles its files the first time (Home Assistant reports it)
    ("importlib.import_module", "APL104", "thread", IMPORTS),
    # pytz reads the zone file from disk on first use of each zone ("UTC" is built in)
    ("pytz.timezone", "APL104", "thread", PYTZ, "utc_zone"),
    # file log handlers open their file when constructed, unless ``delay=True``
    (("logging.FileHandler logging.handlers.RotatingFileHandler logging.handlers.TimedRotatingFileHandler "
      "logging.handlers.WatchedFileHandler"), "APL104", "thread", LOG_FILES, "delayed_open"),
    ("socket.socket.connect_ex", "APL108", "thread", SOCKETS, "nonblocking_sockets"),
    # Django ORM: ``Model.objects...`` chains, ``*_set`` related managers and model instances
    # are given these names by :mod:`._frameworks` (the project's model classes vary)
    (("django.db.models.QuerySet.get django.db.models.QuerySet.first django.db.models.QuerySet.last "
      "django.db.models.QuerySet.count django.db.models.QuerySet.exists django.db.models.QuerySet.create "
      "django.db.models.QuerySet.get_or_create django.db.models.QuerySet.update_or_create "
      "django.db.models.QuerySet.bulk_create django.db.models.QuerySet.bulk_update "
      "django.db.models.QuerySet.update django.db.models.QuerySet.delete "
      "django.db.models.QuerySet.aggregate django.db.models.QuerySet.earliest "
      "django.db.models.QuerySet.latest django.db.models.QuerySet.in_bulk "
      "django.db.models.QuerySet.contains django.db.models.QuerySet.explain "
      "django.db.models.QuerySet.__iter__ "  # a loop over a queryset in a sync helper (project model)
      "django.db.models.RelatedManager.exists django.db.models.RelatedManager.count "
      "django.db.models.RelatedManager.first django.db.models.RelatedManager.last "
      "django.db.models.RelatedManager.create django.db.models.RelatedManager.get_or_create "
      "django.db.models.RelatedManager.update_or_create django.db.models.RelatedManager.aggregate "
      "django.db.models.Model.save django.db.models.Model.delete "
      "django.db.models.Model.refresh_from_db "
      "django.shortcuts.get_object_or_404 django.shortcuts.get_list_or_404"),
     "APL107", "none", DJANGO),
    # a lazy queryset runs its query when the coroutine iterates it (``for``, ``list(...)``)
    (("django.db.models.QuerySet.all django.db.models.QuerySet.filter django.db.models.QuerySet.exclude "
      "django.db.models.QuerySet.order_by django.db.models.QuerySet.values "
      "django.db.models.QuerySet.values_list django.db.models.QuerySet.select_related "
      "django.db.models.QuerySet.prefetch_related django.db.models.QuerySet.annotate "
      "django.db.models.QuerySet.distinct django.db.models.QuerySet.iterator "
      "django.db.models.RelatedManager.all django.db.models.RelatedManager.filter"),
     "APL107", "none", DJANGO_ITERATION, "not_iterated_here"),
    ("firecrawl.FirecrawlApp.* firecrawl.firecrawl.FirecrawlApp.* firecrawl.Firecrawl.*",
     "APL112", "thread", FIRECRAWL),
    # LangChain: chat models built from a ``langchain*`` package and ``prompt | model | parser``
    # pipes are given these names by :mod:`._frameworks`
    (("langchain_core.language_models.BaseChatModel.invoke langchain_core.language_models.BaseChatModel.batch "
      "langchain_core.language_models.BaseChatModel.predict langchain_core.language_models.BaseChatModel.generate "
      "langchain_core.language_models.BaseChatModel.with_structured_output.invoke "
      "langchain_core.language_models.BaseChatModel.with_structured_output.batch "
      "langchain_core.language_models.BaseChatModel.bind_tools.invoke "
      "langchain_core.runnables.RunnableSequence.invoke langchain_core.runnables.RunnableSequence.batch"),
     "APL112", "thread", LANGCHAIN),
    (("langchain_core.language_models.BaseChatModel.stream langchain_core.runnables.RunnableSequence.stream"),
     "APL112", "none", LANGCHAIN_STREAM, "iterated_elsewhere"),
    # MLX inference on the local GPU: the whole generation, or one token per step of the generator
    ("mlx_lm.generate mlx_lm.utils.generate mlx_lm.generate.generate", "APL112", "thread", MLX, Cost.COMPUTE),
    (("mlx_lm.stream_generate mlx_lm.utils.stream_generate mlx_lm.generate.stream_generate "
      "mlx_lm.utils.generate_step mlx_lm.generate.generate_step"), "APL112", "none", MLX,
     "iterated_elsewhere", Cost.COMPUTE),
    # ---- sync network SDKs called in application coroutines (corpus survey) -----------------
    # WeCom/WeChat: every API method of the client posts to the WeChat API through `requests`
    # (the URL and signature builders do not, nor does reading the token store)
    (("wechatpy.enterprise.WeChatClient.* wechatpy.enterprise.client.WeChatClient.* "
      "wechatpy.work.WeChatClient.* wechatpy.work.client.WeChatClient.* "
      "!authorize_url !get_jsapi_signature !get_url !get_jssdk_url"), "APL112", "thread", WECHATPY),
    # Stripe resource class methods are one API request each; v8+ adds `*_async` twins
    (("stripe.Customer.create stripe.Customer.retrieve stripe.Customer.modify stripe.Customer.list "
      "stripe.Customer.delete stripe.Subscription.create stripe.Subscription.retrieve "
      "stripe.Subscription.modify stripe.Subscription.list stripe.Subscription.cancel"),
     "APL111", "thread", STRIPE),
    # Resend class methods are one API request each (through `requests` unless told otherwise)
    ("resend.Emails.send resend.Contacts.create", "APL111", "thread", RESEND),
    # `run` creates a prediction and polls it until the model finishes
    ("replicate.run replicate.Client.run", "APL111", "thread", REPLICATE),
    (("supabase.create_client.auth.get_user supabase.create_client.auth.sign_up "
      "supabase.create_client.auth.sign_in_with_password supabase.create_client.auth.refresh_session "
      "supabase.create_client.auth.sign_out supabase.create_client.auth.reset_password_for_email "
      "supabase.create_client.auth.update_user supabase.Client.auth.get_user "
      "supabase.Client.auth.sign_up supabase.Client.auth.sign_in_with_password "
      "supabase.Client.auth.refresh_session supabase.Client.auth.sign_out "
      "supabase.Client.auth.reset_password_for_email supabase.Client.auth.update_user"),
     "APL111", "thread", SUPABASE),
    # Azure SDK sync clients send a request per method call (`azure.storage.blob.aio` and
    # `azure.cosmos.aio` are the async twins); building a child client, closing, and the pagers
    # (requests go out as they are iterated) are not calls that wait
    (f"{_on(_AZURE_BLOB_CLIENTS, '.*')} !get_container_client !get_blob_client !close {_exempt(_AZURE_BLOB_PAGED)}",
     "APL111", "thread", AZURE_BLOB),
    (_paged(_AZURE_BLOB_CLIENTS, _AZURE_BLOB_PAGED), "APL111", "none", AZURE_BLOB, "iterated_elsewhere"),
    (f"{_on(_AZURE_COSMOS_CLIENTS, '.*')} !get_database_client !get_container_client {_exempt(_AZURE_COSMOS_PAGED)}",
     "APL111", "thread", AZURE_COSMOS),
    (_paged(_AZURE_COSMOS_CLIENTS, _AZURE_COSMOS_PAGED), "APL111", "none", AZURE_COSMOS, "iterated_elsewhere"),
)


class Row(NamedTuple):
    """One catalogue row read out: the optional ``unless`` and ``cost`` fields named."""

    calls: str
    code: str
    fix: str
    alternative: str
    unless: str | None
    cost: Cost | None  # None: :func:`._costs.cost_of` decides per call


def read_rows() -> list[Row]:
    """:data:`ROWS` with their optional fields sorted out (rules and the project model read them
    alike; the model cannot import the libcst side of the catalogue)."""
    rows = []
    for row in ROWS:
        calls, code, fix, alternative = (str(field) for field in row[:4])
        unless = next((str(field) for field in row[4:] if not isinstance(field, Cost)), None)
        stated = next((field for field in row[4:] if isinstance(field, Cost)), None)
        rows.append(Row(calls, code, fix, alternative, unless, stated))
    return rows
