"""Network side of a gateway: which of its ports answer."""

import asyncio
import socket


def port_open(host: str, port: int) -> bool:
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        return probe.connect_ex((host, port)) == 0
    finally:
        probe.close()


class GatewayNetwork:
    def __init__(self, host: str, options: dict) -> None:
        self.host = host
        self.options = options

    async def check_port(self, port: int) -> bool:
        """Whether the gateway accepts TCP connections on this port (probed in the default executor)."""
        return await asyncio.get_running_loop().run_in_executor(None, port_open, self.host, port)
