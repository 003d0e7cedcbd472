"""Effects through chains: the costliest blocking call, round trips, in-process proofs, cycles."""

from __future__ import annotations

from agentperf_lint.rules._costs import Cost

from .conftest import found

PACKAGE = {
    "app/__init__.py": "",
    "app/venv.py": """
        import os, shutil

        def _cleanup_venv(path):
            if os.path.exists(path):
                shutil.rmtree(path)
    """,
    "app/llm.py": """
        import httpx

        class Model:
            def __init__(self):
                self.http = httpx.AsyncClient()

            async def complete(self, prompt):
                response = await self.http.post("/v1", json={"p": prompt})
                return response.json()
    """,
    "app/graph.py": """
        class Graph:
            def __init__(self):
                self.nodes = {}

            async def select(self, key):
                return self.nodes.get(key)

            async def lookup(self, key, other):
                await self.select(key)
                return await other.fetch(key)
    """,
    "app/edges.py": """
        from .llm import Model

        async def extract_edge_dates(llm: Model, edge):
            return await _ask(llm, edge)

        async def _ask(llm: Model, edge):
            return await llm.complete(str(edge))

        def ping(n):
            return pong(n)

        def pong(n):
            return ping(n)
    """,
}


def test_costliest_blocking_call_of_a_chain_is_named(model_of):
    effect = model_of(PACKAGE).effect("app.venv._cleanup_venv")
    assert effect.blocking.call.call == "shutil.rmtree()"
    assert effect.blocking.call.cost == Cost.DIRECTORY_TREE


def test_round_trip_through_a_chain_of_project_coroutines(model_of):
    effect = model_of(PACKAGE).effect("app.edges.extract_edge_dates")
    assert effect.round_trip is not None
    assert effect.round_trip.kind == "http"
    assert effect.round_trip.chain == ("_ask()", "Model.complete()", "httpx.AsyncClient.post()")
    assert effect.does_io and not effect.in_process


def test_in_memory_coroutine_is_proven_in_process(model_of):
    model = model_of(PACKAGE)
    assert model.effect("app.graph.Graph.select").in_process
    lookup = model.effect("app.graph.Graph.lookup")  # awaits an unannotated parameter's method
    assert lookup.unknown and not lookup.in_process


def test_cycles_reach_a_fixpoint(model_of):
    effect = model_of(PACKAGE).effect("app.edges.ping")
    assert effect.in_process


def test_not_a_project_function(model_of):
    assert model_of(PACKAGE).effect("httpx.get") is None


def test_a_method_inherited_from_a_third_party_base_is_looked_up_in_the_catalogue(model_of) -> None:
    model = model_of({
        "shop/__init__.py": "",
        "shop/models.py": """
            from django.db import models

            class Order(models.Model):
                def total(self):
                    return 1
        """,
        "shop/billing.py": """
            from .models import Order

            def close(order: Order):
                order.total()
                order.save()

            def tally(order: Order):
                return order.total()
        """,
    })
    closing = model.effect("shop.billing.close")
    assert closing is not None and closing.blocking is not None
    assert closing.blocking.chain == ("django.db.models.Model.save()",)
    assert closing.blocking.call.cost is Cost.DATABASE
    tallying = model.effect("shop.billing.tally")
    assert tallying is not None and tallying.blocking is None  # the project's own method wins


def test_a_django_default_manager_query_blocks_and_a_returned_lazy_queryset_does_not(model_of) -> None:
    model = model_of({
        "shop/__init__.py": "",
        "shop/models.py": """
            from django.db import models

            class Order(models.Model):
                pass
        """,
        "shop/queries.py": """
            from .models import Order

            def open_orders():
                return Order.objects.filter(done=False).order_by("id")

            def open_count():
                return Order.objects.filter(done=False).count()
        """,
    })
    counting = model.effect("shop.queries.open_count")
    assert counting is not None and counting.blocking is not None
    assert counting.blocking.chain == ("django.db.models.QuerySet.count()",)
    building = model.effect("shop.queries.open_orders")
    assert building is not None and building.blocking is None  # evaluated by whoever iterates it


def test_a_sync_function_that_only_creates_a_coroutine_does_not_run_its_body(model_of) -> None:
    model = model_of({
        "svc/__init__.py": "",
        "svc/jobs.py": """
            import asyncio
            import time

            async def refresh():
                time.sleep(1)

            def schedule():
                return asyncio.ensure_future(refresh())

            async def run():
                await refresh()
        """,
    })
    scheduling = model.effect("svc.jobs.schedule")
    assert scheduling is not None and scheduling.blocking is None
    running = model.effect("svc.jobs.run")
    assert running is not None and running.blocking is not None  # awaiting it runs the body here


def test_a_call_that_fills_a_cache_it_found_missing_runs_once_per_key(model_of) -> None:
    model = model_of({
        "svc/__init__.py": "",
        "svc/config.py": """
            import json

            class Store:
                def __init__(self):
                    self._configs = {}
                    self._client = None

                def config(self, name):
                    if name not in self._configs:
                        self._configs[name] = json.load(open(name))
                    return self._configs[name]

                def client(self):
                    if self._client is None:
                        self._client = open("token").read()
                    return self._client

                def fresh(self, name):
                    if name not in self._configs:
                        return json.load(open(name))
                    return self._configs[name]
        """,
    })
    assert model.effect("svc.config.Store.config").blocking is None  # type: ignore[union-attr]
    assert model.effect("svc.config.Store.client").blocking is None  # type: ignore[union-attr]
    fresh = model.effect("svc.config.Store.fresh")
    assert fresh is not None and fresh.blocking is not None  # the miss is not stored: every call reads


def test_a_lookup_then_fill_of_a_shared_cache_runs_once_per_key_but_completing_a_parameter_does_not(model_of) -> None:
    model = model_of({
        "svc/__init__.py": "",
        "svc/profiles.py": """
            _PROFILES = {}

            def profile(name):
                found = _PROFILES.get(name)
                if found is None:
                    found = _PROFILES[name] = open(name).read()
                return found

            def complete(order):
                if order.note is None:
                    order.note = open("default-note").read()
                return order
        """,
    })
    assert model.effect("svc.profiles.profile").blocking is None  # type: ignore[union-attr]
    completing = model.effect("svc.profiles.complete")
    assert completing is not None and completing.blocking is not None  # every order passed in may need it


def test_a_singleton_made_after_an_early_return_of_the_made_one_runs_once(model_of) -> None:
    model = model_of({
        "svc/__init__.py": "",
        "svc/telemetry.py": """
            import threading

            _instance = None
            _lock = threading.Lock()
            _full = False

            class Telemetry:
                def __init__(self):
                    self.user = open("user-id").read()

            def telemetry():
                global _instance
                if _instance is not None:
                    return _instance
                with _lock:
                    if _instance is not None:
                        return _instance
                    _instance = Telemetry()
                    return _instance

            def at_capacity():
                global _full
                if _full:
                    return True
                entries = open("usage").read()
                if len(entries) > 10:
                    _full = True
                return False
        """,
    })
    assert model.effect("svc.telemetry.telemetry").blocking is None  # type: ignore[union-attr]
    checking = model.effect("svc.telemetry.at_capacity")
    assert checking is not None and checking.blocking is not None  # the flag is set only sometimes: reads each call


FILLS = {
    "svc/__init__.py": "",
    "svc/helpers.py": """
        def server_id():
            return open("server-id").read()

        def log_event(kind, properties: dict = None):
            if properties.get("server_id") is None:
                properties["server_id"] = server_id()
            return properties

        def options(path, defaults=None):
            if defaults is None:
                defaults = server_id()
            return path, defaults
    """,
    "svc/app.py": """
        from .helpers import log_event, options

        def track(user):
            state = {"server_id": user.uuid, "client": "web"}
            return log_event("api", properties=state)

        def track_anonymous():
            return log_event("api", properties={"client": "web"})

        async def handler(user):
            track(user)
            track_anonymous()
            options("a", {"x": 1})
            options("a", defaults=None)
            options("a")
    """,
}


def test_a_default_fill_of_an_optional_parameter_blocks_only_callers_that_leave_it_out(model_of) -> None:
    model = model_of(FILLS)
    assert model.effect("svc.app.track").blocking is None  # type: ignore[union-attr]  # passes the key
    anonymous = model.effect("svc.app.track_anonymous")
    assert anonymous is not None and anonymous.blocking is not None  # the dict it passes lacks the key
    filling = model.effect("svc.helpers.options")
    assert filling is not None and filling.blocking is not None and filling.unguarded is None
    assert set(filling.guarded) == {("defaults", "", "omitted")}


def test_a_chain_through_a_default_fill_is_reported_where_the_call_leaves_the_parameter_out(lint) -> None:
    assert found(lint(FILLS, ["APL114"])) == [
        ("svc/app.py", 12, "APL114"), ("svc/app.py", 14, "APL114"), ("svc/app.py", 15, "APL114")]


def test_reading_the_files_the_package_ships_is_not_blocking_but_user_files_are(model_of) -> None:
    model = model_of({
        "svc/__init__.py": "",
        "svc/prompts.py": """
            import os
            from pathlib import Path

            HERE = Path(__file__).parent
            PROMPTS = HERE / "prompts"

            def names():
                current_dir = os.path.dirname(os.path.abspath(__file__))
                return os.listdir(current_dir)

            class Service:
                PROMPTS_DIR = Path(os.path.dirname(os.path.abspath(__file__))) / "prompts"

                @classmethod
                def prompt(cls, name):
                    path = os.path.join(cls.PROMPTS_DIR, name + ".txt")
                    with open(path) as f:
                        return f.read()

            def template(name):
                return (PROMPTS / name).read_text()

            def user_file(name):
                return open(name).read()

            def shipped_tool():
                import subprocess
                return subprocess.run([str(HERE / "tool")])
        """,
    })
    for name in ("names", "Service.prompt", "template"):
        assert model.effect(f"svc.prompts.{name}").blocking is None, name  # type: ignore[union-attr]
    for name in ("user_file", "shipped_tool"):  # the user's data; running a shipped program is no small read
        effect = model.effect(f"svc.prompts.{name}")
        assert effect is not None and effect.blocking is not None, name


def test_a_path_built_from_file_in_the_call_itself_is_a_shipped_file(model_of) -> None:
    model = model_of({"svc/__init__.py": "", "svc/page.py": """
        import os

        def index():
            with open(os.path.join(os.path.dirname(__file__), "index.html")) as f:
                return f.read()
    """})
    assert model.effect("svc.page.index").blocking is None  # type: ignore[union-attr]


def test_an_empty_value_passed_for_an_optional_parameter_is_filled_all_the_same(lint) -> None:
    files = {
        "svc/__init__.py": "",
        "svc/load.py": """
            def load(names=None):
                if not names:
                    names = open("names.txt").read().split()
                return names

            async def handler():
                load([])
                load(["a"])
                load(names="")
        """,
    }
    assert found(lint(files, ["APL114"])) == [("svc/load.py", 7, "APL114"), ("svc/load.py", 9, "APL114")]


def test_a_branch_taken_only_when_an_optional_parameter_is_passed_blocks_only_callers_that_pass_it(lint) -> None:
    files = {
        "svc/__init__.py": "",
        "svc/sniff.py": """
            def delimiter(path=None, file=None):
                if file:
                    data = file.read()
                elif path is not None:
                    with open(path) as f:
                        data = f.read()
                return data

            def delimiter_with_default(path=None):
                path = path or "default.csv"
                if path:
                    return open(path).read()

            async def handler(buffer, options):
                delimiter(file=buffer)
                delimiter(path="a.csv")
                delimiter(**options)
                delimiter_with_default()
        """,
    }
    assert found(lint(files, ["APL114"])) == [
        ("svc/sniff.py", 16, "APL114"), ("svc/sniff.py", 17, "APL114"), ("svc/sniff.py", 18, "APL114")]


def test_a_re_entrancy_flag_cleared_after_the_work_does_not_make_it_run_once(model_of) -> None:
    model = model_of({"svc/__init__.py": "", "svc/sync.py": """
        class Syncer:
            def __init__(self):
                self.busy = False

            def sync(self):
                if self.busy:
                    return
                self.busy = True
                data = open("state").read()
                self.busy = False
                return data
    """})
    effect = model.effect("svc.sync.Syncer.sync")
    assert effect is not None and effect.blocking is not None
