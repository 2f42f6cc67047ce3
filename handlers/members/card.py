"""The /member card: one person, with buttons to rename, move, change role or deactivate.

Also what every /member step shares: the callback-data verbs (the card's buttons are the other
steps' entry points), the check that the caller may manage this person, the confirm buttons and
the menu refresh after a change. Phones are masked except for admins.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import calendar as periods
from bot.core.callback_data import (
    COMMUNE_CODE,
    ID,
    Field,
    OfCommune,
    OfMember,
    OfTeam,
    OneOf,
    Ref,
    Values,
    Verb,
)
from bot.core.chat import Button
from bot.core.models import RoleGrant
from bot.core.permissions import Action, Scope
from bot.core.roles import Role
from handlers.kit.context import Ctx
from handlers.kit.menus import refresh_member_menus
from handlers.kit.scope import refuse_place, team_scope
from storage.repos.members import PersonRow

ROLE_CODES = {"m": Role.MEMBER, "tl": Role.TEAM_LEADER, "cc": Role.COMMUNE_COORDINATOR,
               "pc": Role.PROVINCE_COORDINATOR, "ad": Role.ADMIN}
CODE_OF = {role: code for code, role in ROLE_CODES.items()}

_PERSON = Field("member", ID, ref=Ref.MEMBER, needs=Action.MANAGE_PEOPLE)
_TEAM = Field("team", ID, ref=Ref.TEAM, needs=Action.MANAGE_PEOPLE)
_COMMUNE = Field("commune", COMMUNE_CODE, ref=Ref.COMMUNE, needs=Action.MANAGE_PEOPLE)
_ROLE = Field("role", OneOf(tuple(ROLE_CODES)))


@dataclass(frozen=True)
class PersonToCommune(Values):
    member: int
    commune: str


@dataclass(frozen=True)
class PersonToTeam(Values):
    member: int
    team: int


@dataclass(frozen=True)
class PersonToRole(Values):
    member: int
    #: A key of :data:`ROLE_CODES`.
    role: str


CARD = Verb("mem", "v", (_PERSON,), shape=OfMember)
RENAME = Verb("mem", "rn", (_PERSON,), shape=OfMember)
RENAME_OK = Verb("mem", "rnok", (_PERSON,), shape=OfMember)
MOVE = Verb("mem", "mv", (_PERSON,), shape=OfMember)
MOVE_COMMUNE = Verb("mem", "mvc", (_PERSON,), shape=OfMember)
MOVE_COMMUNE_PICKED = Verb("mem", "mvcc", (_PERSON, _COMMUNE), shape=PersonToCommune)
MOVE_TO = Verb("mem", "mvt", (_PERSON, _TEAM), shape=PersonToTeam)
MOVE_OK = Verb("mem", "mvok", (_PERSON, _TEAM), shape=PersonToTeam)
ROLE = Verb("mem", "rl", (_PERSON,), shape=OfMember)
ROLE_PICKED = Verb("mem", "rlr", (_PERSON, _ROLE), shape=PersonToRole)
ROLE_OK = Verb("mem", "rlok", (_PERSON, _ROLE), shape=PersonToRole)
OFF = Verb("mem", "off", (_PERSON,), shape=OfMember)
OFF_OK = Verb("mem", "offok", (_PERSON,), shape=OfMember)
ON = Verb("mem", "on", (_PERSON,), shape=OfMember)
ADD_COMMUNE = Verb("mem", "addc", (_COMMUNE,), shape=OfCommune)
ADD_TEAM = Verb("mem", "addt", (_TEAM,), shape=OfTeam)
ADD_OK = Verb("mem", "addok", (_TEAM,), shape=OfTeam)
CANCEL = Verb("mem", "x")
VERBS = (CARD, RENAME, RENAME_OK, MOVE, MOVE_COMMUNE, MOVE_COMMUNE_PICKED, MOVE_TO, MOVE_OK,
         ROLE, ROLE_PICKED, ROLE_OK, OFF, OFF_OK, ON, ADD_COMMUNE, ADD_TEAM, ADD_OK, CANCEL)


async def managed(ctx: Ctx, member_id: int) -> PersonRow | None:
    """The person if the caller may manage them (else a polite, logged refusal)."""
    row = await ctx.services.read.members.person(member_id)
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


async def show_card(ctx: Ctx, member_id: int) -> None:
    row = await managed(ctx, member_id)
    if row is None:
        return
    read = ctx.services.read
    person = row.member
    grants = await read.access.grants_of(member_id)
    identities = await read.access.identities_of(member_id)
    month = periods.this_month(ctx.today)
    tallies = await read.tallies.member_by_category(member_id, month.start, month.end)
    n = ctx.services.t.number
    lines = [f"👤 {person.full_name}"]
    if row.team is not None:
        lines.append(ctx.t("member.card_team", team=row.team.name,
                           commune=row.team.commune_name))
    lines.append(ctx.t("member.card_role", role=ctx.t(f"role.{role_of(grants).value}")))
    if person.phone:
        lines.append(ctx.t("member.card_phone", phone=shown_phone(ctx, person.phone)))
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


def role_of(grants: list[RoleGrant]) -> Role:
    return max((g.role for g in grants), key=lambda r: r.rank, default=Role.MEMBER)


def shown_phone(ctx: Ctx, phone: str) -> str:
    if ctx.caller.role is Role.ADMIN:
        return phone
    return "•" * (len(phone) - 3) + phone[-3:]


def confirm_buttons(ctx: Ctx, data: str) -> tuple[tuple[Button, ...], ...]:
    return ((Button(ctx.t("admin.confirm"), data), Button(ctx.t("admin.cancel"), CANCEL.pack())),)


def actor_id(ctx: Ctx) -> int | None:
    return ctx.caller.member.id if ctx.caller.member else None


async def changed(ctx: Ctx, member_id: int, text: str) -> None:
    await refresh_member_menus(ctx.services, member_id)
    await ctx.answer(text)
