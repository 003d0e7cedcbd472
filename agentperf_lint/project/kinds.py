"""What kind of per-item call a project function is, for the APL2xx rules (``call_kind``)."""

from __future__ import annotations

from .model import Effect

_LLM_PACKAGES = ("openai.", "anthropic.", "litellm.", "google.genai.", "google.generativeai.", "cohere.",
                 "mistralai.", "groq.", "ollama.", "langchain", "llama_index.")


def project_call_kind(effect: Effect | None) -> str | None:
    """``"llm"`` when the function's chain ends in a model call, ``"sql"`` in a database
    call, else None (the rule then decides as for any other call)."""
    if effect is None:
        return None
    if effect.round_trip is not None:
        if effect.round_trip.kind == "llm":
            return "llm"
        if effect.round_trip.kind == "db":
            return "sql"
    if effect.blocking is not None:
        call = effect.blocking.call
        if call.call.startswith(_LLM_PACKAGES):
            return "llm"
        if call.code == "APL107":
            return "sql"
    return None
