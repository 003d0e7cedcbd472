"""Rules consulting the project model, through the runner (cold and warm)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from .conftest import found

BLOCKING = {
    "svc/__init__.py": "from .store import LocalFileStore\n",
    "svc/config.py": """
        from pathlib import Path

        class SysConfig:
            @property
            def path_backup(self) -> Path:
                return Path("/backup")
    """,
    "svc/store.py": """
        import os
        import shutil

        class LocalFileStore:
            def write(self, path):
                if os.path.exists(path):
                    shutil.rmtree(path)
    """,
    "svc/app.py": """
        from . import LocalFileStore
        from .config import SysConfig

        class Backups:
            def __init__(self, sys_config: SysConfig):
                self.sys_config = sys_config
                self.file_store = LocalFileStore()

            async def run(self):
                if self.sys_config.path_backup.exists():
                    self.file_store.write("x")
    """,
}


def test_typed_receivers_across_modules(lint):
    result = lint(BLOCKING, ["APL1"])
    assert found(result) == [("svc/app.py", 10, "APL115"), ("svc/app.py", 11, "APL114")]
    chain = result.findings[1].message
    assert "LocalFileStore.write() -> shutil.rmtree()" in chain  # the costliest, not os.path.exists


LOOPS = {
    "agent/__init__.py": "",
    "agent/llm.py": """
        import httpx

        class Model:
            def __init__(self):
                self.http = httpx.AsyncClient()

            async def complete(self, prompt):
                return await self.http.post("/v1", json={"p": prompt})
    """,
    "agent/graph.py": """
        class Graph:
            def __init__(self):
                self.nodes = {}

            async def get_node(self, key):
                return self.nodes.get(key)
    """,
    "agent/steps.py": """
        from .graph import Graph
        from .llm import Model

        async def extract_edge_dates(llm: Model, edge):
            return await llm.complete(str(edge))

        async def dates(llm: Model, edges):
            out = []
            for edge in edges:
                out.append(await extract_edge_dates(llm, edge))
            return out

        async def nodes(graph: Graph, keys):
            out = []
            for key in keys:
                out.append(await graph.get_node(key))
            return out
    """,
}


def test_round_trips_decided_by_effects(lint):
    result = lint(LOOPS, ["APL201"])
    # extract_edge_dates calls the model down its chain; Graph.get_node is proven in-process
    assert found(result) == [("agent/steps.py", 10, "APL201")]


def test_editing_a_helper_module_changes_its_callers_findings_on_a_warm_run(lint, tmp_path: Path):
    files = dict(BLOCKING)
    assert ("svc/app.py", 11, "APL114") in found(lint(files, ["APL114"], use_cache=True))
    assert ("svc/app.py", 11, "APL114") in found(lint(files, ["APL114"], use_cache=True))  # warm
    files["svc/store.py"] = """
        class LocalFileStore:
            def write(self, path):
                return path
    """
    assert found(lint(files, ["APL114"], use_cache=True)) == []
    files["svc/store.py"] = textwrap.dedent(BLOCKING["svc/store.py"])
    assert ("svc/app.py", 11, "APL114") in found(lint(files, ["APL114"], use_cache=True))
