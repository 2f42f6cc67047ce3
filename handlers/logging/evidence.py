"""Evidence photos in the log flow, and ``/category photo CODE required|optional`` (admin).

A photo sent while logging (a Telegram photo, an image sent as a file, a Zalo image) is
downloaded once, re-encoded and stored (:mod:`storage.evidence`) before the summary is shown
again, so a file that is not an image, or is too large, is refused politely at once. The flow
remembers it as ``ev:<id>`` (its ``photo`` field), and Save gives it to the session.
"""

from __future__ import annotations

import logging

from bot.core.chat import IncomingFile
from handlers.kit.context import Ctx
from storage import evidence as files
from storage.repos import Repos
from storage.repos.evidence import PHOTO_REQUIRED

log = logging.getLogger(__name__)

PREFIX = "ev:"


async def keep_evidence(ctx: Ctx, file: IncomingFile) -> str | None:
    """The flow's reference to the stored copy, or None (the member was told why)."""
    member = ctx.caller.member
    if member is None:
        return None
    if file.mime_type and not file.mime_type.startswith("image/"):
        await ctx.reply(ctx.t("evidence.not_image"))
        return None
    if file.size is not None and file.size > files.MAX_INPUT_BYTES:
        await ctx.reply(ctx.t("evidence.too_large", mb=files.MAX_INPUT_BYTES // (1024 * 1024)))
        return None
    try:
        data = await ctx.channel.download(file)
    except Exception:  # the platform's file is gone or unreachable: the member may resend
        log.warning("could not download an evidence photo on %s", ctx.inc.channel,
                    exc_info=True)
        await ctx.reply(ctx.t("evidence.download_failed"))
        return None
    settings = ctx.services.settings
    try:
        stored = await files.store(settings.evidence_dir, data,
                                   keep_metadata=settings.evidence_keep_metadata)
    except files.NotAnImage:
        await ctx.reply(ctx.t("evidence.not_image"))
        return None
    async with ctx.services.db.write() as conn:
        evidence_id = await Repos(conn).evidence.add_pending(
            member_id=member.id, path=stored.name, size=stored.size,
            kept_metadata=settings.evidence_keep_metadata, now=ctx.now)
    return f"{PREFIX}{evidence_id}"


async def attach_evidence(repos: Repos, photo: str, *, member_id: int, session_id: int,
                          replaces: int | None) -> None:
    """Inside Save's transaction: the flow's stored photo becomes the session's evidence (a
    fixed session takes over the photo of the one it replaces)."""
    if photo.startswith(PREFIX) and photo[len(PREFIX):].isdigit():
        await repos.evidence.attach(int(photo[len(PREFIX):]), member_id=member_id,
                                    session_id=session_id, replaces=replaces)


async def photo_required(ctx: Ctx, category_id: int) -> bool:
    return await ctx.services.quick.evidence.category_photo(category_id) == PHOTO_REQUIRED
