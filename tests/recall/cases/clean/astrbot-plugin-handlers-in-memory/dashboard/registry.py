"""The in-process registry of plugin handlers, filled when plugins load."""
from dataclasses import dataclass, field


@dataclass
class Handler:
    full_name: str
    name: str
    event_type: str
    desc: str = ""
    filters: list = field(default_factory=list)


handlers_by_name: dict[str, Handler] = {}
