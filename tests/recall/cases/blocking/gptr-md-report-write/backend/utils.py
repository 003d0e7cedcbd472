"""Writes finished research reports to disk."""

import urllib.parse
import uuid


def write_to_file(filename: str, text: str) -> None:
    with open(filename, "w") as handle:
        handle.write(text)


async def write_md_to_pdf(text: str) -> str:
    path = f"outputs/{uuid.uuid4().hex}"
    write_to_file(f"{path}.md", text)
    md_to_pdf(f"{path}.md", f"{path}.pdf")
    return urllib.parse.quote(f"{path}.pdf")


def md_to_pdf(source: str, target: str) -> None:
    """Placeholder for the PDF conversion step."""
