"""Content moderation through a cloud censor service (its SDK is synchronous)."""

from aip import AipContentCensor


class TextCensor:
    def __init__(self, settings: dict) -> None:
        if not {"app_id", "api_key", "secret_key"} <= settings.keys():
            raise ValueError("censor settings are incomplete")
        self.client = AipContentCensor(str(settings["app_id"]), settings["api_key"], settings["secret_key"])

    def check(self, text: str) -> tuple[bool, str]:
        verdict = self.client.textCensorUserDefined(text)
        if verdict.get("conclusionType") == 1:
            return True, "ok"
        reasons = "; ".join(item["msg"] for item in verdict.get("data", []))
        return False, reasons or "unknown censor error"
