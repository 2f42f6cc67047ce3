"""/member: find a person (any diacritics, within the caller's area) and fix their record.

A card shows the person with buttons to rename, move to another team, change role or
deactivate. Every action has a confirm step, re-checks the permission table at each step (the
same one that decides invitations: whoever may invite a team leader there may make someone team
leader there), writes the audit log, and refreshes the person's command menu in each of their
chats. ``/member add`` adds a person to a team. Phones are masked except for admins.

This module is the command, the button dispatch and the feature; the card and the shared
verbs are in :mod:`handlers.member_card`, the changes in :mod:`handlers.member_changes` and
the add flow in :mod:`handlers.member_add`.
"""

from __future__ import annotations

from bot.core.chat import Button
from bot.core.permissions import Action, Scope
from bot.core.text import fold
from handlers.admin_scope import province_wide, refuse_place, scopes_for
from handlers.context import Ctx
from handlers.member_add import ADD_FLOW, _add_step, _start_add, add_typed
from handlers.member_card import CARD, VERBS, _card
from handlers.member_changes import (
    RENAME_FLOW,
    _ask_deactivate,
    _ask_move,
    _ask_move_commune,
    _ask_rename,
    _ask_role,
    _confirm_move,
    _confirm_role,
    _deactivate,
    _move,
    _move_commune_picked,
    _reactivate,
    _rename,
    _set_role,
    new_name_typed,
)
from handlers.routing import ButtonRoute, Command, Feature, FlowRoute
from storage.repos import Repos
from storage.repos.members import PersonRow

_ADD_WORDS = {"add", "them", "moi", "new"}


async def member(ctx: Ctx) -> None:
    words = ctx.args.split(maxsplit=1)
    if words and fold(words[0]) in _ADD_WORDS:
        await _start_add(ctx, words[1] if len(words) > 1 else "")
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
        await _card(ctx, found[0].member.id)
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
    parts = ctx.args.split(":")
    verb, ids = parts[0], parts[1:]
    if verb == "x":
        async with ctx.services.db.write() as conn:
            await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        await ctx.answer(ctx.t("member.cancelled"))
        return
    if verb in ("addc", "addt", "addok"):
        await _add_step(ctx, verb, ids[0] if ids else "")
        return
    if not ids or not all(i.isdigit() for i in ids[:1]):
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    member_id = int(ids[0])
    arg = ids[1] if len(ids) > 1 else ""
    handler = _VERBS.get(verb)
    if handler is None:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    await handler(ctx, member_id, arg)


_VERBS = {
    "v": _card,
    "rn": _ask_rename,
    "rnok": _rename,
    "mv": _ask_move,
    "mvc": _ask_move_commune,
    "mvcc": _move_commune_picked,
    "mvt": _confirm_move,
    "mvok": _move,
    "rl": _ask_role,
    "rlr": _confirm_role,
    "rlok": _set_role,
    "off": _ask_deactivate,
    "offok": _deactivate,
    "on": _reactivate,
}

feature = Feature(
    commands=(Command("member", member, requires=Action.MANAGE_PEOPLE, members_only=True),),
    buttons=(ButtonRoute("mem", pressed, verbs=VERBS, requires=Action.MANAGE_PEOPLE,
                         members_only=True),),
    flows=(FlowRoute(RENAME_FLOW, new_name_typed), FlowRoute(ADD_FLOW, add_typed)),
)
