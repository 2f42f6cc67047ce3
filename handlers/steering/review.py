"""/review (team leader, commune coordinator): the flagged sessions of one's team or commune.

Each flagged session comes as one message with ✅ Confirm and ❌ Reject. Confirm keeps it in
the figures and closes the flag. Reject asks why (two common reasons as buttons, or typed): the
session is then undone (it leaves every figure, as an /undo would), the reason is kept with the
flag and in the audit log, and the member is told through the outbox — politely, with the
reason and who to ask. Someone else may have decided the same flag meanwhile: the second answer
says so and changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from bot.core.assistance import check_note, mask_personal_numbers
from bot.core.callback_data import FLOW_ID, ID, Field, OfFlow, OneOf, Ref, Values, Verb
from bot.core.chat import Button, OutMessage
from bot.core.flows import ReviewFlow
from bot.core.permissions import Action, Scope
from bot.core.plausibility import Hit, Rule
from handlers.kit.context import Ctx
from handlers.kit.flow_store import pending_flow, save_flow
from handlers.kit.month_lock import refused_by_lock
from handlers.kit.outbox import OutboxMessage, enqueue
from handlers.kit.routing import ButtonRoute, Command, Feature, FlowRoute, press_of
from handlers.kit.scope import scopes_for
from storage.repos import Repos
from storage.repos.plausibility import Flag

#: Flagged sessions shown per /review: a phone screen of messages, the rest on the next /review.
PAGE = 5
#: A reason is a sentence, not a letter.
MAX_REASON = 300
#: The member is told within a week or not at all (a rejection told a month late confuses).
TELL_FOR = timedelta(days=7)


@dataclass(frozen=True)
class OfFlag(Values):
    flag: int


@dataclass(frozen=True)
class ReasonPicked(OfFlow):
    flag: int
    reason: str


_FLAG = Field("flag", ID, ref=Ref.FLAG, needs=Action.REVIEW_SESSIONS)
CONFIRM = Verb("rev", "ok", (_FLAG,), shape=OfFlag)
REJECT = Verb("rev", "no", (_FLAG,), shape=OfFlag)
REASON = Verb("rev", "why", (Field("flow", FLOW_ID), _FLAG,
                             Field("reason", OneOf(("dup", "figures")))), shape=ReasonPicked)


async def review(ctx: Ctx) -> None:
    scopes = scopes_for(ctx, Action.REVIEW_SESSIONS)
    read = ctx.services.read.plausibility
    total = sum([await read.count_open(scope) for scope in scopes])
    if not total:
        await ctx.reply(ctx.t("review.none"))
        return
    flags: list[Flag] = []
    for scope in scopes:
        flags += await read.open_in(scope, limit=PAGE - len(flags))
        if len(flags) >= PAGE:
            break
    await ctx.reply(ctx.t("review.title", count=ctx.services.t.number(ctx.lang, total)))
    for flag in flags:
        await ctx.reply(await _flag_text(ctx, flag), buttons=(
            (Button(ctx.t("review.confirm"), CONFIRM.pack(flag.id)),
             Button(ctx.t("review.reject"), REJECT.pack(flag.id))),))
    if total > len(flags):
        await ctx.reply(ctx.t("review.more", count=ctx.services.t.number(
            ctx.lang, total - len(flags))))


async def _flag_text(ctx: Ctx, flag: Flag) -> str:
    category = await ctx.services.read.categories.get(flag.category_id)
    label = f"{category.emoji} {category.label(ctx.lang)}".strip() if category else "?"
    t = ctx.services.t
    lines = [
        ctx.t("review.session", name=flag.member_name, team=flag.team_name or "—",
              date=t.date(ctx.lang, flag.session_date)),
        ctx.t("review.figures", category=label, count=t.number(ctx.lang, flag.citizens)),
        ctx.t("review.why"),
        *(f"• {hit_text(ctx, Hit(Rule(rule), limit, value))}"
          for rule, limit, value in flag.detail),
    ]
    return "\n".join(lines)


async def pressed(ctx: Ctx) -> None:
    press = press_of(ctx)
    picked = ReasonPicked.of(press) if press.verb is REASON else None
    flag_id = picked.flag if picked is not None else OfFlag.of(press).flag
    flag = await ctx.services.read.plausibility.get(flag_id)
    if flag is None:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    if flag.status != "open":
        await ctx.answer(ctx.t("review.already", status=ctx.t(f"review.status_{flag.status}")))
        return
    if ctx.caller.member is not None and flag.member_id == ctx.caller.member.id:
        await ctx.answer(ctx.t("review.not_own"))  # nobody signs off their own figures
        return
    if press.verb is CONFIRM:
        await _decide(ctx, flag, confirmed=True, reason=None)
    elif press.verb is REJECT:
        state = ReviewFlow(id=secrets.token_hex(3), flag_id=flag.id)
        await save_flow(ctx, state)
        await ctx.answer(ctx.t("review.ask_reason"), buttons=(
            (Button(ctx.t("review.reason_dup"), REASON.pack(state.id, flag.id, "dup")),),
            (Button(ctx.t("review.reason_figures"), REASON.pack(state.id, flag.id, "figures")),),
        ))
    elif picked is not None:
        pending = await pending_flow(ctx, ReviewFlow, lambda s: s.id == picked.flow
                                     and s.flag_id == flag.id)
        if pending is None:
            return
        preset = picked.reason
        await _decide(ctx, flag, confirmed=False, reason=ctx.t(f"review.reason_{preset}"),
                      preset=preset)


async def reason_typed(ctx: Ctx, state: ReviewFlow) -> None:
    text = " ".join((ctx.inc.text or "").split())
    if not text or len(text) > MAX_REASON or check_note(text) is not None:
        await ctx.reply(ctx.t("review.reason_bad", max=MAX_REASON))
        return
    flag = await ctx.services.read.plausibility.get(state.flag_id)
    if flag is None or not ctx.caller.can(Action.REVIEW_SESSIONS, _place(ctx, flag)):
        await ctx.reply(ctx.t("errors.stale_button"))
        return
    if flag.status != "open":
        async with ctx.services.db.write() as conn:
            await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        await ctx.reply(ctx.t("review.already", status=ctx.t(f"review.status_{flag.status}")))
        return
    await _decide(ctx, flag, confirmed=False, reason=mask_personal_numbers(text).text)


def _place(ctx: Ctx, flag: Flag) -> Scope:
    return Scope(ctx.services.settings.province_code, flag.commune_code, flag.team_id)


async def _decide(ctx: Ctx, flag: Flag, *, confirmed: bool, reason: str | None,
                  preset: str | None = None) -> None:
    """Close the flag (a rejection undoes the session); ``preset`` names a reason picked from
    the buttons, which the member reads in their own language."""
    if not confirmed and await refused_by_lock(ctx, flag.commune_code, flag.session_date):
        async with ctx.services.db.write() as conn:  # an approved month: reopen it first
            await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        return
    member = ctx.caller.member
    actor = member.id if member else None
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        done = await repos.plausibility.decide(
            flag.id, status="confirmed" if confirmed else "rejected", by=actor, reason=reason,
            now=ctx.now)
        if done and not confirmed:
            await repos.sessions.delete(flag.session_id, ctx.now)
        if done:
            await repos.audit.record(
                actor=actor, action="review.confirm" if confirmed else "review.reject",
                target=f"session {flag.session_id}", now=ctx.now, member=flag.member_id,
                rules=",".join(flag.rules), reason=reason)
        await repos.chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
    if not done:
        fresh = await ctx.services.read.plausibility.get(flag.id)
        status = fresh.status if fresh else "rejected"
        await ctx.answer(ctx.t("review.already", status=ctx.t(f"review.status_{status}")))
        return
    t = ctx.services.t
    what = {"name": flag.member_name, "date": t.date(ctx.lang, flag.session_date),
                "count": t.number(ctx.lang, flag.citizens)}
    if confirmed:
        await ctx.answer(ctx.t("review.confirmed", **what))
        return
    await ctx.answer(ctx.t("review.rejected", reason=reason or "", **what))
    await _tell_member(ctx, flag, reason or "", preset)


async def _tell_member(ctx: Ctx, flag: Flag, reason: str, preset: str | None) -> None:
    """The member hears it from the bot, with the reason and who decided (never silently)."""
    services = ctx.services
    person = await services.read.members.get(flag.member_id)
    if person is None:
        return
    lang = person.language or services.settings.default_language
    category = await services.read.categories.get(flag.category_id)
    reviewer = ctx.caller.member.full_name if ctx.caller.member else ""
    if preset is not None:
        reason = services.t(lang, f"review.reason_{preset}")
    text = services.t(lang, "review.told_member",
                      date=services.t.date(lang, flag.session_date),
                      category=category.label(lang) if category else "",
                      count=services.t.number(lang, flag.citizens), reason=reason,
                      reviewer=reviewer)
    items = [OutboxMessage(dedup_key=f"review:reject:{flag.id}:{identity.channel}",
                           channel=identity.channel, chat_id=identity.chat_id,
                           message=OutMessage(text=text, lang=lang), kind="review",
                           member_id=flag.member_id, expires_at=ctx.now + TELL_FOR)
             for identity in await services.read.access.identities_of(flag.member_id)
             if identity.chat_id]
    if items and await enqueue(services, items, ctx.now) and services.scheduling:
        services.scheduling.wake_sender()


def hit_text(ctx: Ctx, hit: Hit, lang: str | None = None) -> str:
    """One broken rule in words, for a reviewer."""
    lang = lang or ctx.lang
    number = ctx.services.t.number
    if hit.rule is Rule.PAUSED:
        return ctx.services.t(lang, "review.hit_paused")
    return ctx.services.t(lang, f"review.hit_{hit.rule.value}", limit=number(lang, hit.limit),
                          value=number(lang, hit.value))


feature = Feature(
    commands=(Command("review", review, requires=Action.REVIEW_SESSIONS, members_only=True),),
    buttons=(ButtonRoute("rev", pressed, verbs=(CONFIRM, REJECT, REASON),
                         requires=Action.REVIEW_SESSIONS, members_only=True),),
    flows=(FlowRoute(ReviewFlow, reason_typed),),
)
