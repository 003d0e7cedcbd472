"""Network side of a gateway: which of its ports answer."""

import socket


class GatewayNetwork:
    def __init__(self, host: str, options: dict) -> None:
        self.host = host
        self.options = options

    def check_port(self, port: int) -> bool:
        """Whether the gateway accepts TCP connections on this port."""
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            return probe.connect_ex((self.host, port)) == 0
        finally:
            probe.close()
