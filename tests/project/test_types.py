"""Types across modules: annotations, properties, ``__init__`` attributes, re-exports,
inheritance, cycles; unknown names stay unknown."""

from __future__ import annotations

PACKAGE = {
    "pkg/__init__.py": "from .store import LocalFileStore as LocalFileStore\n",
    "pkg/config.py": """
        from __future__ import annotations
        from pathlib import Path
        from typing import TYPE_CHECKING, Optional
        if TYPE_CHECKING:
            from .store import LocalFileStore

        class SysConfig:
            backup_dir: Optional[Path]
            store: "LocalFileStore"

            @property
            def path_backup(self) -> Path:
                return Path("/backup")

            def make_store(self) -> LocalFileStore | None:
                ...
    """,
    "pkg/store.py": """
        import shutil
        from dataclasses import dataclass, field

        class Base:
            def __init__(self, root):
                self.items = {}
                self.client = make_client()

        def make_client() -> "Client":
            return Client()

        class Client:
            pass

        class LocalFileStore(Base):
            def write(self, path):
                shutil.rmtree(path)

        @dataclass
        class Settings:
            retries: int = 3
            tags: list = field(default_factory=list)
    """,
    "pkg/app.py": """
        from pkg import LocalFileStore
        from .config import SysConfig
        from . import config as cfgmod

        STORE = LocalFileStore("x")

        class App:
            def __init__(self, sys_config: SysConfig, other):
                self.sys_config = sys_config
                self.file_store = LocalFileStore("/data")
                self.mystery = other
                self.made = sys_config.make_store()
    """,
    "pkg/cycle_a.py": "from .cycle_b import B\nclass A(B):\n    pass\n",
    "pkg/cycle_b.py": "from .cycle_a import A\nclass B(A):\n    pass\n",
}


def test_annotations_properties_and_init_attributes(model_of):
    model = model_of(PACKAGE)
    assert model.attribute_type("pkg.app.App", "sys_config") == "pkg.config.SysConfig"
    assert model.attribute_type("pkg.config.SysConfig", "path_backup") == "pathlib.Path"  # property
    assert model.attribute_type("pkg.config.SysConfig", "backup_dir") == "pathlib.Path"  # Optional[Path]
    assert model.attribute_type("pkg.config.SysConfig", "store") == "pkg.store.LocalFileStore"  # quoted, TYPE_CHECKING
    assert model.attribute_type("pkg.app.App", "file_store") == "pkg.store.LocalFileStore"  # via re-export
    assert model.attribute_type("pkg.app.App", "made") == "pkg.store.LocalFileStore"  # factory's `X | None`
    assert model.attribute_type("pkg.store.Settings", "retries") == "builtins.int"  # dataclass field


def test_inheritance_and_factories(model_of):
    model = model_of(PACKAGE)
    assert model.attribute_type("pkg.store.LocalFileStore", "items") == "builtins.dict"
    assert model.attribute_type("pkg.store.LocalFileStore", "client") == "pkg.store.Client"
    assert model.canonical_function("pkg.LocalFileStore.write") == "pkg.store.LocalFileStore.write"
    assert model.canonical_function("pkg.store.LocalFileStore") == "pkg.store.Base.__init__"
    assert model.return_type("pkg.store.make_client") == "pkg.store.Client"


def test_module_level_instances_and_module_aliases(model_of):
    model = model_of(PACKAGE)
    assert model.type_name(model.lookup("pkg.app.STORE")) == "pkg.store.LocalFileStore"
    assert model.lookup("pkg.app.cfgmod.SysConfig").name == "pkg.config.SysConfig"


def test_unknown_stays_unknown(model_of):
    model = model_of(PACKAGE)
    assert model.attribute_type("pkg.app.App", "mystery") is None  # an unannotated parameter
    assert model.attribute_type("pkg.app.App", "nothing") is None
    assert model.attribute_type("pkg.store.Client", "session") is None
    assert model.canonical_function("pkg.store.Client.fetch") is None


def test_inheritance_cycles_end(model_of):
    model = model_of(PACKAGE)
    assert model.mro("pkg.cycle_a.A") == ["pkg.cycle_a.A", "pkg.cycle_b.B"]
    assert model.attribute_type("pkg.cycle_a.A", "missing") is None


def test_only_reached_modules_are_parsed(model_of):
    model = model_of(PACKAGE)
    model.attribute_type("pkg.config.SysConfig", "path_backup")
    assert model.parsed == {"pkg.config"}
