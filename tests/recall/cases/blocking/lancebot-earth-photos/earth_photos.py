"""A command that posts a random photo of the Earth."""

import os

import discord
import requests
from discord.ext import commands

PHOTO_API_KEY = os.environ.get("PHOTO_API_KEY", "")


class EarthPhotos(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @commands.command(aliases=["earth"])
    async def earth_photos(self, ctx: commands.Context) -> None:
        reply = requests.get("https://api.unsplash.com/photos/random?query=earth&client_id=" + PHOTO_API_KEY)
        photo = reply.json()
        embed = discord.Embed(title="Earth Photo", color=0x66FF00)
        embed.set_image(url=photo["urls"]["regular"])
        embed.set_footer(text=f"Image by {photo['user']['name']} on Unsplash.")
        await ctx.send(embed=embed)
