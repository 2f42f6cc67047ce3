"""``/member add``: add a person (name, optional phone) to a team the caller may manage."""

from __future__ import annotations

from bot.core.callback_data import OfCommune, OfTeam, Press
from bot.core.chat import Button
from bot.core.flows import MemberAddFlow, MemberAddStep
from bot.core.names import MAX_PERSON_NAME, person_name
from bot.core.permissions import Action, Scope
from bot.core.registry.phones import InvalidPhone, normalize_phone
from bot.core.text import tidy
from handlers.kit.commune_picker import pick_commune
from handlers.kit.context import Ctx
from handlers.kit.flow_store import save_flow
from handlers.kit.scope import grid, refuse_place, scopes_for, team_scope
from handlers.kit.steps import StepTable
from handlers.members.card import (
    ADD_COMMUNE,
    ADD_OK,
    ADD_TEAM,
    actor_id,
    confirm_buttons,
    shown_phone,
)
from storage.repos import Repos


def _parse_person(text: str) -> tuple[str | None, str | None, bool]:
    """"Nguyễn Văn An, 0912 345 678" → (name, phone, phone_ok). The phone is optional."""
    raw = tidy(text)
    name_part, phone_part = raw, ""
    if "," in raw:
        name_part, _, phone_part = raw.partition(",")
    else:
        words = raw.split(" ")
        cut = len(words)
        while cut > 0 and any(ch.isdigit() for ch in words[cut - 1]):
            cut -= 1
        name_part, phone_part = " ".join(words[:cut]), " ".join(words[cut:])
    name = person_name(name_part)
    try:
        phone = normalize_phone(phone_part)
    except InvalidPhone:
        return name, None, False
    return name, phone, True


async def start_add(ctx: Ctx, text: str) -> None:
    await save_flow(ctx, MemberAddFlow())
    if not text.strip():
        await ctx.reply(ctx.t("member.add_ask"))
        return
    await _person_given(ctx, text)


async def _name_typed(ctx: Ctx, state: MemberAddFlow) -> None:
    await _person_given(ctx, ctx.inc.text or "")


async def _team_being_picked(ctx: Ctx, state: MemberAddFlow) -> None:
    await ctx.reply(ctx.t("member.add_use_buttons"))


async def _person_given(ctx: Ctx, text: str) -> None:
    name, phone, phone_ok = _parse_person(text)
    if name is None:
        await ctx.reply(ctx.t("member.bad_name", limit=MAX_PERSON_NAME))
        return
    if not phone_ok:
        await ctx.reply(ctx.t("member.bad_phone"))
        return
    if phone and await ctx.services.read.members.phone_taken(phone):
        await ctx.reply(ctx.t("member.phone_taken"))
        return
    await save_flow(ctx, MemberAddFlow(step=MemberAddStep.TEAM, person=name, phone=phone))
    scopes = scopes_for(ctx, Action.MANAGE_PEOPLE)
    if len(scopes) == 1 and scopes[0].commune is not None and scopes[0].team is None:
        await _add_pick_team(ctx, scopes[0].commune, name)
        return
    await ctx.reply(ctx.t("member.add_pick_commune", name=name),
                    buttons=await pick_commune(ctx, Action.MANAGE_PEOPLE, f"{ADD_COMMUNE.key}:"))


async def _add_pick_team(ctx: Ctx, commune_code: str, name: str) -> None:
    teams = await ctx.services.read.teams.in_commune(commune_code)
    buttons = [Button(t.name, ADD_TEAM.pack(t.id)) for t in teams
               if ctx.caller.can(Action.MANAGE_PEOPLE, team_scope(t))]
    await ctx.answer(ctx.t("member.add_pick_team", name=name), buttons=grid(buttons, per_row=3))


async def add_step(ctx: Ctx, press: Press) -> None:
    """A commune, then a team, then Confirm: for the person named in the flow."""
    state = MemberAddFlow.of(ctx.flow)
    if state is None or state.step is not MemberAddStep.TEAM or state.person is None:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    name, phone = state.person, state.phone
    if press.verb is ADD_COMMUNE:
        code = OfCommune.of(press).commune
        commune = await ctx.services.read.geo.commune(code)
        if commune is None:
            await ctx.answer(ctx.t("errors.stale_button"))
            return
        if not ctx.caller.can(Action.MANAGE_PEOPLE, Scope(commune.province_code, commune.code)):
            await refuse_place(ctx, "member add", commune.name)
            return
        await _add_pick_team(ctx, code, name)
        return
    target = await ctx.services.read.teams.get(OfTeam.of(press).team)
    if target is None or not target.active:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    if not ctx.caller.can(Action.MANAGE_PEOPLE, team_scope(target)):
        await refuse_place(ctx, "member add", target.commune_name)
        return
    if press.verb is ADD_TEAM:
        await ctx.answer(ctx.t("member.confirm_add", name=name, team=target.name,
                               commune=target.commune_name,
                               phone=shown_phone(ctx, phone) if phone else "—"),
                         buttons=confirm_buttons(ctx, ADD_OK.pack(target.id)))
        return
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        taken = await repos.members.phone_taken(phone) if phone else False
        if not taken:
            await repos.chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
            member_id = await repos.members.create(full_name=name, team_id=target.id,
                                                   phone=phone or None,
                                                   language=None, now=ctx.now)
            await repos.audit.record(actor=actor_id(ctx), action="member.add",
                                     target=f"member:{member_id}", now=ctx.now, name=name,
                                     team=f"{target.name}, {target.commune_name}")
    if taken:
        await ctx.answer(ctx.t("member.phone_taken"))
        return
    await ctx.answer(ctx.t("member.added", name=name, team=target.name,
                           commune=target.commune_name))


#: The flow's table: "name[, phone]" is typed first; then a commune and a team are picked with
#: buttons (:func:`add_step`), so typing there is answered with a pointer to them.
ADD_STEPS: StepTable[MemberAddFlow] = StepTable(MemberAddFlow, states={
    MemberAddStep.NAME: _name_typed,
    MemberAddStep.TEAM: _team_being_picked,
})
