"""/member: find a person (any diacritics, within the caller's area) and fix their record.

A card shows the person with buttons to rename, move to another team, change role or
deactivate. Every action has a confirm step, re-checks the permission table at each step (the
same one that decides invitations: whoever may invite a team leader there may make someone team
leader there), writes the audit log, and refreshes the person's command menu in each of their
chats. ``/member add`` adds a person to a team. Phones are masked except for admins.

This module is the command, the button dispatch and the feature; the card and the shared
verbs are in :mod:`handlers.members.card`, the changes in :mod:`handlers.members.changes` and
the add flow in :mod:`handlers.members.add`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.callback_data import OfMember, Verb
from bot.core.chat import Button
from bot.core.permissions import Action, Scope
from bot.core.text import fold
from handlers.kit.context import Ctx
from handlers.kit.rename import rename_steps
from handlers.kit.routing import ButtonRoute, Command, Feature, press_of
from handlers.kit.scope import province_wide, refuse_place, scopes_for
from handlers.members.add import ADD_STEPS, add_step, start_add
from handlers.members.card import (
    ADD_COMMUNE,
    ADD_OK,
    ADD_TEAM,
    CANCEL,
    CARD,
    MOVE,
    MOVE_COMMUNE,
    MOVE_COMMUNE_PICKED,
    MOVE_OK,
    MOVE_TO,
    OFF,
    OFF_OK,
    ON,
    RENAME,
    RENAME_OK,
    ROLE,
    ROLE_OK,
    ROLE_PICKED,
    VERBS,
    PersonToCommune,
    PersonToRole,
    PersonToTeam,
    show_card,
)
from handlers.members.changes import (
    RENAME_MEMBER,
    ask_deactivate,
    ask_move,
    ask_move_commune,
    ask_rename,
    ask_role,
    confirm_move,
    confirm_role,
    deactivate,
    move,
    move_commune_picked,
    reactivate,
    rename,
    set_role,
)
from storage.repos import Repos
from storage.repos.members import PersonRow

_ADD_WORDS = {"add", "them", "moi", "new"}


async def member(ctx: Ctx) -> None:
    words = ctx.args.split(maxsplit=1)
    if words and fold(words[0]) in _ADD_WORDS:
        await start_add(ctx, words[1] if len(words) > 1 else "")
        return
    text = ctx.args.strip()
    if not text:
        await ctx.reply(ctx.t("member.usage"))
        return
    read = ctx.services.read
    found = await read.members.search(
        scopes_for(ctx, Action.MANAGE_PEOPLE), text, include_inactive=True,
        teamless=province_wide(ctx, Action.MANAGE_PEOPLE))
    if len(found) == 1:
        await show_card(ctx, found[0].member.id)
        return
    if found:
        await ctx.reply(ctx.t("member.pick", count=len(found)), buttons=tuple(
            (Button(_label(row), CARD.pack(row.member.id)),) for row in found))
        return
    elsewhere = await read.members.search(
        [Scope(ctx.services.settings.province_code)], text, limit=1)
    if elsewhere and elsewhere[0].team is not None:  # exists, but not in this person's area
        await refuse_place(ctx, "member", elsewhere[0].team.commune_name)
        return
    await ctx.reply(ctx.t("member.not_found", text=text[:60]))


def _label(row: PersonRow) -> str:
    place = f"{row.team.name}, {row.team.commune_name}" if row.team else "—"
    return f"{row.member.full_name} – {place}"


async def pressed(ctx: Ctx) -> None:
    press = press_of(ctx)
    verb = press.verb
    if verb is CANCEL:
        async with ctx.services.db.write() as conn:
            await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        await ctx.answer(ctx.t("member.cancelled"))
    elif verb in (ADD_COMMUNE, ADD_TEAM, ADD_OK):
        await add_step(ctx, press)
    elif verb is MOVE_COMMUNE_PICKED:
        picked = PersonToCommune.of(press)
        await move_commune_picked(ctx, picked.member, picked.commune)
    elif verb in (MOVE_TO, MOVE_OK):
        to_team = confirm_move if verb is MOVE_TO else move
        moved = PersonToTeam.of(press)
        await to_team(ctx, moved.member, moved.team)
    elif verb in (ROLE_PICKED, ROLE_OK):
        to_role = confirm_role if verb is ROLE_PICKED else set_role
        role = PersonToRole.of(press)
        await to_role(ctx, role.member, role.role)
    else:
        await _ONE_PERSON[verb](ctx, OfMember.of(press).member)


#: The buttons that carry just the person.
_ONE_PERSON: dict[Verb, Callable[[Ctx, int], Awaitable[None]]] = {
    CARD: show_card,
    RENAME: ask_rename,
    RENAME_OK: rename,
    MOVE: ask_move,
    MOVE_COMMUNE: ask_move_commune,
    ROLE: ask_role,
    OFF: ask_deactivate,
    OFF_OK: deactivate,
    ON: reactivate,
}

feature = Feature(
    commands=(Command("member", member, requires=Action.MANAGE_PEOPLE, members_only=True),),
    buttons=(ButtonRoute("mem", pressed, verbs=VERBS, requires=Action.MANAGE_PEOPLE,
                         members_only=True),),
    flows=(rename_steps(RENAME_MEMBER).route, ADD_STEPS.route),
)
