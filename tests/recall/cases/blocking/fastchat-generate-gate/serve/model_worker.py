"""A worker that runs a local transformers model on the GPU."""

import torch

from .base_worker import BaseWorker


class ModelWorker(BaseWorker):
    def __init__(self, model_path: str, limit: int, model, tokenizer) -> None:
        super().__init__(model_path, limit)
        self.model = model
        self.tokenizer = tokenizer

    @torch.inference_mode()
    def generate_gate(self, params: dict) -> dict:
        inputs = self.tokenizer(params["prompt"], return_tensors="pt").to(self.model.device)
        tokens = self.model.generate(**inputs, max_new_tokens=int(params.get("max_new_tokens", 256)))
        return {"text": self.tokenizer.decode(tokens[0], skip_special_tokens=True), "error_code": 0}
