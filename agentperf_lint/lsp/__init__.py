"""``agentperf-lint server``: a Language Server Protocol server over stdio (the ``[lsp]`` extra).

Editors get the command line's diagnostics while typing, its fixes as code actions, "disable
for this line" actions and rule documentation on hover; see docs/editors.md. pygls is imported
only here, so the command line stays light without the extra.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

INSTALL_HINT = "pip install 'agentperf-lint[lsp]'"
EXIT_ERROR = 2
USAGE = """usage: agentperf-lint server

Language server over stdio (LSP): diagnostics while you type, quick fixes, "disable for this
line" actions and rule documentation on hover. Start it from your editor; see docs/editors.md.
To lint a directory named "server", write ./server."""


def main(argv: Sequence[str] = ()) -> int:
    """Run the server until the client says exit; 2 with a one-line error when it cannot."""
    args = list(argv)
    if args in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if args:
        print(f"agentperf-lint: error: server takes no arguments, got {' '.join(args)!r}; see docs/editors.md", file=sys.stderr)
        return EXIT_ERROR
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        print(f"agentperf-lint: error: the language server needs pygls: {INSTALL_HINT}", file=sys.stderr)
        return EXIT_ERROR
    from .server import serve

    serve()
    return 0
