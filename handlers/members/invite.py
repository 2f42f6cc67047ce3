"""/invite: a leader, coordinator or admin creates an invitation link and code.

A team leader gets their own team's link at once. A coordinator picks the team with buttons
(a province coordinator or admin first picks the commune); whoever may invite a team leader or a
coordinator also picks the role. Every step re-checks the permission table.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.callback_data import (
    COMMUNE_CODE,
    ID,
    Field,
    OfCommune,
    OfTeam,
    OneOf,
    Ref,
    Values,
    Verb,
)
from bot.core.chat import Button
from bot.core.invitations import deep_link, default_max_uses, expiry, new_code
from bot.core.models import Invitation, Team
from bot.core.permissions import INVITE_ACTION, Action, Scope
from bot.core.roles import Role
from bot.core.text import fold
from handlers.kit.commune_picker import allowed_communes, commune_rows
from handlers.kit.context import Ctx
from handlers.kit.routing import ButtonRoute, Command, Feature, press_of
from handlers.kit.scope import scopes_for
from storage.repos import Repos

TEAM_ROLES = (Role.MEMBER, Role.TEAM_LEADER)

_TEAM = Field("team", ID, ref=Ref.TEAM, needs=Action.INVITE_MEMBER)


@dataclass(frozen=True)
class TeamRole(Values):
    team: int
    #: One of :data:`TEAM_ROLES`' values.
    role: str


PICK_COMMUNE = Verb("inv", "c", (Field("commune", COMMUNE_CODE, ref=Ref.COMMUNE,
                                       needs=Action.INVITE_MEMBER),), shape=OfCommune)
PICK_TEAM = Verb("inv", "t", (_TEAM,), shape=OfTeam)
MAKE = Verb("inv", "m", (_TEAM, Field("role", OneOf(tuple(r.value for r in TEAM_ROLES)))),
            shape=TeamRole)
MAKE_COORDINATOR = Verb("inv", "mc", (Field("commune", COMMUNE_CODE, ref=Ref.COMMUNE,
                                            needs=Action.INVITE_COMMUNE_COORDINATOR),),
                        shape=OfCommune)
MAKE_PROVINCE = Verb("inv", "mp", requires=Action.INVITE_PROVINCE_COORDINATOR)
MAKE_ADMIN = Verb("inv", "ma", requires=Action.INVITE_ADMIN)


async def invite(ctx: Ctx) -> None:
    caller = ctx.caller
    if ctx.args.strip():
        await _invite_named(ctx, ctx.args.split())
        return
    if caller.team is not None and not caller.can_somewhere(Action.INVITE_TEAM_LEADER):
        await _make_for_team(ctx, caller.team, Role.MEMBER)  # a team leader: their own team
        return
    province = ctx.services.settings.province_code
    allowed = await allowed_communes(ctx, Action.INVITE_MEMBER)
    if len(allowed) == 1:
        await _show_teams(ctx, allowed[0].code)
        return
    rows = commune_rows(allowed, Action.INVITE_MEMBER, f"{PICK_COMMUNE.key}:")
    extra = []
    if caller.can(Action.INVITE_PROVINCE_COORDINATOR, Scope(province)):
        extra.append(Button(ctx.t("role.province_coordinator"), MAKE_PROVINCE.pack()))
    if caller.can(Action.INVITE_ADMIN, Scope(province)):
        extra.append(Button(ctx.t("role.admin"), MAKE_ADMIN.pack()))
    if extra:
        rows = (*rows, tuple(extra))
    await ctx.reply(ctx.t("invite.pick_commune"), buttons=rows)


async def _invite_named(ctx: Ctx, words: list[str]) -> None:
    """``/invite Khu vực 1 [member|leader]`` or ``/invite 12 leader``: a team within reach."""
    role = _role_word(words[-1])
    if role is not None:
        words = words[:-1]
    role = role or Role.MEMBER
    text = " ".join(words)
    if not text:
        if ctx.caller.team is not None:
            await _make_for_team(ctx, ctx.caller.team, role)
        else:
            await ctx.reply(ctx.t("invite.usage"))
        return
    scopes = scopes_for(ctx, Action.INVITE_MEMBER)
    read = ctx.services.read
    if text.isdigit():
        team = await read.teams.get(int(text))
        found = [team] if team is not None and any(
            s.contains(Scope(team.province_code, team.commune_code, team.id))
            for s in scopes) else []
    else:
        found = await read.teams.search(scopes, text)
        exact = [t for t in found if fold(t.name) == fold(text)]
        found = exact or found
    if len(found) == 1:
        await _make_for_team(ctx, found[0], role)
    elif found:
        await ctx.reply(ctx.t("invite.which_team", text=text[:60]), buttons=_grid(
            [Button(f"{t.name} – {t.commune_name}", MAKE.pack(t.id, role.value)) for t in found]))
    else:
        # Whether the team exists elsewhere is not the caller's business: one answer for both.
        await ctx.reply(ctx.t("invite.no_such_team", text=text[:60]))


async def pressed(ctx: Ctx) -> None:
    press = press_of(ctx)
    verb = press.verb
    read = ctx.services.read
    province = ctx.services.settings.province_code
    if verb is PICK_COMMUNE:
        await _show_teams(ctx, OfCommune.of(press).commune)
    elif verb is PICK_TEAM:
        team = await read.teams.get(OfTeam.of(press).team)
        if team is not None:
            await _show_roles(ctx, team)
    elif verb is MAKE:
        made = TeamRole.of(press)
        team = await read.teams.get(made.team)
        if team is not None:
            await _make_for_team(ctx, team, Role(made.role))
    elif verb is MAKE_COORDINATOR:
        commune = await read.geo.commune(OfCommune.of(press).commune)
        if commune is not None:
            await _make(ctx, Role.COMMUNE_COORDINATOR, Scope(commune.province_code, commune.code),
                        commune_code=commune.code, place=commune.name)
    elif verb in (MAKE_PROVINCE, MAKE_ADMIN):
        role = Role.PROVINCE_COORDINATOR if verb is MAKE_PROVINCE else Role.ADMIN
        found = await read.geo.province(province)
        await _make(ctx, role, Scope(province), province_code=province,
                    place=found.name if found else province)


async def _show_teams(ctx: Ctx, commune_code: str) -> None:
    province = ctx.services.settings.province_code
    scope = Scope(province, commune_code)
    if not ctx.caller.can(Action.INVITE_MEMBER, scope):
        await ctx.answer(ctx.t("invite.not_here"))
        return
    teams = await ctx.services.read.teams.in_commune(commune_code)
    rows = _grid([Button(t.name, PICK_TEAM.pack(t.id)) for t in teams])
    if ctx.caller.can(Action.INVITE_COMMUNE_COORDINATOR, scope):
        rows = (*rows, (Button(ctx.t("role.commune_coordinator"),
                               MAKE_COORDINATOR.pack(commune_code)),))
    commune = await ctx.services.read.geo.commune(commune_code)
    await ctx.answer(ctx.t("invite.pick_team", commune=commune.name if commune else commune_code),
                     buttons=rows)


async def _show_roles(ctx: Ctx, team: Team) -> None:
    scope = Scope(team.province_code, team.commune_code, team.id)
    roles = [r for r in TEAM_ROLES if ctx.caller.can(_action(r), scope)]
    if len(roles) <= 1:
        await _make_for_team(ctx, team, Role.MEMBER)
        return
    buttons = (tuple(Button(ctx.t(f"role.{r.value}"), MAKE.pack(team.id, r.value))
                     for r in roles),)
    await ctx.answer(ctx.t("invite.pick_role", team=team.name), buttons=buttons)


async def _make_for_team(ctx: Ctx, team: Team, role: Role) -> None:
    await _make(ctx, role, Scope(team.province_code, team.commune_code, team.id),
                team_id=team.id, commune_code=team.commune_code,
                place=f"{team.name}, {team.commune_name}")


async def _make(ctx: Ctx, role: Role, scope: Scope, *, place: str, team_id: int | None = None,
                commune_code: str | None = None, province_code: str | None = None) -> None:
    caller = ctx.caller
    if not caller.can(_action(role), scope) or caller.member is None:
        await ctx.answer(ctx.t("invite.not_here"))
        return
    now = ctx.now
    invitation = Invitation(
        code=new_code(), role=role, team_id=team_id, commune_code=commune_code,
        province_code=province_code or scope.province, member_id=None,
        max_uses=default_max_uses(role), uses=0,
        expires_at=expiry(now, ctx.services.settings.invite_ttl_days),
        created_by=caller.member.id, created_at=now, revoked_at=None,
    )
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.invitations.create(invitation)
        await repos.audit.record(actor=caller.member.id, action="invite.create",
                                 target=place, now=now, role=role.value, code=invitation.code)
    assert invitation.expires_at is not None
    uses = ctx.t("invite.single_use" if invitation.max_uses == 1 else "invite.multi_use")
    await ctx.answer(ctx.t(
        "invite.created", place=place, role=ctx.t(f"role.{role.value}"),
        link=deep_link(ctx.services.bot_username, invitation.code), code=invitation.code,
        expires=ctx.services.t.date(ctx.lang, invitation.expires_at.astimezone(
            ctx.services.settings.tz).date()),
        uses=uses,
    ))


def _action(role: Role) -> Action:
    return INVITE_ACTION[role]


_ROLE_WORDS = {
    "member": Role.MEMBER, "thanhvien": Role.MEMBER,
    "leader": Role.TEAM_LEADER, "totruong": Role.TEAM_LEADER, "team_leader": Role.TEAM_LEADER,
}


def _role_word(word: str) -> Role | None:
    return _ROLE_WORDS.get(fold(word).replace(" ", ""))


def _grid(buttons: list[Button], per_row: int = 2) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row))


feature = Feature(
    commands=(Command("invite", invite, requires=Action.INVITE_MEMBER, members_only=True),),
    buttons=(ButtonRoute("inv", pressed, verbs=(PICK_COMMUNE, PICK_TEAM, MAKE, MAKE_COORDINATOR,
                                                MAKE_PROVINCE, MAKE_ADMIN),
                         requires=Action.INVITE_MEMBER, members_only=True),),
)
