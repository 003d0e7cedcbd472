"""Writes finished research reports to disk."""

import urllib.parse
import uuid

import aiofiles


async def write_to_file(filename: str, text: str) -> None:
    cleaned = text.encode("utf-8", errors="replace").decode("utf-8")
    async with aiofiles.open(filename, "w", encoding="utf-8") as handle:
        await handle.write(cleaned)


async def write_md_to_pdf(text: str) -> str:
    path = f"outputs/{uuid.uuid4().hex}"
    await write_to_file(f"{path}.md", text)
    md_to_pdf(f"{path}.md", f"{path}.pdf")
    return urllib.parse.quote(f"{path}.pdf")


def md_to_pdf(source: str, target: str) -> None:
    """Placeholder for the PDF conversion step."""
