"""``/member add``: add a person (name, optional phone) to a team the caller may manage."""

from __future__ import annotations

from typing import Any

from bot.core.chat import Button
from bot.core.names import MAX_PERSON_NAME, person_name
from bot.core.permissions import Action, Scope
from bot.core.registry.phones import InvalidPhone, normalize_phone
from bot.core.text import tidy
from handlers.admin_scope import grid, refuse_place, scopes_for, team_scope
from handlers.commune_picker import pick_commune
from handlers.context import Ctx
from handlers.member_card import ADD_COMMUNE, ADD_OK, ADD_TEAM, _actor, _confirm, _phone
from storage.repos import Repos

ADD_FLOW = "member_add"


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


async def _start_add(ctx: Ctx, text: str) -> None:
    async with ctx.services.db.write() as conn:
        await Repos(conn).chats.set_flow(ctx.inc.channel, ctx.inc.chat_id, ADD_FLOW, "name", {},
                                         ctx.now)
    if not text.strip():
        await ctx.reply(ctx.t("member.add_ask"))
        return
    await _person_given(ctx, text)


async def add_typed(ctx: Ctx) -> None:
    assert ctx.flow is not None
    if ctx.flow.step != "name":
        await ctx.reply(ctx.t("member.add_use_buttons"))
        return
    await _person_given(ctx, ctx.inc.text or "")


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
    data: dict[str, Any] = {"name": name, "phone": phone}
    async with ctx.services.db.write() as conn:
        await Repos(conn).chats.set_flow(ctx.inc.channel, ctx.inc.chat_id, ADD_FLOW, "team",
                                         data, ctx.now)
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


async def _add_step(ctx: Ctx, verb: str, arg: str) -> None:
    flow = await ctx.services.read.chats.flow(ctx.inc.channel, ctx.inc.chat_id)
    if flow is None or flow.flow != ADD_FLOW or flow.step != "team":
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    name = str(flow.data["name"])
    phone = flow.data.get("phone")
    if verb == "addc":
        commune = await ctx.services.read.geo.commune(arg)
        if commune is None:
            await ctx.answer(ctx.t("errors.stale_button"))
            return
        if not ctx.caller.can(Action.MANAGE_PEOPLE, Scope(commune.province_code, commune.code)):
            await refuse_place(ctx, "member add", commune.name)
            return
        await _add_pick_team(ctx, arg, name)
        return
    target = await ctx.services.read.teams.get(int(arg)) if arg.isdigit() else None
    if target is None or not target.active:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    if not ctx.caller.can(Action.MANAGE_PEOPLE, team_scope(target)):
        await refuse_place(ctx, "member add", target.commune_name)
        return
    if verb == "addt":
        await ctx.answer(ctx.t("member.confirm_add", name=name, team=target.name,
                               commune=target.commune_name,
                               phone=_phone(ctx, phone) if phone else "—"),
                         buttons=_confirm(ctx, ADD_OK.pack(target.id)))
        return
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        taken = bool(phone) and await repos.members.phone_taken(str(phone))
        if not taken:
            await repos.chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
            member_id = await repos.members.create(full_name=name, team_id=target.id,
                                                   phone=str(phone) if phone else None,
                                                   language=None, now=ctx.now)
            await repos.audit.record(actor=_actor(ctx), action="member.add",
                                     target=f"member:{member_id}", now=ctx.now, name=name,
                                     team=f"{target.name}, {target.commune_name}")
    if taken:
        await ctx.answer(ctx.t("member.phone_taken"))
        return
    await ctx.answer(ctx.t("member.added", name=name, team=target.name,
                           commune=target.commune_name))

