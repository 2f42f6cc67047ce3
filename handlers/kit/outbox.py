"""The outbox API: every scheduled or broadcast message is written here first, then sent.

    from handlers.kit.outbox import OutboxMessage, enqueue, batch_progress, cancel_batch

    inserted = await enqueue(services, [
        OutboxMessage(dedup_key=f"broadcast:{batch}:{member.id}:telegram", channel="telegram",
                      chat_id=chat_id, message=OutMessage(text=...), kind="broadcast",
                      member_id=member.id, batch_id=batch),
        ...
    ])
    await batch_progress(services, batch)   # {"pending": 3, "sending": 1, "sent": 40, ...}
    await cancel_batch(services, batch, actor=member_id)  # what has not gone yet is cancelled

Exactly once: the dedup key is UNIQUE and a repeated enqueue is ignored, so a job re-run after a
restart, or a double tap on "Send", never sends twice. Quiet hours: the sender sends nothing
while they last, judged by the quiet hours in force when it sends, never those of the time a
message was queued: after ``/schedule quiet`` turns them off or moves them, a digest queued the
evening before goes by the new ones. The message (text, buttons, one photo or document) is
stored whole, bytes included, so it survives a restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.chat import Button, OutFile, OutMessage
from bot.core.schedule import QuietHours
from handlers.kit.context import Services
from storage.repos import Repos
from storage.repos.outbox import Status


@dataclass(frozen=True)
class OutboxMessage:
    dedup_key: str          # e.g. "digest:commune:31441:2026-W47:m12:telegram"
    channel: str            # a key of services.channels: "telegram" | "zalo"
    chat_id: str
    message: OutMessage
    kind: str               # "digest" | "reminder" | "broadcast" | ...
    member_id: int | None = None
    batch_id: str | None = None
    not_before: datetime | None = None    # None: now (quiet hours hold it when sending)
    expires_at: datetime | None = None    # not sent by then: cancelled, never sent late


def encode(message: OutMessage) -> tuple[dict[str, Any], bytes | None]:
    """(JSON payload, attachment bytes) for the outbox row."""
    payload: dict[str, Any] = {"text": message.text}
    if message.lang is not None:
        payload["lang"] = message.lang  # the recipient's, as the text was rendered
    if message.buttons:
        payload["buttons"] = [[[b.label, b.data] for b in row] for row in message.buttons]
    file, kind = (message.photo, "photo") if message.photo else (message.document, "document")
    if file is None:
        return payload, None
    payload["file"] = {"kind": kind, "filename": file.filename, "mime_type": file.mime_type}
    return payload, file.content


def decode(payload: dict[str, Any], attachment: bytes | None) -> OutMessage:
    buttons = tuple(tuple(Button(label, data) for label, data in row)
                    for row in payload.get("buttons", []))
    file_info = payload.get("file")
    photo = document = None
    if file_info is not None:
        file = OutFile(file_info["filename"], attachment or b"", file_info["mime_type"])
        photo, document = (file, None) if file_info["kind"] == "photo" else (None, file)
    lang = payload.get("lang")
    return OutMessage(text=str(payload.get("text", "")), buttons=buttons, photo=photo,
                      document=document, lang=str(lang) if lang is not None else None)


def default_quiet(services: Services) -> QuietHours:
    return QuietHours.parse(services.settings.quiet_hours)


async def quiet_hours(services: Services) -> QuietHours:
    return (await services.read.schedules.current(default_quiet(services))).quiet


async def enqueue(services: Services, items: Sequence[OutboxMessage],
                  now: datetime | None = None) -> int:
    """Write messages to the outbox in one transaction; how many were new (not duplicates)."""
    now = now or services.clock()
    inserted = 0
    async with services.db.write() as conn:
        outbox = Repos(conn).outbox
        for item in items:
            due = item.not_before or now
            payload, attachment = encode(item.message)
            inserted += await outbox.add(
                dedup_key=item.dedup_key, channel=item.channel, chat_id=item.chat_id,
                member_id=item.member_id, kind=item.kind, batch_id=item.batch_id,
                payload=payload, attachment=attachment, not_before=due,
                expires_at=item.expires_at, now=now)
    return inserted


async def batch_progress(services: Services, batch_id: str) -> dict[Status, int]:
    """Counts by status (pending, sending, sent, failed, cancelled), zeros included."""
    return await services.read.outbox.batch_progress(batch_id)


async def cancel_batch(services: Services, batch_id: str, *, actor: int | None) -> int:
    """Cancel the batch's items not sent yet (audited); how many were cancelled.

    An item the sender is sending at this very moment still completes.
    """
    now = services.clock()
    async with services.db.write() as conn:
        repos = Repos(conn)
        cancelled = await repos.outbox.cancel_batch(batch_id, now)
        await repos.audit.record(actor=actor, action="outbox.cancel_batch", target=batch_id,
                                 now=now, cancelled=cancelled)
    return cancelled
