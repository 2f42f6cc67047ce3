"""/member changes to one person: rename, move to another team, change role, (re)activate.

Every action has a confirm step, re-checks the permission table at each step (the same one that
decides invitations: whoever may invite a team leader there may make someone team leader there),
writes the audit log, and refreshes the person's command menu in each of their chats.
"""

from __future__ import annotations

from bot.core.chat import Button
from bot.core.flows import MemberRenameFlow
from bot.core.models import RoleGrant, Team
from bot.core.names import MAX_PERSON_NAME, person_name
from bot.core.permissions import Action, Scope, can_invite, grant_scope, role_target
from bot.core.roles import Role
from handlers.kit.commune_picker import pick_commune
from handlers.kit.context import Ctx
from handlers.kit.rename import Rename, ask_new_name, confirmed
from handlers.kit.scope import grid, province_wide, refuse_place, team_scope
from handlers.members.card import (
    CANCEL,
    CODE_OF,
    MOVE_COMMUNE,
    MOVE_COMMUNE_PICKED,
    MOVE_OK,
    MOVE_TO,
    OFF_OK,
    RENAME_OK,
    ROLE_CODES,
    ROLE_OK,
    ROLE_PICKED,
    actor_id,
    changed,
    confirm_buttons,
    managed,
    role_of,
)
from storage.repos import Repos
from storage.repos.members import PersonRow

# ----------------------------------------------------------------------------- rename

class _RenameMember(Rename[MemberRenameFlow, PersonRow]):
    flow = MemberRenameFlow
    confirm = RENAME_OK
    cancel = CANCEL

    async def find(self, ctx: Ctx, target: int) -> PersonRow | None:
        return await managed(ctx, target)

    def parse(self, text: str) -> str | None:
        return person_name(text)

    def ask_text(self, ctx: Ctx, found: PersonRow) -> str:
        return ctx.t("member.ask_new_name", name=found.member.full_name)

    def bad_name_text(self, ctx: Ctx) -> str:
        return ctx.t("member.bad_name", limit=MAX_PERSON_NAME)

    def confirm_text(self, ctx: Ctx, found: PersonRow, new: str) -> str:
        return ctx.t("member.confirm_rename", old=found.member.full_name, new=new)

    async def write(self, ctx: Ctx, repos: Repos, found: PersonRow, name: str) -> bool:
        member_id = found.member.id
        await repos.members.rename(member_id, name, ctx.now)
        await repos.audit.record(actor=actor_id(ctx), action="member.rename",
                                 target=f"member:{member_id}", now=ctx.now,
                                 old=found.member.full_name, new=name)
        return True

    async def done(self, ctx: Ctx, found: PersonRow, name: str, written: bool) -> None:
        await changed(ctx, found.member.id,
                      ctx.t("member.renamed", old=found.member.full_name, new=name))


RENAME_MEMBER = _RenameMember()


async def ask_rename(ctx: Ctx, member_id: int) -> None:
    await ask_new_name(ctx, RENAME_MEMBER, member_id)


async def rename(ctx: Ctx, member_id: int) -> None:
    await confirmed(ctx, RENAME_MEMBER, member_id)


# ----------------------------------------------------------------------------- move

async def ask_move(ctx: Ctx, member_id: int) -> None:
    row = await managed(ctx, member_id)
    if row is None:
        return
    if row.team is None:
        await ask_move_commune(ctx, member_id)
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


async def ask_move_commune(ctx: Ctx, member_id: int) -> None:
    row = await managed(ctx, member_id)
    if row is None:
        return
    await ctx.answer(ctx.t("member.pick_commune", name=row.member.full_name),
                     buttons=await pick_commune(ctx, Action.MANAGE_PEOPLE,
                                                f"{MOVE_COMMUNE_PICKED.key}:{member_id}:"))


async def move_commune_picked(ctx: Ctx, member_id: int, commune_code: str) -> None:
    row = await managed(ctx, member_id)
    if row is not None:
        await _teams_to_move_to(ctx, row, commune_code)


async def _move_target(ctx: Ctx, member_id: int, team_id: int
                       ) -> tuple[PersonRow, Team] | None:
    """The member and the team they would move to, both checked (or None, answered)."""
    row = await managed(ctx, member_id)
    target = await ctx.services.read.teams.get(team_id)
    if row is None:
        return None
    if target is None or not target.active:
        await ctx.answer(ctx.t("errors.stale_button"))
        return None
    if not ctx.caller.can(Action.MANAGE_PEOPLE, team_scope(target)):
        await refuse_place(ctx, "member", target.commune_name)
        return None
    return row, target


async def confirm_move(ctx: Ctx, member_id: int, team_id: int) -> None:
    checked = await _move_target(ctx, member_id, team_id)
    if checked is None:
        return
    row, target = checked
    await ctx.answer(ctx.t("member.confirm_move", name=row.member.full_name, team=target.name,
                           commune=target.commune_name),
                     buttons=confirm_buttons(ctx, MOVE_OK.pack(member_id, target.id)))


async def move(ctx: Ctx, member_id: int, team_id: int) -> None:
    checked = await _move_target(ctx, member_id, team_id)
    if checked is None:
        return
    row, target = checked
    old = row.team
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.members.move_to_team(member_id, target.id, ctx.now)
        # Leading the old team does not follow the person to the new one.
        dropped = 0
        if old is not None:
            dropped = await repos.access.revoke(member_id, role=Role.TEAM_LEADER.value,
                                                       scope_kind="team", scope_id=str(old.id))
        await repos.audit.record(actor=actor_id(ctx), action="member.move",
                                 target=f"member:{member_id}", now=ctx.now,
                                 old=f"{old.name}, {old.commune_name}" if old else None,
                                 new=f"{target.name}, {target.commune_name}",
                                 leader_dropped=bool(dropped))
    text = ctx.t("member.moved", name=row.member.full_name, team=target.name,
                 commune=target.commune_name)
    if dropped:
        text += "\n" + ctx.t("member.leader_dropped")
    await changed(ctx, member_id, text)


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


async def ask_role(ctx: Ctx, member_id: int) -> None:
    row = await managed(ctx, member_id)
    if row is None:
        return
    grants = await ctx.services.read.access.grants_of(member_id)
    current = role_of(grants)
    choices = [r for r in Role if r is not current and _may_set_role(ctx, row, grants, r)]
    if not choices:
        await ctx.answer(ctx.t("member.no_roles", name=row.member.full_name,
                               role=ctx.t(f"role.{current.value}")))
        return
    buttons = [Button(ctx.t(f"role.{r.value}"), ROLE_PICKED.pack(member_id, CODE_OF[r]))
               for r in choices]
    await ctx.answer(ctx.t("member.pick_role", name=row.member.full_name,
                           role=ctx.t(f"role.{current.value}")), buttons=grid(buttons))


async def confirm_role(ctx: Ctx, member_id: int, code: str) -> None:
    row = await managed(ctx, member_id)
    role = ROLE_CODES.get(code)
    if row is None:
        return
    grants = await ctx.services.read.access.grants_of(member_id)
    if role is None or not _may_set_role(ctx, row, grants, role):
        await ctx.answer(ctx.t("member.role_not_allowed"))
        return
    await ctx.answer(ctx.t("member.confirm_role", name=row.member.full_name,
                           role=ctx.t(f"role.{role.value}")),
                     buttons=confirm_buttons(ctx, ROLE_OK.pack(member_id, code)))


async def set_role(ctx: Ctx, member_id: int, code: str) -> None:
    row = await managed(ctx, member_id)
    role = ROLE_CODES.get(code)
    if row is None:
        return
    province = ctx.services.settings.province_code
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        grants = await repos.access.grants_of(member_id)
        allowed = role is not None and _may_set_role(ctx, row, grants, role)
        if allowed and role is not None:
            old = role_of(grants)
            await repos.access.revoke(member_id)
            team = row.team
            scope = grant_scope(role, team_id=team.id if team else None,
                                commune_code=team.commune_code if team else None,
                                province_code=province)
            if scope is not None:
                await repos.access.grant(member_id=member_id, role=role, scope_kind=scope[0],
                                         scope_id=scope[1], granted_by=actor_id(ctx), now=ctx.now)
            await repos.audit.record(actor=actor_id(ctx), action="member.role",
                                     target=f"member:{member_id}", now=ctx.now,
                                     old=old.value, new=role.value)
    if not allowed or role is None:
        await ctx.answer(ctx.t("member.role_not_allowed"))
        return
    await changed(ctx, member_id, ctx.t("member.role_set", name=row.member.full_name,
                                      role=ctx.t(f"role.{role.value}")))


# ----------------------------------------------------------------------------- deactivate

async def ask_deactivate(ctx: Ctx, member_id: int) -> None:
    row = await managed(ctx, member_id)
    if row is None:
        return
    if not await _may_deactivate(ctx, row):
        return
    await ctx.answer(ctx.t("member.confirm_deactivate", name=row.member.full_name),
                     buttons=confirm_buttons(ctx, OFF_OK.pack(member_id)))


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


async def deactivate(ctx: Ctx, member_id: int) -> None:
    row = await managed(ctx, member_id)
    if row is None or not await _may_deactivate(ctx, row):
        return
    await _set_active(ctx, row, False)


async def reactivate(ctx: Ctx, member_id: int) -> None:
    row = await managed(ctx, member_id)
    if row is None:
        return
    if row.team is not None and not row.team.active:
        await ctx.answer(ctx.t("member.team_inactive", team=row.team.name))
        return
    await _set_active(ctx, row, True)


async def _set_active(ctx: Ctx, row: PersonRow, active: bool) -> None:
    """Deactivate or reactivate, audited, and say so."""
    member_id, name = row.member.id, row.member.full_name
    action, said = (("member.reactivate", "member.reactivated") if active
                    else ("member.deactivate", "member.deactivated"))
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.members.set_active(member_id, active, ctx.now)
        await repos.audit.record(actor=actor_id(ctx), action=action,
                                 target=f"member:{member_id}", now=ctx.now, name=name)
    await changed(ctx, member_id, ctx.t(said, name=name))
