"""A command that suggests a random romance film."""

import json
import os
import random
from urllib import parse, request

import discord
from discord.ext import commands

MOVIE_API_KEY = os.environ.get("MOVIE_API_KEY", "")


class RomanceMovieFinder(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @commands.command(name="romancemovie")
    async def romance_movie(self, ctx: commands.Context) -> None:
        params = {"api_key": MOVIE_API_KEY, "sort_by": "popularity.desc", "page": random.randint(1, 20),
                  "with_genres": "10749"}
        url = "https://api.themoviedb.org/3/discover/movie?" + parse.urlencode(params)
        with request.urlopen(url) as reply:
            data = json.loads(reply.read().decode())
        movie = random.choice(data["results"])
        await ctx.send(embed=discord.Embed(title=movie["title"], description=movie["overview"]))
