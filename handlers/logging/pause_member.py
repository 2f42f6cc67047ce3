"""A leader pauses a member on leave: ``/pause Mai 2w``, ``/pause Mai`` (then buttons),
``/resume Mai``.

A team leader may do it for their team, a commune coordinator for their commune (the rule is
:func:`bot.core.pause.may_pause_member`, checked again at every press). Each change is
audited, and the member is told on each of their chats, through the outbox (so a note
written at night waits for the morning like any other).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.callback_data import ID, Field, OfMember, OneOf, Press, Ref, Verb
from bot.core.chat import Button, OutMessage
from bot.core.pause import PauseInputError, may_pause_member, parse_pause
from bot.core.permissions import Action, Scope, highest_role
from bot.core.roles import Role
from handlers.kit.caller import grants_of
from handlers.kit.context import Ctx
from handlers.kit.outbox import OutboxMessage, enqueue
from handlers.kit.scope import scopes_for, team_scope
from storage.repos import Repos
from storage.repos.members import PersonRow

#: (days, label key) of the buttons offered, as for one's own pause.
CHOICES = ((7, "pause.one_week"), (14, "pause.two_weeks"), (30, "pause.one_month"))
_MEMBER = Field("member", ID, ref=Ref.MEMBER, needs=Action.PAUSE_MEMBER)


@dataclass(frozen=True)
class MemberForDays(OfMember):
    #: One of :data:`CHOICES`, as text (the verb offers no other).
    days: str


PICK = Verb("pz", "m", (_MEMBER,), shape=OfMember, requires=Action.PAUSE_MEMBER)
FOR_DAYS = Verb("pz", "md", (_MEMBER, Field("days", OneOf(tuple(str(d) for d, _ in CHOICES)))),
                shape=MemberForDays, requires=Action.PAUSE_MEMBER)
RESUME = Verb("pz", "mo", (_MEMBER,), shape=OfMember, requires=Action.PAUSE_MEMBER)
VERBS = (PICK, FOR_DAYS, RESUME)
#: How many words at the end of "/pause Nguyễn Thị Mai 2 tuần" may say how long.
_LENGTH_WORDS = (3, 2, 1)


def split_name_and_length(text: str, today: date) -> tuple[str, date | None]:
    """("Nguyễn Thị Mai", last day) from "Nguyễn Thị Mai 2 tuần"; no length: (text, None)."""
    words = text.split()
    for size in _LENGTH_WORDS:
        if len(words) <= size:
            continue
        try:
            return " ".join(words[:-size]), parse_pause(" ".join(words[-size:]), today)
        except PauseInputError:
            continue
    return text, None


async def pause_someone(ctx: Ctx, text: str, *, resume: bool = False) -> None:
    """``/pause <name> [length]`` or ``/resume <name>`` from someone who may pause others."""
    name, until = (text, None) if resume else split_name_and_length(text, ctx.today)
    found = await ctx.services.read.members.search(scopes_for(ctx, Action.PAUSE_MEMBER), name)
    found = [row for row in found if ctx.caller.member is None
             or row.member.id != ctx.caller.member.id]
    if not found:
        await ctx.reply(ctx.t("pause.member_not_found", text=name[:60]))
        return
    if len(found) > 1:
        verb = RESUME if resume else PICK
        await ctx.reply(ctx.t("pause.member_pick"), buttons=tuple(
            (Button(_label(row), verb.pack(row.member.id)),) for row in found))
        return
    target = found[0]
    if resume:
        await _resume(ctx, target)
    elif until is None:
        await _ask(ctx, target)
    else:
        await _pause(ctx, target, until)


async def pressed(ctx: Ctx, press: Press) -> None:
    """A press of one of :data:`VERBS`: a member picked, a length chosen, or resume."""
    target = await ctx.services.read.members.person(OfMember.of(press).member)
    if target is None:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    if press.verb is PICK:
        await _ask(ctx, target)
    elif press.verb is RESUME:
        await _resume(ctx, target)
    else:
        days = int(MemberForDays.of(press).days)
        await _pause(ctx, target, ctx.today + timedelta(days=days - 1))


def _label(row: PersonRow) -> str:
    return f"{row.member.full_name} – {row.team.name}" if row.team else row.member.full_name


async def _allowed(ctx: Ctx, target: PersonRow) -> bool:
    """The rule, checked at every step; a refusal says why."""
    member = ctx.caller.member
    team = target.team
    grants = await grants_of(ctx.services.read, target.member, team)
    role = highest_role(grants) or Role.MEMBER
    place: Scope | None = team_scope(team) if team is not None else None
    if member is not None and target.member.active and may_pause_member(
            ctx.caller.grants, member.id, target.member.id, place, role):
        return True
    await ctx.answer(ctx.t("pause.member_not_allowed", name=target.member.full_name))
    return False


async def _ask(ctx: Ctx, target: PersonRow) -> None:
    if not await _allowed(ctx, target):
        return
    today = ctx.today
    member_id = target.member.id
    current = (await ctx.services.read.pauses.current(today, [member_id])).get(member_id)
    buttons = [Button(ctx.t(key), FOR_DAYS.pack(member_id, str(days))) for days, key in CHOICES]
    name = target.member.full_name
    if current is not None:
        text = ctx.t("pause.member_paused_now", name=name,
                     until=ctx.services.t.date(ctx.lang, current))
        buttons.append(Button(ctx.t("pause.resume_button"), RESUME.pack(member_id)))
    else:
        text = ctx.t("pause.member_ask", name=name)
    await ctx.answer(text, buttons=tuple((b,) for b in buttons))


async def _pause(ctx: Ctx, target: PersonRow, until: date) -> None:
    if not await _allowed(ctx, target):
        return
    actor = ctx.caller.member
    assert actor is not None
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.pauses.set(target.member.id, until, ctx.now)
        await repos.audit.record(actor=actor.id, action="pause.member",
                                 target=target.member.full_name, now=ctx.now,
                                 member=target.member.id, until=until.isoformat())
    await _tell(ctx, target, "pause.told_paused", until)
    await ctx.answer(ctx.t("pause.member_done", name=target.member.full_name,
                           until=ctx.services.t.date(ctx.lang, until)))


async def _resume(ctx: Ctx, target: PersonRow) -> None:
    if not await _allowed(ctx, target):
        return
    actor = ctx.caller.member
    assert actor is not None
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        was = await repos.pauses.clear(target.member.id)
        if was:
            await repos.audit.record(actor=actor.id, action="pause.member_resume",
                                     target=target.member.full_name, now=ctx.now,
                                     member=target.member.id)
    if not was:
        await ctx.answer(ctx.t("pause.member_not_paused", name=target.member.full_name))
        return
    await _tell(ctx, target, "pause.told_resumed", None)
    await ctx.answer(ctx.t("pause.member_resumed", name=target.member.full_name))


async def _tell(ctx: Ctx, target: PersonRow, key: str, until: date | None) -> None:
    """The member hears it from the bot, in their language, on each chat they have."""
    actor = ctx.caller.member
    assert actor is not None
    services = ctx.services
    lang = target.member.language
    text = services.t(lang, key, by=actor.full_name,
                      until=services.t.date(lang, until) if until else "")
    stamp = ctx.now.strftime("%Y%m%d%H%M%S")
    items = [OutboxMessage(
        dedup_key=f"{key}:m{target.member.id}:{stamp}:{identity.channel}",
        channel=identity.channel, chat_id=identity.chat_id,
        message=OutMessage(text=text, lang=lang), kind="notice", member_id=target.member.id)
        for identity in await services.read.access.identities_of(target.member.id)]
    if items:
        await enqueue(services, items)
        if services.scheduling is not None:
            services.scheduling.wake_sender()
