"""Effects through chains: the costliest blocking call, round trips, in-process proofs, cycles."""

from __future__ import annotations

from agentperf_lint.rules._costs import Cost

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
