"""Django models of the service."""

from django.db import models


class Subscription(models.Model):
    class Kind(models.TextChoices):
        TRIAL = "trial"
        STANDARD = "standard"

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRIAL)
    recurring = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    renews_at = models.DateTimeField(null=True)
