"""Evidence photos on disk: re-encoded, size-limited JPEG copies in the evidence folder.

A photo a member sends is decoded and encoded again as a JPEG (Pillow): whatever the phone put
in the file — GPS position, device make and serial, thumbnails, anything that is not the
picture — is left behind unless the province keeps it (EVIDENCE_KEEP_METADATA). Re-encoding is
also the check that it is an image at all, and the resize to at most ``MAX_SIDE`` pixels keeps
each copy at a few hundred kilobytes. Files are readable by the bot's user only.
"""

from __future__ import annotations

import asyncio
import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

#: A received file larger than this is refused before decoding (Telegram's own download cap).
MAX_INPUT_BYTES = 20 * 1024 * 1024
#: Longest side of the stored copy: enough to read a banner or a form, small on disk.
MAX_SIDE = 1600
#: Refuse decompression bombs: a 20 MB file can claim billions of pixels.
MAX_PIXELS = 50_000_000
QUALITY = 80


class NotAnImage(ValueError):
    """The file is not a picture we can read (or is too large)."""


@dataclass(frozen=True)
class StoredEvidence:
    name: str
    size: int


def reencode(data: bytes, *, keep_metadata: bool = False) -> bytes:
    """The picture as a JPEG of at most ``MAX_SIDE`` pixels, metadata dropped unless kept."""
    if len(data) > MAX_INPUT_BYTES:
        raise NotAnImage("too large")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise NotAnImage("too many pixels")
            exif = image.info.get("exif") if keep_metadata else None
            upright = ImageOps.exif_transpose(image)   # turned as the phone showed it
            picture = upright.convert("RGB")
            picture.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            if exif:
                picture.save(out, "JPEG", quality=QUALITY, optimize=True, exif=exif)
            else:
                picture.save(out, "JPEG", quality=QUALITY, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as error:
        raise NotAnImage(str(error)) from None


def _write(folder: Path, content: bytes) -> StoredEvidence:
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + ".jpg"
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    return StoredEvidence(name, len(content))


async def store(folder: Path, data: bytes, *, keep_metadata: bool) -> StoredEvidence:
    """Re-encode and write a photo (in a thread: decoding takes tens of milliseconds)."""
    def work() -> StoredEvidence:
        return _write(folder, reencode(data, keep_metadata=keep_metadata))
    return await asyncio.to_thread(work)


def read(folder: Path, name: str) -> bytes | None:
    path = folder / name
    return path.read_bytes() if path.is_file() else None


async def delete(folder: Path, names: list[str]) -> None:
    def work() -> None:
        for name in names:
            (folder / name).unlink(missing_ok=True)
    await asyncio.to_thread(work)


async def forget(evidence_dir: Path, files_dir: Path, names: list[str],
                 link_copies: list[str]) -> None:
    """Delete erased evidence files and the copies behind their export links (after the
    erasing transaction committed: their rows are gone, so nothing serves them meanwhile)."""
    await delete(evidence_dir, names)
    await delete(files_dir, link_copies)
