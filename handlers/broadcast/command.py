"""/broadcast: an announcement to everyone, a commune, a team or a role — through the outbox.

Pick the audience with buttons (only places within the caller's own area are offered, and each
step re-checks the permission table), type the text, see a preview with the number of people,
Confirm. Messages go through the outbox (deduplicated, rate-limited, quiet hours respected); a
progress message is edited live ("1.200/3.740 đã gửi") with a Stop button, and a delivery report
(sent, blocked the bot, failed, stopped, unreachable) follows at the end.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, replace

from bot.core.callback_data import (
    COMMUNE_CODE,
    FLOW_ID,
    ID,
    Field,
    OfCommune,
    OfFlow,
    OfTeam,
    OneOf,
    Pattern,
    Press,
    Ref,
    Values,
    Verb,
)
from bot.core.chat import Button, OutMessage
from bot.core.flows import BroadcastFlow, BroadcastStep
from bot.core.flows.broadcast import Audience, ToCommune, ToProvince, ToRole, ToTeam
from bot.core.permissions import PERMISSIONS, Action, Scope
from bot.core.roles import Role
from handlers.kit.commune_picker import AT_ONCE, pick_commune
from handlers.kit.context import Ctx, Services
from handlers.kit.flow_store import save_flow
from handlers.kit.outbox import OutboxMessage, batch_progress, cancel_batch, enqueue, quiet_hours
from handlers.kit.refusals import audit_refusal
from handlers.kit.routing import ButtonRoute, Command, Feature, press_of
from handlers.kit.steps import StepTable
from storage.repos import Repos
from storage.repos.access import CHANNEL_PREFERENCE, Recipient

log = logging.getLogger(__name__)

MAX_TEXT = 3500          # room for the header within Telegram's 4096 (Zalo splits at 2000)
PROGRESS_EVERY_S = 2.0   # how often the live progress message is refreshed
ROLE_CHOICES = (Role.TEAM_LEADER, Role.COMMUNE_COORDINATOR, Role.PROVINCE_COORDINATOR)

_FLOW = (Field("flow", FLOW_ID),)


@dataclass(frozen=True)
class Pick(Values):
    #: "c" (a commune), "t" (a team) or "r" (a role).
    what: str


@dataclass(frozen=True)
class ToProvinceButton(Values):
    province: str


@dataclass(frozen=True)
class ToRoleButton(Values):
    #: One of :data:`ROLE_CHOICES`' values.
    role: str
    #: A commune, or "-": the whole province served.
    area: str


PICK = Verb("bc", "pick", (Field("what", OneOf(("c", "t", "r"))),), shape=Pick)
TEAMS_OF = Verb("bc", "tc", (Field("commune", COMMUNE_CODE, ref=Ref.COMMUNE,
                                   needs=Action.BROADCAST),), shape=OfCommune)
TO_PROVINCE = Verb("bc", "aud:p", (Field("province", COMMUNE_CODE, ref=Ref.PROVINCE,
                                         needs=Action.BROADCAST),), shape=ToProvinceButton)
TO_COMMUNE = Verb("bc", "aud:c", (Field("commune", COMMUNE_CODE, ref=Ref.COMMUNE,
                                        needs=Action.BROADCAST),), shape=OfCommune)
TO_TEAM = Verb("bc", "aud:t", (Field("team", ID, ref=Ref.TEAM, needs=Action.BROADCAST),),
               shape=OfTeam)
#: Only the roles the picker offers (each has a label); "-" is the whole province served.
TO_ROLE = Verb("bc", "aud:r", (Field("role", OneOf(tuple(r.value for r in ROLE_CHOICES))),
                               Field("area", Pattern(r"-|\d{1,10}"), ref=Ref.AREA,
                                     needs=Action.BROADCAST)), shape=ToRoleButton)
SEND = Verb("bc", "go", _FLOW, shape=OfFlow)
EDIT = Verb("bc", "edit", _FLOW, shape=OfFlow)
CANCEL = Verb("bc", "x", _FLOW, shape=OfFlow)
STOP = Verb("bc", "stop", _FLOW, shape=OfFlow)
VERBS = (PICK, TEAMS_OF, TO_PROVINCE, TO_COMMUNE, TO_TEAM, TO_ROLE, SEND, EDIT, CANCEL, STOP)

#: Progress reporters still running (a reference keeps each task alive until it ends).
_reporters: set[asyncio.Task[None]] = set()


# --- choosing the audience ----------------------------------------------------------------------


def _areas(ctx: Ctx) -> list[Scope]:
    """The places the caller may broadcast to; "everywhere" means the province served."""
    province = ctx.services.settings.province_code
    areas = []
    for grant in ctx.caller.grants:
        if Action.BROADCAST in PERMISSIONS[grant.role]:
            scope = grant.scope if grant.scope.province else Scope(province)
            if scope not in areas:
                areas.append(scope)
    return areas


async def broadcast(ctx: Ctx) -> None:
    areas = _areas(ctx)
    province_wide = any(a.commune is None for a in areas)
    rows: list[tuple[Button, ...]] = []
    if province_wide:
        province = ctx.services.settings.province_code
        rows.append((Button(ctx.t("broadcast.everyone"), TO_PROVINCE.pack(province)),))
        rows.append((Button(ctx.t("broadcast.a_commune"), PICK.pack("c")),))
    else:
        for area in areas:
            commune = await ctx.services.read.geo.commune(str(area.commune))
            name = commune.name if commune else str(area.commune)
            rows.append((Button(ctx.t("broadcast.whole_commune", commune=name),
                                TO_COMMUNE.pack(area.commune)),))
    rows.append((Button(ctx.t("broadcast.a_team"), PICK.pack("t")),
                 Button(ctx.t("broadcast.a_role"), PICK.pack("r"))))
    await ctx.reply(ctx.t("broadcast.pick_audience"), buttons=tuple(rows))


async def pressed(ctx: Ctx) -> None:
    press = press_of(ctx)
    verb = press.verb
    if verb is PICK:
        await _pick(ctx, Pick.of(press).what)
    elif verb is TEAMS_OF:
        await _teams_of(ctx, OfCommune.of(press).commune)
    elif verb in (TO_PROVINCE, TO_COMMUNE, TO_TEAM, TO_ROLE):
        await _audience_chosen(ctx, _pressed_audience(press))
    elif verb in (SEND, EDIT, CANCEL):
        await _confirm_step(ctx, verb, OfFlow.of(press).flow)
    elif verb is STOP:
        await _stop(ctx, OfFlow.of(press).flow)


def _pressed_audience(press: Press) -> Audience:
    if press.verb is TO_PROVINCE:
        return ToProvince(ToProvinceButton.of(press).province)
    if press.verb is TO_COMMUNE:
        return ToCommune(OfCommune.of(press).commune)
    if press.verb is TO_TEAM:
        return ToTeam(OfTeam.of(press).team)
    role = ToRoleButton.of(press)
    return ToRole(Role(role.role), None if role.area == "-" else role.area)


async def _pick(ctx: Ctx, what: str) -> None:
    areas = _areas(ctx)
    communes = await _communes_in(ctx, areas)
    if what == "r":
        role_area = "-" if any(a.commune is None for a in areas) else str(areas[0].commune)
        buttons = tuple(
            (Button(ctx.t(f"broadcast.role.{role.value}"), TO_ROLE.pack(role.value, role_area)),)
            for role in ROLE_CHOICES
            if role is not Role.PROVINCE_COORDINATOR or role_area == "-"
        )
        await ctx.answer(ctx.t("broadcast.pick_role"), buttons=buttons)
        return
    if what == "t" and len(communes) == 1:
        await _teams_of(ctx, communes[0][0])
        return
    verb = TO_COMMUNE if what == "c" else TEAMS_OF
    if len(communes) > AT_ONCE:  # a large province: alphabetical ranges first
        await ctx.answer(ctx.t("broadcast.pick_commune"),
                         buttons=await pick_commune(ctx, Action.BROADCAST, f"{verb.key}:"))
        return
    buttons_list = [Button(name, verb.pack(code)) for code, name in communes]
    rows = tuple(tuple(buttons_list[i:i + 2]) for i in range(0, len(buttons_list), 2))
    await ctx.answer(ctx.t("broadcast.pick_commune"), buttons=rows)


async def _communes_in(ctx: Ctx, areas: list[Scope]) -> list[tuple[str, str]]:
    read = ctx.services.read
    if any(a.commune is None for a in areas):
        communes = await read.geo.communes_with_teams(ctx.services.settings.province_code)
        return [(c.code, c.name) for c in communes]
    found = []
    for area in areas:
        commune = await read.geo.commune(str(area.commune))
        if commune is not None:
            found.append((commune.code, commune.name))
    return found


async def _teams_of(ctx: Ctx, commune_code: str) -> None:
    if not ctx.caller.can(Action.BROADCAST, Scope(ctx.services.settings.province_code,
                                                  commune_code)):
        await _refuse(ctx, commune_code)
        return
    teams = await ctx.services.read.teams.in_commune(commune_code)
    buttons = [Button(t.name, TO_TEAM.pack(t.id)) for t in teams]
    rows = tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))
    await ctx.answer(ctx.t("broadcast.pick_team"), buttons=rows)


async def _audience_chosen(ctx: Ctx, chosen: Audience) -> None:
    audience = await _audience(ctx, chosen)
    if audience is None:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    scope, _, label = audience
    if not ctx.caller.can(Action.BROADCAST, scope):
        await _refuse(ctx, label)
        return
    await save_flow(ctx, BroadcastFlow(id=secrets.token_hex(4), audience=chosen, label=label))
    await ctx.answer(ctx.t("broadcast.ask_text", audience=label,
                                **ctx.numbers({"limit": MAX_TEXT})))


async def _audience(ctx: Ctx, audience: Audience) -> tuple[Scope, Role | None, str] | None:
    """(scope, role, label) of an audience; None if its place is gone (or a role not offered)."""
    read = ctx.services.read
    province = ctx.services.settings.province_code
    match audience:
        case ToProvince(code):
            found = await read.geo.province(code)
            return (Scope(code), None, ctx.t("broadcast.label.everyone",
                                             place=found.name if found else code))
        case ToCommune(code):
            commune = await read.geo.commune(code)
            return None if commune is None else (Scope(commune.province_code, commune.code),
                                                 None, commune.name)
        case ToTeam(team_id):
            team = await read.teams.get(team_id)
            return None if team is None else (
                Scope(team.province_code, team.commune_code, team.id), None,
                f"{team.name}, {team.commune_name}")
        case ToRole(role, place):
            if role not in ROLE_CHOICES:  # only the roles offered have a label and an audience
                return None
            role_name = ctx.t(f"broadcast.role.{role.value}")
            if place is None:
                return Scope(province), role, role_name
            commune = await read.geo.commune(place)
            return None if commune is None else (
                Scope(commune.province_code, commune.code), role,
                f"{role_name} — {commune.name}")


async def _refuse(ctx: Ctx, place: str) -> None:
    await audit_refusal(ctx, f"/broadcast {place}")
    await ctx.answer(ctx.t("broadcast.not_your_area", place=place))


# --- the text, the preview, Confirm -------------------------------------------------------------


async def text_typed(ctx: Ctx, state: BroadcastFlow) -> None:
    text = (ctx.inc.text or "").strip()
    if not text:
        await ctx.reply(ctx.t("broadcast.text_only"))
        return
    if len(text) > MAX_TEXT:
        await ctx.reply(ctx.t("broadcast.too_long", **ctx.numbers(
            {"limit": MAX_TEXT, "length": len(text)})))
        return
    audience = await _audience(ctx, state.audience)
    if audience is None:
        await ctx.reply(ctx.t("errors.stale_button"))
        return
    recipients = await _recipients(ctx, audience[0], audience[1])
    reachable = sum(1 for r in recipients if r.chat_id)
    await save_flow(ctx, replace(state, step=BroadcastStep.CONFIRM, text=text))
    number = ctx.services.t.number
    flow_id = state.id
    await ctx.reply(
        ctx.t("broadcast.preview", text=text, audience=state.label,
              people=number(ctx.lang, len(recipients)), reachable=number(ctx.lang, reachable)),
        buttons=(
            (Button(ctx.t("broadcast.send", count=number(ctx.lang, reachable)),
                    SEND.pack(flow_id)),),
            (Button(ctx.t("broadcast.edit"), EDIT.pack(flow_id)),
             Button(ctx.t("broadcast.cancel"), CANCEL.pack(flow_id))),
        ),
    )


async def _confirm_step(ctx: Ctx, verb: Verb, flow_id: str) -> None:
    state = BroadcastFlow.of(ctx.flow)
    if state is None or state.id != flow_id or (verb is SEND and state.text is None):
        sent = verb is SEND and await ctx.services.read.outbox.batch_progress(_batch(flow_id))
        await ctx.answer(ctx.t("broadcast.already_sent" if sent and any(sent.values())
                               else "errors.stale_button"))
        return
    if verb is CANCEL:
        async with ctx.services.db.write() as conn:
            await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        await ctx.answer(ctx.t("broadcast.cancelled"))
        return
    if verb is EDIT:
        await save_flow(ctx, replace(state, step=BroadcastStep.TEXT))
        await ctx.answer(ctx.t("broadcast.ask_text", audience=state.label,
                                **ctx.numbers({"limit": MAX_TEXT})))
        return
    await _send(ctx, state)


async def _send(ctx: Ctx, state: BroadcastFlow) -> None:
    audience = await _audience(ctx, state.audience)
    member = ctx.caller.member
    if audience is None or member is None or not ctx.caller.can(Action.BROADCAST, audience[0]):
        await _refuse(ctx, state.label)
        return
    recipients = await _recipients(ctx, audience[0], audience[1])
    batch = _batch(state.id)
    role = ctx.caller.role
    items = [
        OutboxMessage(
            dedup_key=f"{batch}:m{r.member_id}", channel=str(r.channel), chat_id=str(r.chat_id),
            message=OutMessage(text=_letter(ctx.services, r, member.full_name, role,
                                            str(state.text)),
                               lang=_reader_language(ctx.services, r)),
            kind="broadcast", member_id=r.member_id, batch_id=batch,
        )
        for r in recipients if r.chat_id
    ]
    unreachable = len(recipients) - len(items)
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        await repos.audit.record(actor=member.id, action="broadcast.send",
                                 target=state.label, now=ctx.now, batch=batch,
                                 recipients=len(items), unreachable=unreachable)
    await enqueue(ctx.services, items)
    if ctx.services.scheduling is not None:
        ctx.services.scheduling.wake_sender()
    ref = await ctx.send(OutMessage(
        text=_progress_text(ctx, 0, len(items)),
        buttons=((Button(ctx.t("broadcast.stop"), STOP.pack(state.id)),),)))
    quiet = await quiet_hours(ctx.services)
    if quiet.contains(ctx.now.astimezone(ctx.services.settings.tz).time()):
        await ctx.reply(ctx.t("broadcast.quiet_wait", start=quiet.start.strftime("%H:%M"),
                              end=quiet.end.strftime("%H:%M")))
    task = asyncio.create_task(_report(ctx, state.id, ref, len(items), unreachable))
    _reporters.add(task)
    task.add_done_callback(_reporters.discard)


async def _recipients(ctx: Ctx, scope: Scope, role: Role | None) -> list[Recipient]:
    running = [c for c in CHANNEL_PREFERENCE if c in ctx.services.channels]
    return await ctx.services.read.access.recipients(scope, role, running)


def _letter(services: Services, recipient: Recipient, sender: str, role: Role | None,
            text: str) -> str:
    lang = _reader_language(services, recipient)
    role_name = services.t(lang, f"role.{role.value}") if role else ""
    return services.t(lang, "broadcast.header", sender=sender, role=role_name) + "\n\n" + text


def _reader_language(services: Services, recipient: Recipient) -> str:
    return services.t.language(recipient.language or services.settings.default_language)


def _batch(flow_id: str) -> str:
    return f"broadcast:{flow_id}"


# --- progress, stop, the report -----------------------------------------------------------------


def _progress_text(ctx: Ctx, done: int, total: int) -> str:
    number = ctx.services.t.number
    return ctx.t("broadcast.progress", done=number(ctx.lang, done), total=number(ctx.lang, total))


async def _report(ctx: Ctx, flow_id: str, ref: str | None, total: int,
                  unreachable: int) -> None:
    """Edit the progress message while the batch goes out, then send the delivery report."""
    batch = _batch(flow_id)
    shown = ""
    try:
        while True:
            counts = await batch_progress(ctx.services, batch)
            finished = counts["pending"] + counts["sending"] == 0
            text = _progress_text(ctx, counts["sent"], total)
            if ref and ctx.channel.supports_buttons and (text != shown or finished):
                buttons = () if finished else (
                    (Button(ctx.t("broadcast.stop"), STOP.pack(flow_id)),),)
                await ctx.edit(ref, OutMessage(
                    text=text, buttons=buttons))
                shown = text
            if finished:
                break
            await asyncio.sleep(PROGRESS_EVERY_S)
        failures = await ctx.services.read.outbox.batch_failures(batch)
        blocked = sum(1 for f in failures if _blocked(f.last_error))
        number = ctx.services.t.number
        await ctx.send(OutMessage(text=ctx.t(
            "broadcast.report", sent=number(ctx.lang, counts["sent"]),
            blocked=number(ctx.lang, blocked),
            failed=number(ctx.lang, counts["failed"] - blocked),
            stopped=number(ctx.lang, counts["cancelled"]),
            unreachable=number(ctx.lang, unreachable))))
    except Exception:
        # The broadcast itself goes on in the outbox; only the live report is lost.
        log.exception("progress report of %s failed", batch)


def _blocked(error: str | None) -> bool:
    text = (error or "").lower()
    return "blocked" in text or "forbidden" in text


async def _stop(ctx: Ctx, flow_id: str) -> None:
    member = ctx.caller.member
    batch = _batch(flow_id)
    items = await ctx.services.read.outbox.items(batch_id=batch)
    if member is None or not items or not ctx.caller.can_somewhere(Action.BROADCAST):
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    stopped = await cancel_batch(ctx.services, batch, actor=member.id)
    await ctx.reply(ctx.t("broadcast.stopping", count=ctx.services.t.number(ctx.lang, stopped)))


#: The flow's table: the announcement is typed once the audience is chosen, and typing again
#: while Confirm is awaited replaces it. Send / Edit / Cancel carry the flow's id and are
#: answered by :func:`pressed` (a Send of a flow already gone may still find its batch going out).
BROADCAST_STEPS: StepTable[BroadcastFlow] = StepTable(
    BroadcastFlow, states={BroadcastStep.TEXT: text_typed, BroadcastStep.CONFIRM: text_typed})

feature = Feature(
    commands=(Command("broadcast", broadcast, requires=Action.BROADCAST, members_only=True),),
    buttons=(ButtonRoute("bc", pressed, verbs=VERBS, requires=Action.BROADCAST,
                         members_only=True),),
    flows=(BROADCAST_STEPS.route,),
)
