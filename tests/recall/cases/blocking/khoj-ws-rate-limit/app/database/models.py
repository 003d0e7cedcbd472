"""Django models used by the rate limiter."""

from django.db import models


class UserRequest(models.Model):
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE)
    slug = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)
