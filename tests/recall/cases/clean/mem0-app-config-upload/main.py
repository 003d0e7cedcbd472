"""Deployment API: create an app from an uploaded YAML configuration."""

import aiofiles
import yaml
from fastapi import FastAPI, HTTPException, UploadFile

app = FastAPI()


@app.post("/create")
async def create_app_from_config(app_id: str, config: UploadFile | None = None) -> dict:
    if config is not None:
        contents = await config.read()
        try:
            yaml.safe_load(contents)
            path = f"configs/{app_id}.yaml"
            async with aiofiles.open(path, mode="w") as handle:
                await handle.write(str(contents, "utf-8"))
        except yaml.YAMLError as error:
            raise HTTPException(status_code=400, detail=f"Error parsing YAML: {error}") from error
    return {"app_id": app_id, "message": "created"}
