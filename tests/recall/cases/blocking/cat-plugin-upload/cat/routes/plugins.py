"""HTTP endpoints that install plugins."""

from fastapi import APIRouter, Body, HTTPException, UploadFile

from cat.mad_hatter.registry import download_plugin

router = APIRouter()


@router.post("/upload")
async def install_uploaded(file: UploadFile, app) -> dict:
    archive = f"/tmp/{file.filename}"
    with open(archive, "wb+") as handle:
        handle.write(file.file.read())
    app.plugins.install(archive)
    return {"filename": file.filename, "info": "installing"}


@router.post("/upload/registry")
async def install_from_registry(app, payload: dict = Body(...)) -> dict:
    try:
        archive = download_plugin(payload["url"])
        app.plugins.install(archive)
    except Exception as error:
        raise HTTPException(status_code=500, detail="could not download the plugin") from error
    return {"url": payload["url"], "info": "installing"}
