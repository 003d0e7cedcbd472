"""A command that suggests a random romance film."""

import os
import random
from urllib import parse

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
        async with self.bot.http_session.get(url) as reply:
            data = await reply.json()
        movie = random.choice(data["results"])
        await ctx.send(embed=discord.Embed(title=movie["title"], description=movie["overview"]))
