"""Request limits per user, stored in the database."""

from datetime import timedelta

from django.utils import timezone
from fastapi import HTTPException, WebSocket

from app.database.models import UserRequest


class UserRateLimiter:
    def __init__(self, requests: int, window: int, slug: str) -> None:
        self.requests = requests
        self.window = window
        self.slug = slug

    def check_websocket(self, websocket: WebSocket) -> None:
        user = websocket.scope.get("user")
        if not user or not user.is_authenticated:
            return
        cutoff = timezone.now() - timedelta(seconds=self.window)
        used = UserRequest.objects.filter(user=user.object, created_at__gte=cutoff, slug=self.slug).count()
        if used >= self.requests:
            raise HTTPException(status_code=429, detail="Too many requests, try again later.")
        UserRequest.objects.create(user=user.object, slug=self.slug)
