"""``python -m agentperf_lint``: the same as the ``agentperf-lint`` command."""

import sys

from .cli import main

sys.exit(main())
