"""/mydata and /forget: a person's own data, shown in full and erased on request.

``/mydata`` shows everything the bot holds about the person asking: profile, chat identities,
roles, and every session with its note, page by page (a "More" button; Zalo shows it as a
numbered choice). ``/forget`` erases their personal data after a confirmation: name, phone, chat
identities, roles, notes and photos go; their sessions stay as anonymous counts of their team.
An admin can do the same on someone's request: ``/forget <member id or name>``. Both are audited
without the erased data (see ``storage.repos.erasure``).

A deactivated member is still the owner of their data: both commands find the person by their
chat identity, active or not.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from bot.core.callback_data import FLOW_ID, ID, Field, Int, OfFlow, OfMember, Ref, Values, Verb
from bot.core.chat import Button
from bot.core.flows import ForgetFlow
from bot.core.models import Category, Member, RoleGrant, Session
from bot.core.permissions import Action, Scope
from handlers.kit.context import Caller, Ctx
from handlers.kit.flow_store import pending_flow, save_flow
from handlers.kit.menus import refresh_menu
from handlers.kit.routing import ButtonRoute, Command, Feature, press_of
from handlers.kit.scope import grid
from storage import evidence as evidence_files
from storage.repos import Repos

#: One message stays well within Telegram's 4096 characters (Zalo splits at 2000 on its own).
PAGE_CHARS = 3000
PAGE_FETCH = 60



@dataclass(frozen=True)
class More(Values):
    offset: int


MORE = Verb("pd", "p", (Field("offset", Int(digits=7)),), shape=More)
_FLOW = (Field("flow", FLOW_ID),)
ERASE = Verb("fg", "ok", _FLOW, shape=OfFlow)
KEEP = Verb("fg", "no", _FLOW, shape=OfFlow)
PICK = Verb("fg", "pick", (Field("member", ID, ref=Ref.MEMBER,
                                 needs=Action.ERASE_PERSONAL_DATA),),
            requires=Action.ERASE_PERSONAL_DATA, shape=OfMember)


async def _own(ctx: Ctx) -> Member | None:
    """The member behind this chat account, active or not (erased ones have no account)."""
    return await ctx.services.read.members.by_identity(ctx.inc.channel, ctx.inc.user_id)


# --- /mydata ----------------------------------------------------------------------------------


async def mydata(ctx: Ctx) -> None:
    member = await _own(ctx)
    if member is None:
        chosen = await ctx.services.read.chats.visitor_language(ctx.inc.channel, ctx.inc.user_id)
        text = ctx.t("mydata.visitor")
        if chosen:
            text += "\n" + ctx.t("mydata.visitor_language", language=ctx.t(f"language.{chosen}"))
        await ctx.reply(text)
        return
    await _page(ctx, member, 0)


async def more_pressed(ctx: Ctx) -> None:
    member = await _own(ctx)
    if member is None or ctx.press is None:
        await ctx.reply(ctx.t("errors.stale_button"))
        return
    await _page(ctx, member, More.of(ctx.press).offset)


async def _page(ctx: Ctx, member: Member, offset: int) -> None:
    read = ctx.services.read
    lines = await _profile(ctx, member) if offset == 0 else []
    total = await read.sessions.count_of(member.id)
    if offset == 0:
        lines += ["", ctx.t("mydata.sessions_title", count=_n(ctx, total))]
        photos = await read.evidence.count_of(member.id)
        if photos:
            lines.append(ctx.t("evidence.mydata", count=_n(ctx, photos),
                               days=_n(ctx, ctx.services.settings.evidence_retention_days)))
        if not total:
            lines.append(ctx.t("mydata.no_sessions"))
    categories = {c.id: c for c in await read.categories.all()}
    sessions = await read.sessions.page_of(member.id, offset=offset, limit=PAGE_FETCH)
    shown = 0
    size = sum(len(line) + 1 for line in lines)
    for session in sessions:
        line = _session_line(ctx, session, categories)
        if shown and size + len(line) > PAGE_CHARS:
            break
        lines.append(line)
        size += len(line) + 1
        shown += 1
    buttons: tuple[tuple[Button, ...], ...] = ()
    if offset + shown < total:
        lines += ["", ctx.t("mydata.more_hint", shown=_n(ctx, offset + shown),
                            total=_n(ctx, total))]
        buttons = ((Button(ctx.t("mydata.more"), MORE.pack(offset + shown)),),)
    else:
        lines += ["", ctx.t("mydata.forget_hint")]
    await ctx.reply("\n".join(lines), buttons=buttons)


async def _profile(ctx: Ctx, member: Member) -> list[str]:
    read = ctx.services.read
    t = ctx.services.t
    lines = [ctx.t("mydata.title"), "", ctx.t("mydata.name", name=member.full_name),
             ctx.t("mydata.phone", phone=member.phone or ctx.t("mydata.none"))]
    team = await read.teams.get(member.team_id) if member.team_id else None
    if team is not None:
        lines.append(ctx.t("mydata.team", team=team.name, commune=team.commune_name))
    language = ctx.t(f"language.{member.language}") if member.language else ctx.t(
        "mydata.language_default")
    lines.append(ctx.t("mydata.language", language=language))
    lines.append(ctx.t("mydata.since", date=t.date(ctx.lang, member.created_at.date())))
    if not member.active:
        lines.append(ctx.t("mydata.inactive"))
    lines += ["", ctx.t("mydata.identities_title")]
    for identity in await read.access.identities_of(member.id):
        lines.append(ctx.t("mydata.identity", channel=ctx.t(f"channel.{identity.channel}"),
                           id=identity.external_id,
                           date=t.date(ctx.lang, identity.linked_at.date())))
    grants = await read.access.grants_of(member.id)
    lines += ["", ctx.t("mydata.roles_title")]
    if team is not None:
        lines.append(ctx.t("mydata.role", role=ctx.t("role.member"), place=team.name))
    for grant in grants:
        lines.append(ctx.t("mydata.role", role=ctx.t(f"role.{grant.role.value}"),
                           place=await _grant_place(ctx, grant)))
    lines += ["", ctx.t("mydata.audit", count=_n(ctx, await read.audit.count_about(member.id)))]
    return lines


async def _grant_place(ctx: Ctx, grant: RoleGrant) -> str:
    read = ctx.services.read
    if grant.scope_kind == "team" and grant.scope_id.isdigit():
        team = await read.teams.get(int(grant.scope_id))
        return f"{team.name}, {team.commune_name}" if team else grant.scope_id
    if grant.scope_kind == "commune":
        commune = await read.geo.commune(grant.scope_id)
        return commune.name if commune else grant.scope_id
    if grant.scope_kind == "province":
        province = await read.geo.province(grant.scope_id)
        return province.name if province else grant.scope_id
    return ctx.t("mydata.everywhere")


def _session_line(ctx: Ctx, session: Session, categories: dict[int, Category]) -> str:
    category = categories.get(session.category_id)
    label = f"{category.emoji} {category.label(ctx.lang)}".strip() if category else "?"
    line = ctx.t("mydata.session", date=ctx.services.t.date(ctx.lang, session.session_date),
                 category=label, count=_n(ctx, session.citizens))
    if session.note:
        line += "\n   " + ctx.t("mydata.session_note", note=session.note)
    if session.photo_ref:
        line += " " + ctx.t("mydata.session_photo")
    if session.deleted_at is not None:
        line += " " + ctx.t("mydata.session_undone")
    return line


def _n(ctx: Ctx, value: int) -> str:
    return ctx.services.t.number(ctx.lang, value)


# --- /forget ----------------------------------------------------------------------------------


async def forget(ctx: Ctx) -> None:
    if ctx.args.strip():
        await _forget_someone(ctx, ctx.args.strip())
        return
    member = await _own(ctx)
    if member is None:
        async with ctx.services.db.write() as conn:  # a visitor's language is all there is
            await Repos(conn).erasure.forget_visitor(ctx.inc.channel, ctx.inc.user_id)
        await ctx.reply(ctx.t("forget.visitor"))
        return
    await _ask(ctx, member, own=True)


async def _forget_someone(ctx: Ctx, text: str) -> None:
    """An admin erasing a member's data on their request: ``/forget 123`` or a name."""
    if not ctx.caller.can_somewhere(Action.ERASE_PERSONAL_DATA):
        async with ctx.services.db.write() as conn:
            await Repos(conn).audit.record(
                actor=ctx.caller.member.id if ctx.caller.member else None, action="denied",
                target="/forget", now=ctx.now, channel=ctx.inc.channel, user=ctx.inc.user_id)
        await ctx.reply(ctx.t("forget.admin_only"))
        return
    read = ctx.services.read
    if text.isdigit():
        row = await read.members.person(int(text))
        found = [row] if row is not None and not await read.members.is_erased(row.member.id) \
            else []
    else:
        found = await read.members.search(
            [Scope(ctx.services.settings.province_code)], text, include_inactive=True,
            teamless=True)
    if not found:
        await ctx.reply(ctx.t("forget.not_found", text=text[:60]))
        return
    if len(found) > 1:
        buttons = [Button(f"{r.member.full_name} – {r.team.name if r.team else '—'}",
                          PICK.pack(r.member.id)) for r in found]
        await ctx.reply(ctx.t("forget.pick"), buttons=grid(buttons, per_row=1))
        return
    await _ask(ctx, found[0].member, own=False)


async def picked(ctx: Ctx) -> None:
    press = press_of(ctx)
    if press.verb is PICK:
        member = await ctx.services.read.members.get(OfMember.of(press).member)
        if member is not None:
            await _ask(ctx, member, own=False)
        return
    flow_id = OfFlow.of(press).flow
    state = await pending_flow(ctx, ForgetFlow, lambda s: s.id == flow_id)
    if state is None:
        return
    if press.verb is KEEP:
        async with ctx.services.db.write() as conn:
            await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        await ctx.answer(ctx.t("forget.kept"))
        return
    await _erase(ctx, state)


async def _ask(ctx: Ctx, member: Member, *, own: bool) -> None:
    state = ForgetFlow(id=secrets.token_hex(4), member_id=member.id, own=own)
    await save_flow(ctx, state)
    sessions = await ctx.services.read.sessions.count_of(member.id)
    key = "forget.confirm_own" if own else "forget.confirm_other"
    await ctx.reply(ctx.t(key, name=member.full_name, sessions=_n(ctx, sessions)), buttons=(
        (Button(ctx.t("forget.erase_button"), ERASE.pack(state.id)),),
        (Button(ctx.t("forget.keep_button"), KEEP.pack(state.id)),)))


async def _erase(ctx: Ctx, state: ForgetFlow) -> None:
    member_id, own = state.member_id, state.own
    mine = await _own(ctx)
    allowed = (mine is not None and mine.id == member_id) if own else \
        ctx.caller.can_somewhere(Action.ERASE_PERSONAL_DATA)
    if not allowed:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        identities = await repos.access.identities_of(member_id)
        await repos.chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        erasure = await repos.erasure.erase(member_id, identities, ctx.now)
        evidence = await repos.evidence.remove_member(member_id)
        copies = await repos.evidence.revoke_links(evidence)
        actor = member_id if own else (ctx.caller.member.id if ctx.caller.member else None)
        await repos.audit.record(actor=actor, action="member.erase", target=f"member:{member_id}",
                                 now=ctx.now, by="self" if own else "admin",
                                 sessions_kept=erasure.sessions_kept,
                                 identities=erasure.identities)
    settings = ctx.services.settings
    await evidence_files.forget(settings.evidence_dir, settings.files_dir, evidence, copies)
    kept = _n(ctx, erasure.sessions_kept)
    if own:
        ctx.caller = Caller(lang=ctx.lang)  # a visitor from now on, in the language they used
        await refresh_menu(ctx)
        await ctx.reply(ctx.t("forget.done_own", sessions=kept), menu=())
        return
    await ctx.answer(ctx.t("forget.done_other", sessions=kept))


feature = Feature(
    commands=(Command("mydata", mydata), Command("forget", forget)),
    buttons=(ButtonRoute("pd", more_pressed, verbs=(MORE,)),
             ButtonRoute("fg", picked, verbs=(ERASE, KEEP, PICK))),
)
