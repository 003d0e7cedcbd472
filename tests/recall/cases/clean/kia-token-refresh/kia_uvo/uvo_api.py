"""Login to the car maker's cloud (blocking requests calls)."""

from dataclasses import dataclass

import requests


@dataclass
class Token:
    access_token: str
    valid_until: str


class UvoApi:
    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.password = password

    def login(self) -> Token:
        reply = requests.post("https://auth.example-cars.com/login",
                              json={"user": self.username, "password": self.password}, timeout=30)
        body = reply.json()
        return Token(body["access_token"], body["valid_until"])
