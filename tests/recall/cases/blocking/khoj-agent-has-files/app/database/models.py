"""Django models of agents and their files."""

from django.db import models


class Agent(models.Model):
    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=200)


class FileObject(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, null=True)
    file_name = models.CharField(max_length=400)
