"""Django models of the chat model settings."""

from django.db import models


class ChatModelOptions(models.Model):
    name = models.CharField(max_length=200)
    vision_enabled = models.BooleanField(default=False)
