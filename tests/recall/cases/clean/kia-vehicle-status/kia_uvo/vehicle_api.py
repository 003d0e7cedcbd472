"""The car maker's cloud API (blocking requests calls)."""

import requests

BASE = "https://prd.example-cars.com/api/v1"


class VehicleApi:
    def get_cached_status(self, token) -> dict:
        reply = requests.get(f"{BASE}/spa/vehicles/{token.vehicle_id}/status/latest",
                             headers={"Authorization": token.access_token}, timeout=30)
        return reply.json()["resMsg"]

    def request_fresh_status(self, token) -> None:
        requests.get(f"{BASE}/spa/vehicles/{token.vehicle_id}/status",
                     headers={"Authorization": token.access_token}, timeout=60)
