"""GraphQL client of the energy supplier (aiohttp)."""

from datetime import datetime

import aiohttp
from zoneinfo import ZoneInfo

FORECAST_QUERY = "query { greenerNightsForecast { validFrom validTo greennessScore } }"


class EnergyApiClient:
    def __init__(self, base_url: str, token: str) -> None:
        self._base_url = base_url
        self._token = token

    async def greener_nights(self, session: aiohttp.ClientSession) -> list[dict]:
        headers = {"Authorization": f"JWT {self._token}"}
        async with session.post(f"{self._base_url}/v1/graphql/", json={"query": FORECAST_QUERY}, headers=headers) as reply:
            body = await reply.json()
        london = ZoneInfo("Europe/London")
        return [
            {
                "start": datetime.fromisoformat(item["validFrom"]).astimezone(london),
                "end": datetime.fromisoformat(item["validTo"]).astimezone(london),
                "score": item["greennessScore"],
            }
            for item in body.get("data", {}).get("greenerNightsForecast", [])
        ]
