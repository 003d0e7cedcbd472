"""Helpers that ask the chat model."""
from openai import AsyncOpenAI

client = AsyncOpenAI()


async def send_message_to_model(prompt: str, system: str) -> str:
    response = await client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "system", "content": system}, {"role": "user", "content": prompt}]
    )
    return response.choices[0].message.content


async def extract_relevant_info(q: str, corpus: str) -> str | None:
    if not q or not corpus:
        return None
    answer = await send_message_to_model(f"Query: {q}\n\nPage:\n{corpus}", "Extract what answers the query.")
    return answer.strip()
