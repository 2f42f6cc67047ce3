"""Joining a team with an invitation: deep link ``/start CODE``, ``/join CODE``, or the bare code.

A team invitation asks the newcomer which registry entry is theirs (or their name if they are
not listed); an invitation for one person links directly. Linking twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import join_guard
from bot.core.callback_data import Field, Pattern, Values, Verb
from bot.core.chat import Button
from bot.core.flows import JoinFlow
from bot.core.i18n import LANGUAGES, Language
from bot.core.invitations import ALPHABET, CODE_LENGTH, normalise_code, problem
from bot.core.models import Invitation, Member
from bot.core.roles import Role
from bot.core.text import tidy
from handlers.kit.caller import load_caller
from handlers.kit.context import Caller, Ctx
from handlers.kit.flow_store import save_flow
from handlers.kit.main_menu import member_menu
from handlers.kit.menus import refresh_menu
from handlers.kit.routing import ButtonRoute, Command, Feature, FlowRoute, press_of
from storage.repos import Repos
from storage.repos.sql import parse_ts

MAX_NAME = 80
#: ``join:<code>:<member id|new>``: which registry entry a newcomer is (the handler checks the
#: entry belongs to the invitation's team and has no account on this channel yet).


@dataclass(frozen=True)
class Picked(Values):
    #: The invitation's code.
    code: str
    #: A member id from the team's list, or "new".
    who: str


PICK = Verb("join", "", (Field("code", Pattern(f"[{ALPHABET}]{{{CODE_LENGTH}}}")),
                         Field("who", Pattern(r"\d{1,12}|new"))), shape=Picked)


async def join_command(ctx: Ctx) -> None:
    if not ctx.args:
        await ctx.reply(ctx.t("join.usage"))
        return
    await join_with_code(ctx, ctx.args)


async def code_typed(ctx: Ctx) -> bool:
    """A visitor who types just the code they were given is joining."""
    if ctx.caller.member is not None or not ctx.inc.text:
        return False
    code = normalise_code(ctx.inc.text)
    if code is None:
        return False
    await join_with_code(ctx, code)
    return True


async def join_with_code(ctx: Ctx, raw: str) -> None:
    invitation = await _usable_invitation(ctx, raw)
    if invitation is None:
        return
    member = ctx.caller.member
    if member is not None:
        await _upgrade_existing(ctx, member, invitation)
        return
    if invitation.member_id is not None:
        await _link(ctx, invitation, invitation.member_id)
        return
    if invitation.team_id is None:
        await _create_and_link(ctx, invitation, ctx.inc.display_name)
        return
    candidates = await ctx.services.read.members.unlinked_in_team(invitation.team_id,
                                                                  ctx.inc.channel)
    team = await ctx.services.read.teams.get(invitation.team_id)
    assert team is not None
    rows = [(Button(m.full_name, PICK.pack(invitation.code, m.id)),) for m in candidates[:20]]
    rows.append((Button(ctx.t("join.not_listed"), PICK.pack(invitation.code, "new")),))
    buttons = tuple(rows)
    await ctx.reply(ctx.t("join.who_are_you", team=team.name, commune=team.commune_name),
                    buttons=buttons)


async def picked(ctx: Ctx) -> None:
    press = press_of(ctx)
    picked = Picked.of(press)
    code, choice = picked.code, picked.who
    if ctx.caller.member is not None:
        await ctx.answer(ctx.t("join.already_member", name=ctx.caller.member.full_name))
        return
    invitation = await _usable_invitation(ctx, code)
    if invitation is None:
        return
    if choice == "new":
        await _ask_name(ctx, invitation)
        return
    await _link(ctx, invitation, int(choice))  # the verb's pattern: digits, or "new"


async def _ask_name(ctx: Ctx, invitation: Invitation) -> None:
    await save_flow(ctx, JoinFlow(code=invitation.code))
    await ctx.answer(ctx.t("join.ask_name"))


async def name_typed(ctx: Ctx, state: JoinFlow) -> None:
    name = tidy(ctx.inc.text or "")
    if not name or len(name) > MAX_NAME or not any(ch.isalpha() for ch in name):
        await ctx.reply(ctx.t("join.bad_name", limit=MAX_NAME))
        return
    if ctx.caller.member is not None:  # joined meanwhile (another button, another code)
        async with ctx.services.db.write() as conn:
            await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        await ctx.reply(ctx.t("join.already_member", name=ctx.caller.member.full_name))
        return
    invitation = await _usable_invitation(ctx, state.code)
    async with ctx.services.db.write() as conn:
        await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
    if invitation is not None:
        await _create_and_link(ctx, invitation, name)


async def _usable_invitation(ctx: Ctx, raw: str) -> Invitation | None:
    if not await _may_try(ctx):
        return None
    code = normalise_code(raw)
    invitation = await ctx.services.read.invitations.get(code) if code else None
    if invitation is None:
        await _wrong_code(ctx)
        await ctx.reply(ctx.t("join.unknown_code"))
        return None
    trouble = problem(expires_at=invitation.expires_at, revoked_at=invitation.revoked_at,
                      max_uses=invitation.max_uses, uses=invitation.uses, now=ctx.now)
    if trouble is not None:
        await ctx.reply(ctx.t(f"join.{trouble.value}"))
        return None
    return invitation


async def _may_try(ctx: Ctx) -> bool:
    """False (and the person told when to try again) after too many wrong codes this hour."""
    inc = ctx.inc
    since = join_guard.window_start(ctx.now)
    guard = ctx.services.read.join_guard
    failures = await guard.failures_since(inc.channel, inc.user_id, since)
    if not join_guard.locked(failures, ctx.services.settings.join_attempts_per_hour):
        return True
    oldest = await guard.oldest_since(inc.channel, inc.user_id, since)
    minutes = join_guard.minutes_to_wait(parse_ts(oldest) or ctx.now, ctx.now)
    await ctx.reply(ctx.t("join.too_many_attempts", minutes=minutes))
    return False


async def _wrong_code(ctx: Ctx) -> None:
    """Count a wrong code against this account (audited; the lock itself audited once)."""
    inc = ctx.inc
    limit = ctx.services.settings.join_attempts_per_hour
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.join_guard.record_failure(inc.channel, inc.user_id, ctx.now)
        failures = await repos.join_guard.failures_since(inc.channel, inc.user_id,
                                                         join_guard.window_start(ctx.now))
        actor = ctx.caller.member.id if ctx.caller.member else None
        await repos.audit.record(actor=actor, action="join.wrong_code", target=None,
                                 now=ctx.now, channel=inc.channel, user=inc.user_id)
        if failures == limit:
            await repos.audit.record(actor=actor, action="join.locked", target=None,
                                     now=ctx.now, channel=inc.channel, user=inc.user_id,
                                     failures=failures)


async def _link(ctx: Ctx, invitation: Invitation, member_id: int) -> None:
    inc = ctx.inc
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        member = await repos.members.get(member_id)
        valid = (
            member is not None and member.active
            and (invitation.member_id in (None, member_id))
            and (invitation.team_id is None or member.team_id == invitation.team_id)
        )
        taken = valid and any(
            i.channel == inc.channel for i in await repos.access.identities_of(member_id)
        )
        if valid and not taken:
            if not await repos.invitations.use(invitation.code):
                valid = False
            else:
                await repos.access.link(channel=inc.channel, external_id=inc.user_id,
                                        chat_id=inc.chat_id, member_id=member_id, now=ctx.now)
                await _keep_visitor_language(repos, ctx, member)
                await _grant_invited_role(repos, ctx, invitation, member_id)
                await repos.audit.record(actor=member_id, action="member.join",
                                         target=f"member:{member_id}", now=ctx.now,
                                         invitation=invitation.code, channel=inc.channel)
    if taken:
        await ctx.answer(ctx.t("join.taken"))
    elif not valid:
        await ctx.answer(ctx.t("join.used_up"))
    else:
        await _welcome(ctx, member_id)


async def _create_and_link(ctx: Ctx, invitation: Invitation, name: str) -> None:
    inc = ctx.inc
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        already = await repos.members.by_identity(inc.channel, inc.user_id)
        if already is not None:
            member_id = None  # this account is someone already (a press raced the name)
        elif not await repos.invitations.use(invitation.code):
            member_id = None
        else:
            member_id = await repos.members.create(
                full_name=tidy(name) or inc.user_id, team_id=invitation.team_id, phone=None,
                language=await _visitor_language(repos, ctx), now=ctx.now,
            )
            await repos.access.link(channel=inc.channel, external_id=inc.user_id,
                                    chat_id=inc.chat_id, member_id=member_id, now=ctx.now)
            await _grant_invited_role(repos, ctx, invitation, member_id)
            await repos.audit.record(actor=member_id, action="member.join_new",
                                     target=f"member:{member_id}", now=ctx.now,
                                     invitation=invitation.code, channel=inc.channel)
    if already is not None:
        await ctx.answer(ctx.t("join.already_member", name=already.full_name))
    elif member_id is None:
        await ctx.answer(ctx.t("join.used_up"))
    else:
        await _welcome(ctx, member_id)


async def _visitor_language(repos: Repos, ctx: Ctx) -> Language | None:
    """The language chosen with /lang before joining, if any."""
    chosen = await repos.chats.visitor_language(ctx.inc.channel, ctx.inc.user_id)
    return next((language for language in LANGUAGES if language == chosen), None)


async def _keep_visitor_language(repos: Repos, ctx: Ctx, member: Member | None) -> None:
    """A language chosen before joining stays chosen once the person is a member (unless the
    registry already holds theirs)."""
    chosen = await _visitor_language(repos, ctx)
    if member is not None and member.language is None and chosen is not None:
        await repos.members.set_language(member.id, chosen, ctx.now)


async def _upgrade_existing(ctx: Ctx, member: Member, invitation: Invitation) -> None:
    """A registered member opening an invitation for a role above theirs gets that role."""
    same_place = invitation.team_id is None or invitation.team_id == member.team_id
    if invitation.role is Role.MEMBER or not same_place or invitation.member_id not in (
        None, member.id
    ):
        await ctx.reply(ctx.t("join.already_member", name=member.full_name))
        return
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        if await repos.invitations.use(invitation.code):
            await _grant_invited_role(repos, ctx, invitation, member.id)
    await _welcome(ctx, member.id)


async def _grant_invited_role(repos: Repos, ctx: Ctx, invitation: Invitation,
                              member_id: int) -> None:
    await repos.access.grant_role(
        member_id=member_id, role=invitation.role, team_id=invitation.team_id,
        commune_code=invitation.commune_code, province_code=invitation.province_code,
        granted_by=invitation.created_by, now=ctx.now,
    )


async def _welcome(ctx: Ctx, member_id: int) -> None:
    member = await ctx.services.read.members.get(member_id)
    assert member is not None
    caller: Caller = await load_caller(ctx.services, member, ctx.lang)
    ctx.caller = caller
    if caller.team is not None:
        text = ctx.t("join.welcome_team", name=member.full_name, team=caller.team.name,
                     commune=caller.team.commune_name)
    else:
        text = ctx.t("join.welcome", name=member.full_name)
    role = caller.role
    if role is not None and role is not Role.MEMBER:
        text += "\n" + ctx.t("join.your_role", role=ctx.t(f"role.{role.value}"))
    await refresh_menu(ctx)  # before the welcome, so the menu is there when it is read
    menu = member_menu(ctx) if caller.team is not None else None
    await ctx.reply(text + "\n\n" + ctx.t("join.next_steps"), menu=menu)


feature = Feature(
    commands=(Command("join", join_command, in_menu=False),),
    buttons=(ButtonRoute("join", picked, verbs=(PICK,)),),
    flows=(FlowRoute(JoinFlow, name_typed),),
    text_hooks=(code_typed,),
)
