"""``agentperf_lint.runtime`` is imported by production code: it must stay light.

Checked in a fresh interpreter, since the test session itself has imported libcst long ago.
"""

from __future__ import annotations

import subprocess
import sys

from agentperf_lint import runtime

PROBE = """
import sys, importlib
from agentperf_lint import runtime
light = sorted(m for m in ("libcst", "aiohttp", "psutil", "pympler") if m in sys.modules)
for name in runtime.__all__:
    getattr(runtime, name)
print(",".join(light) or "-")
print("libcst" in sys.modules)
"""


def test_runtime_import_is_light_and_never_pulls_in_libcst() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    light, libcst_loaded = result.stdout.split()
    assert light == "-", f"importing agentperf_lint.runtime imported {light}"
    assert libcst_loaded == "False", "some runtime helper imports libcst"


def test_every_exported_name_resolves() -> None:
    for name in runtime.__all__:
        assert getattr(runtime, name) is not None, name
    assert set(runtime.__all__) == set(dir(runtime))
