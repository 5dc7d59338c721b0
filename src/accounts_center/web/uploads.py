"""Reading an uploaded image (a profile photo, a creation): at most the media store's
upload limit plus one byte is read, so a larger file is refused without being held whole.
The console and the app API answer the refusals in their own ways."""

from __future__ import annotations

from fastapi import UploadFile

from accounts_center.domain.errors import ImageTooLarge, InvalidInput


class NoFileChosen(InvalidInput):
    code = "no-file"
    title = "No file chosen"


async def read_upload(upload: UploadFile | None, limit: int, field: str,
                      missing: InvalidInput | None = None) -> bytes:
    """The upload's bytes; ``missing`` (by default `NoFileChosen`, naming ``field``) when
    there are none, `ImageTooLarge` when there are more than ``limit``."""
    data = await upload.read(limit + 1) if upload is not None else b""
    if upload is not None:
        await upload.close()
    if not data:
        raise missing or NoFileChosen("Choose an image file to upload.", field=field)
    if len(data) > limit:
        refused = ImageTooLarge(limit)
        refused.field = field
        raise refused
    return data
