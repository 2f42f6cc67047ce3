"""/member: find a person (any diacritics, within the caller's area) and fix their record.

A card shows the person with buttons to rename, move to another team, change role or
deactivate. Every action has a confirm step, re-checks the permission table at each step (the
same one that decides invitations: whoever may invite a team leader there may make someone team
leader there), writes the audit log, and refreshes the person's command menu in each of their
chats. ``/member add`` adds a person to a team. Phones are masked except for admins.
"""

from __future__ import annotations

from typing import Any

from bot.core import calendar as periods
from bot.core.callback_data import COMMUNE_CODE, ID, Field, OneOf, Verb
from bot.core.chat import Button
from bot.core.models import RoleGrant, Team
from bot.core.names import MAX_PERSON_NAME, person_name
from bot.core.permissions import Action, Scope, can_invite, grant_scope, role_target
from bot.core.registry.phones import InvalidPhone, normalize_phone
from bot.core.roles import Role
from bot.core.text import fold, tidy
from handlers.admin_scope import (
    grid,
    local_today,
    pending_flow,
    province_wide,
    refuse_place,
    scopes_for,
    team_scope,
)
from handlers.commune_picker import pick_commune
from handlers.context import Ctx
from handlers.menus import refresh_member_menus
from handlers.routing import ButtonRoute, Command, Feature, FlowRoute
from storage.repos import Repos
from storage.repos.people import PersonRow

RENAME_FLOW = "member_rename"
ADD_FLOW = "member_add"
_ADD_WORDS = {"add", "them", "moi", "new"}
_ROLE_CODES = {"m": Role.MEMBER, "tl": Role.TEAM_LEADER, "cc": Role.COMMUNE_COORDINATOR,
               "pc": Role.PROVINCE_COORDINATOR, "ad": Role.ADMIN}
_CODE_OF = {role: code for code, role in _ROLE_CODES.items()}

_PERSON = Field("member", ID, ref="member", needs=Action.MANAGE_PEOPLE)
_TEAM = Field("team", ID, ref="team", needs=Action.MANAGE_PEOPLE)
_COMMUNE = Field("commune", COMMUNE_CODE, ref="commune", needs=Action.MANAGE_PEOPLE)
_ROLE = Field("role", OneOf(tuple(_ROLE_CODES)))
CARD = Verb("mem", "v", (_PERSON,))
RENAME = Verb("mem", "rn", (_PERSON,))
RENAME_OK = Verb("mem", "rnok", (_PERSON,))
MOVE = Verb("mem", "mv", (_PERSON,))
MOVE_COMMUNE = Verb("mem", "mvc", (_PERSON,))
MOVE_COMMUNE_PICKED = Verb("mem", "mvcc", (_PERSON, _COMMUNE))
MOVE_TO = Verb("mem", "mvt", (_PERSON, _TEAM))
MOVE_OK = Verb("mem", "mvok", (_PERSON, _TEAM))
ROLE = Verb("mem", "rl", (_PERSON,))
ROLE_PICKED = Verb("mem", "rlr", (_PERSON, _ROLE))
ROLE_OK = Verb("mem", "rlok", (_PERSON, _ROLE))
OFF = Verb("mem", "off", (_PERSON,))
OFF_OK = Verb("mem", "offok", (_PERSON,))
ON = Verb("mem", "on", (_PERSON,))
ADD_COMMUNE = Verb("mem", "addc", (_COMMUNE,))
ADD_TEAM = Verb("mem", "addt", (_TEAM,))
ADD_OK = Verb("mem", "addok", (_TEAM,))
CANCEL = Verb("mem", "x")
VERBS = (CARD, RENAME, RENAME_OK, MOVE, MOVE_COMMUNE, MOVE_COMMUNE_PICKED, MOVE_TO, MOVE_OK,
         ROLE, ROLE_PICKED, ROLE_OK, OFF, OFF_OK, ON, ADD_COMMUNE, ADD_TEAM, ADD_OK, CANCEL)


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
    found = await read.people.search_members(
        scopes_for(ctx, Action.MANAGE_PEOPLE), text, include_inactive=True,
        teamless=province_wide(ctx, Action.MANAGE_PEOPLE))
    if len(found) == 1:
        await _card(ctx, found[0].member.id)
        return
    if found:
        await ctx.reply(ctx.t("member.pick", count=len(found)), buttons=tuple(
            (Button(_label(row), CARD.pack(row.member.id)),) for row in found))
        return
    elsewhere = await read.people.search_members(
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


# ----------------------------------------------------------------------------- the card

async def _managed(ctx: Ctx, member_id: int) -> PersonRow | None:
    """The person if the caller may manage them (else a polite, logged refusal)."""
    row = await ctx.services.read.people.person(member_id)
    if row is None:
        await ctx.answer(ctx.t("member.gone"))
        return None
    if not ctx.caller.can(Action.MANAGE_PEOPLE, _place(ctx, row)):
        where = row.team.commune_name if row.team else ctx.t("admin.whole_province")
        await refuse_place(ctx, "member", where,
                           who=Role.COMMUNE_COORDINATOR if row.team else Role.ADMIN)
        return None
    return row


def _place(ctx: Ctx, row: PersonRow) -> Scope:
    if row.team is not None:
        return team_scope(row.team)
    return Scope(ctx.services.settings.province_code)  # people outside teams: province level


async def _card(ctx: Ctx, member_id: int, _arg: str = "") -> None:
    row = await _managed(ctx, member_id)
    if row is None:
        return
    read = ctx.services.read
    person = row.member
    grants = await read.access.grants_of(member_id)
    identities = await read.access.identities_of(member_id)
    month = periods.this_month(local_today(ctx))
    tallies = await read.activity.member_by_category(member_id, month.start, month.end)
    n = ctx.services.t.number
    lines = [f"👤 {person.full_name}"]
    if row.team is not None:
        lines.append(ctx.t("member.card_team", team=row.team.name,
                           commune=row.team.commune_name))
    lines.append(ctx.t("member.card_role", role=ctx.t(f"role.{_role_of(grants).value}")))
    if person.phone:
        lines.append(ctx.t("member.card_phone", phone=_phone(ctx, person.phone)))
    channels = ", ".join(ctx.t(f"channel.{i.channel}") for i in identities)
    lines.append(ctx.t("member.card_channels", channels=channels or ctx.t("member.not_linked")))
    lines.append(ctx.t("member.card_month", period=month.label(ctx.lang),
                       sessions=n(ctx.lang, sum(t.sessions for t in tallies.values())),
                       citizens=n(ctx.lang, sum(t.citizens for t in tallies.values()))))
    if not person.active:
        lines.append(ctx.t("member.card_inactive"))
        buttons: tuple[tuple[Button, ...], ...] = (
            (Button(ctx.t("member.reactivate_button"), ON.pack(member_id)),),)
    else:
        buttons = (
            (Button(ctx.t("member.rename_button"), RENAME.pack(member_id)),
             Button(ctx.t("member.move_button"), MOVE.pack(member_id))),
            (Button(ctx.t("member.role_button"), ROLE.pack(member_id)),
             Button(ctx.t("member.deactivate_button"), OFF.pack(member_id))),
        )
    await ctx.answer("\n".join(lines), buttons=buttons)


def _role_of(grants: list[RoleGrant]) -> Role:
    return max((g.role for g in grants), key=lambda r: r.rank, default=Role.MEMBER)


def _phone(ctx: Ctx, phone: str) -> str:
    if ctx.caller.role is Role.ADMIN:
        return phone
    return "•" * (len(phone) - 3) + phone[-3:]


def _confirm(ctx: Ctx, data: str) -> tuple[tuple[Button, ...], ...]:
    return ((Button(ctx.t("admin.confirm"), data), Button(ctx.t("admin.cancel"), CANCEL.pack())),)


def _actor(ctx: Ctx) -> int | None:
    return ctx.caller.member.id if ctx.caller.member else None


async def _done(ctx: Ctx, member_id: int, text: str) -> None:
    await refresh_member_menus(ctx.services, member_id)
    await ctx.answer(text)


# ----------------------------------------------------------------------------- rename

async def _ask_rename(ctx: Ctx, member_id: int, _arg: str) -> None:
    row = await _managed(ctx, member_id)
    if row is None:
        return
    async with ctx.services.db.write() as conn:
        await Repos(conn).chats.set_flow(ctx.inc.channel, ctx.inc.chat_id, RENAME_FLOW, "name",
                                         {"member_id": member_id}, ctx.now)
    await ctx.answer(ctx.t("member.ask_new_name", name=row.member.full_name))


async def new_name_typed(ctx: Ctx) -> None:
    assert ctx.flow is not None
    name = person_name(ctx.inc.text or "")
    if name is None:
        await ctx.reply(ctx.t("member.bad_name", limit=MAX_PERSON_NAME))
        return
    member_id = int(ctx.flow.data.get("member_id", 0))
    row = await _managed(ctx, member_id)
    if row is None:
        return
    async with ctx.services.db.write() as conn:
        await Repos(conn).chats.set_flow(ctx.inc.channel, ctx.inc.chat_id, RENAME_FLOW,
                                         "confirm", {"member_id": member_id, "name": name},
                                         ctx.now)
    await ctx.reply(ctx.t("member.confirm_rename", old=row.member.full_name, new=name),
                    buttons=_confirm(ctx, RENAME_OK.pack(member_id)))


async def _rename(ctx: Ctx, member_id: int, _arg: str) -> None:
    data = await pending_flow(ctx, RENAME_FLOW, member_id=member_id)
    if data is None:
        return
    if "name" not in data:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    row = await _managed(ctx, member_id)
    if row is None:
        return
    name = str(data["name"])
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        await repos.people.rename_member(member_id, name, ctx.now)
        await repos.audit.record(actor=_actor(ctx), action="member.rename",
                                 target=f"member:{member_id}", now=ctx.now,
                                 old=row.member.full_name, new=name)
    await _done(ctx, member_id, ctx.t("member.renamed", old=row.member.full_name, new=name))


# ----------------------------------------------------------------------------- move

async def _ask_move(ctx: Ctx, member_id: int, _arg: str) -> None:
    row = await _managed(ctx, member_id)
    if row is None:
        return
    if row.team is None:
        await _ask_move_commune(ctx, member_id, "")
        return
    await _teams_to_move_to(ctx, row, row.team.commune_code)


async def _teams_to_move_to(ctx: Ctx, row: PersonRow, commune_code: str) -> None:
    teams = await ctx.services.read.teams.in_commune(commune_code)
    member_id = row.member.id
    buttons = [Button(t.name, MOVE_TO.pack(member_id, t.id)) for t in teams
               if t.id != row.member.team_id
               and ctx.caller.can(Action.MANAGE_PEOPLE, team_scope(t))]
    rows = grid(buttons, per_row=3)
    if province_wide(ctx, Action.MANAGE_PEOPLE):
        rows = (*rows, (Button(ctx.t("member.other_commune"), MOVE_COMMUNE.pack(member_id)),))
    await ctx.answer(ctx.t("member.pick_team", name=row.member.full_name), buttons=rows)


async def _ask_move_commune(ctx: Ctx, member_id: int, _arg: str) -> None:
    row = await _managed(ctx, member_id)
    if row is None:
        return
    await ctx.answer(ctx.t("member.pick_commune", name=row.member.full_name),
                     buttons=await pick_commune(ctx, Action.MANAGE_PEOPLE,
                                                f"{MOVE_COMMUNE_PICKED.key}:{member_id}:"))


async def _move_commune_picked(ctx: Ctx, member_id: int, commune_code: str) -> None:
    row = await _managed(ctx, member_id)
    if row is not None:
        await _teams_to_move_to(ctx, row, commune_code)


async def _move_target(ctx: Ctx, member_id: int, team_arg: str
                       ) -> tuple[PersonRow, Team] | None:
    """The member and the team they would move to, both checked (or None, answered)."""
    row = await _managed(ctx, member_id)
    target = await ctx.services.read.people.team(int(team_arg)) if team_arg.isdigit() else None
    if row is None:
        return None
    if target is None or not target.active:
        await ctx.answer(ctx.t("errors.stale_button"))
        return None
    if not ctx.caller.can(Action.MANAGE_PEOPLE, team_scope(target)):
        await refuse_place(ctx, "member", target.commune_name)
        return None
    return row, target


async def _confirm_move(ctx: Ctx, member_id: int, team_arg: str) -> None:
    checked = await _move_target(ctx, member_id, team_arg)
    if checked is None:
        return
    row, target = checked
    await ctx.answer(ctx.t("member.confirm_move", name=row.member.full_name, team=target.name,
                           commune=target.commune_name),
                     buttons=_confirm(ctx, MOVE_OK.pack(member_id, target.id)))


async def _move(ctx: Ctx, member_id: int, team_arg: str) -> None:
    checked = await _move_target(ctx, member_id, team_arg)
    if checked is None:
        return
    row, target = checked
    old = row.team
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.people.move_member(member_id, target.id, ctx.now)
        # Leading the old team does not follow the person to the new one.
        dropped = 0
        if old is not None:
            dropped = await repos.people.revoke_grants(member_id, role=Role.TEAM_LEADER.value,
                                                       scope_kind="team", scope_id=str(old.id))
        await repos.audit.record(actor=_actor(ctx), action="member.move",
                                 target=f"member:{member_id}", now=ctx.now,
                                 old=f"{old.name}, {old.commune_name}" if old else None,
                                 new=f"{target.name}, {target.commune_name}",
                                 leader_dropped=bool(dropped))
    text = ctx.t("member.moved", name=row.member.full_name, team=target.name,
                 commune=target.commune_name)
    if dropped:
        text += "\n" + ctx.t("member.leader_dropped")
    await _done(ctx, member_id, text)


# ----------------------------------------------------------------------------- role

def _grant_target(row: PersonRow, grant: RoleGrant, province: str) -> Scope:
    """The place a grant covers, as the permission table sees it."""
    if grant.scope_kind == "team" and row.team is not None and str(row.team.id) == grant.scope_id:
        return team_scope(row.team)
    if grant.scope_kind == "commune":
        return Scope(province, grant.scope_id)
    if grant.scope_kind == "team":
        return Scope(province)  # a team elsewhere: only province-level people may touch it
    return Scope(province)


def _role_target(row: PersonRow, role: Role, province: str) -> Scope | None:
    """Where ``role`` would be granted for this person; None if it cannot apply to them."""
    return role_target(role, team_scope(row.team) if row.team is not None else None, province)


def _may_set_role(ctx: Ctx, row: PersonRow, grants: list[RoleGrant], role: Role) -> bool:
    province = ctx.services.settings.province_code
    target = _role_target(row, role, province)
    if target is None or not can_invite(ctx.caller.grants, role, target):
        return False
    # Taking a role away needs the same right as giving it.
    return all(can_invite(ctx.caller.grants, g.role, _grant_target(row, g, province))
               for g in grants if g.role is not role)


async def _ask_role(ctx: Ctx, member_id: int, _arg: str) -> None:
    row = await _managed(ctx, member_id)
    if row is None:
        return
    grants = await ctx.services.read.access.grants_of(member_id)
    current = _role_of(grants)
    choices = [r for r in Role if r is not current and _may_set_role(ctx, row, grants, r)]
    if not choices:
        await ctx.answer(ctx.t("member.no_roles", name=row.member.full_name,
                               role=ctx.t(f"role.{current.value}")))
        return
    buttons = [Button(ctx.t(f"role.{r.value}"), ROLE_PICKED.pack(member_id, _CODE_OF[r]))
               for r in choices]
    await ctx.answer(ctx.t("member.pick_role", name=row.member.full_name,
                           role=ctx.t(f"role.{current.value}")), buttons=grid(buttons))


async def _confirm_role(ctx: Ctx, member_id: int, code: str) -> None:
    row = await _managed(ctx, member_id)
    role = _ROLE_CODES.get(code)
    if row is None:
        return
    grants = await ctx.services.read.access.grants_of(member_id)
    if role is None or not _may_set_role(ctx, row, grants, role):
        await ctx.answer(ctx.t("member.role_not_allowed"))
        return
    await ctx.answer(ctx.t("member.confirm_role", name=row.member.full_name,
                           role=ctx.t(f"role.{role.value}")),
                     buttons=_confirm(ctx, ROLE_OK.pack(member_id, code)))


async def _set_role(ctx: Ctx, member_id: int, code: str) -> None:
    row = await _managed(ctx, member_id)
    role = _ROLE_CODES.get(code)
    if row is None:
        return
    province = ctx.services.settings.province_code
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        grants = await repos.access.grants_of(member_id)
        allowed = role is not None and _may_set_role(ctx, row, grants, role)
        if allowed and role is not None:
            old = _role_of(grants)
            await repos.people.revoke_grants(member_id)
            team = row.team
            scope = grant_scope(role, team_id=team.id if team else None,
                                commune_code=team.commune_code if team else None,
                                province_code=province)
            if scope is not None:
                await repos.access.grant(member_id=member_id, role=role, scope_kind=scope[0],
                                         scope_id=scope[1], granted_by=_actor(ctx), now=ctx.now)
            await repos.audit.record(actor=_actor(ctx), action="member.role",
                                     target=f"member:{member_id}", now=ctx.now,
                                     old=old.value, new=role.value)
    if not allowed or role is None:
        await ctx.answer(ctx.t("member.role_not_allowed"))
        return
    await _done(ctx, member_id, ctx.t("member.role_set", name=row.member.full_name,
                                      role=ctx.t(f"role.{role.value}")))


# ----------------------------------------------------------------------------- deactivate

async def _ask_deactivate(ctx: Ctx, member_id: int, _arg: str) -> None:
    row = await _managed(ctx, member_id)
    if row is None:
        return
    if not await _may_deactivate(ctx, row):
        return
    await ctx.answer(ctx.t("member.confirm_deactivate", name=row.member.full_name),
                     buttons=_confirm(ctx, OFF_OK.pack(member_id)))


async def _may_deactivate(ctx: Ctx, row: PersonRow) -> bool:
    if ctx.caller.member is not None and ctx.caller.member.id == row.member.id:
        await ctx.answer(ctx.t("member.not_yourself"))
        return False
    grants = await ctx.services.read.access.grants_of(row.member.id)
    province = ctx.services.settings.province_code
    if not all(can_invite(ctx.caller.grants, g.role, _grant_target(row, g, province))
               for g in grants):
        await ctx.answer(ctx.t("member.role_not_allowed"))
        return False
    return True


async def _deactivate(ctx: Ctx, member_id: int, _arg: str) -> None:
    row = await _managed(ctx, member_id)
    if row is None or not await _may_deactivate(ctx, row):
        return
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.people.set_member_active(member_id, False, ctx.now)
        await repos.audit.record(actor=_actor(ctx), action="member.deactivate",
                                 target=f"member:{member_id}", now=ctx.now,
                                 name=row.member.full_name)
    await _done(ctx, member_id, ctx.t("member.deactivated", name=row.member.full_name))


async def _reactivate(ctx: Ctx, member_id: int, _arg: str) -> None:
    row = await _managed(ctx, member_id)
    if row is None:
        return
    if row.team is not None and not row.team.active:
        await ctx.answer(ctx.t("member.team_inactive", team=row.team.name))
        return
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.people.set_member_active(member_id, True, ctx.now)
        await repos.audit.record(actor=_actor(ctx), action="member.reactivate",
                                 target=f"member:{member_id}", now=ctx.now,
                                 name=row.member.full_name)
    await _done(ctx, member_id, ctx.t("member.reactivated", name=row.member.full_name))


# ----------------------------------------------------------------------------- add

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
    if phone and await ctx.services.read.people.phone_taken(phone):
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
    target = await ctx.services.read.people.team(int(arg)) if arg.isdigit() else None
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
        taken = bool(phone) and await repos.people.phone_taken(str(phone))
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
