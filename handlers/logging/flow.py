"""Logging an assistance session: the guided flow, the quick form, /undo and /my.

Guided: category → how many citizens → which day → a summary with Save / Change / Cancel; a
note or a photo can be sent while the summary is shown. The common case is four taps (category,
a number, "today", Save). Quick form: ``/log cks 3 họp chợ`` or just ``3 chu ky so`` fills what
it understood and jumps to the same summary, so nothing is saved unconfirmed.

The flow lives in ``chat_flows`` (survives a restart); every button carries the flow's id, so a
button from an older flow is recognised as stale, and Save is idempotent on that id: a double tap,
a re-delivered update or a retried request creates one record.

This module holds the entry points (the command, the buttons, the quick-form text hook), Save,
and the flow's table (:data:`LOG_STEPS`: each step and button to its handler); the steps
themselves are in :mod:`handlers.logging.steps`, /undo and /my in
:mod:`handlers.logging.own_sessions`.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from bot.core.assistance import (
    Problem,
    check_day,
    parse_citizens,
)
from bot.core.calendar import this_week
from bot.core.callback_data import OfFlow, Press
from bot.core.flows import LogFlow, LogStep
from bot.core.permissions import Action, Scope
from bot.core.quick_form import QuickLog, parse_quick
from handlers.kit.context import Ctx
from handlers.kit.month_lock import refused_by_lock
from handlers.kit.routing import ButtonRoute, Command, Feature, press_of
from handlers.kit.steps import StepTable
from handlers.logging.evidence import attach_evidence, photo_required
from handlers.logging.own_sessions import UNDO_DELETE, UNDO_EDIT, UNDO_KEEP, my, undo, undo_button
from handlers.logging.plausibility import hits_for, tell_reviewers
from handlers.logging.steps import (
    BACK,
    CANCEL,
    CATEGORY,
    CHANGE,
    COUNT,
    DAY,
    SAVE,
    START,
    back,
    cancel,
    category_chosen,
    category_typed,
    change,
    count_chosen,
    count_typed,
    day_chosen,
    day_typed,
    limits_of,
    next_step,
    note_typed,
    problem_text,
    set_note,
    summary_buttons,
    typing,
)
from storage.repos import Repos

# --- entry points -----------------------------------------------------------------------------


async def log_command(ctx: Ctx) -> None:
    quick = None
    if ctx.args:
        quick = parse_quick(ctx.args, await ctx.services.quick.categories.active(), ctx.today)
    await _start(ctx, quick)


async def log_button(ctx: Ctx) -> None:
    """``log:start`` (a reminder's one-tap button) and every in-flow button."""
    press = press_of(ctx)
    if press.verb is START:
        await _start(ctx, None)
        return
    flow_id = OfFlow.of(press).flow
    state = LogFlow.of(ctx.flow)
    if state is None or state.id != flow_id:  # a button of a flow saved, cancelled or replaced
        if press.verb is SAVE and await _already_saved(ctx, flow_id):
            await ctx.answer(ctx.t("log.already_saved"))
        else:
            await ctx.answer(ctx.t("log.stale"))
        return
    await LOG_STEPS.pressed(ctx, state, press)


async def quick_text(ctx: Ctx) -> bool:
    """A member's plain message like "3 chu ky so" is a quick log (confirmed before saving)."""
    if ctx.caller.member is None or not ctx.inc.text or ctx.caller.team is None:
        return False
    if not any(ch.isdigit() for ch in ctx.inc.text):
        return False  # no count, so not a quick log: chatter costs no parsing
    quick = parse_quick(ctx.inc.text, await ctx.services.quick.categories.active(), ctx.today)
    if not quick.complete:
        return False
    await _start(ctx, quick)
    return True


async def _start(ctx: Ctx, quick: QuickLog | None) -> None:
    team = ctx.caller.team
    if team is None or not ctx.caller.can(
        Action.LOG_SESSION, Scope(team.province_code, team.commune_code, team.id)
    ):
        await ctx.reply(ctx.t("log.no_team"))
        return
    state = LogFlow(id=secrets.token_hex(3))
    warnings: list[str] = []
    if quick is not None:
        state = replace(state, category=quick.category.id if quick.category else None)
        if quick.citizens is not None:
            problem = parse_citizens(str(quick.citizens), limits_of(ctx))
            if isinstance(problem, Problem):
                warnings.append(problem_text(ctx, problem))
            else:
                state = replace(state, citizens=problem)
        if quick.day is not None:
            day_problem = check_day(quick.day, ctx.today, limits_of(ctx))
            if day_problem:
                warnings.append(problem_text(ctx, day_problem))
            else:
                state = replace(state, day=quick.day)
        elif state.category and state.citizens:
            state = replace(state, day=ctx.today)  # typed in one line: today unless said
        if quick.note:
            state, noted = set_note(ctx, state, quick.note)
            warnings += noted
    for warning in warnings:
        await ctx.reply(warning)
    await next_step(ctx, state, new_message=True)

async def _save(ctx: Ctx, state: LogFlow, press: Press) -> None:
    member, team, filled = ctx.caller.member, ctx.caller.team, state.filled()
    if member is None or team is None or filled is None:
        await ctx.answer(ctx.t("log.stale"))
        return
    category, citizens, day = filled
    if not state.photo and await photo_required(ctx, category):
        # The summary's buttons stay: the member sends a photo, or changes or cancels.
        await ctx.answer(ctx.t("evidence.required"), buttons=summary_buttons(ctx, state))
        return
    problem = check_day(day, ctx.today, limits_of(ctx))
    if problem is not None:  # a flow left open across midnight can drift out of range
        await ctx.reply(problem_text(ctx, problem))
        await next_step(ctx, replace(state, day=None), new_message=True)
        return
    # A session counts in the team the member was in on its date (they may have moved since).
    team_id, commune_code = await ctx.services.quick.history.team_on(member.id, day) or (
        team.id, team.commune_code)
    replaced = (await ctx.services.quick.sessions.get(state.replaces) if state.replaces
                else None)
    if await refused_by_lock(ctx, commune_code, day) or (
            replaced is not None and await refused_by_lock(ctx, replaced.commune_code,
                                                          replaced.session_date)):
        async with ctx.services.db.write() as conn:  # nothing saved; the refusal says why
            await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        return
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        if state.replaces:
            await repos.sessions.delete(state.replaces, ctx.now)
        # Checked against the member's records before this session joins them; a session
        # that breaks a rule is saved all the same, and flagged for the team's review.
        hits = await hits_for(ctx, repos, member_id=member.id, category_id=category,
                              citizens=citizens, day=day)
        session_id, created = await repos.sessions.add(
            member_id=member.id, team_id=team_id, commune_code=commune_code,
            category_id=category, citizens=citizens, session_date=day,
            note=state.note, photo_ref=state.photo, channel=ctx.inc.channel,
            idempotency_key=_key(member.id, state.id), now=ctx.now,
        )
        if created and state.photo:
            await attach_evidence(repos, state.photo, member_id=member.id,
                                  session_id=session_id, replaces=state.replaces)
        if created and hits:
            await repos.plausibility.flag(session_id=session_id, hits=hits, team_id=team_id,
                                          commune_code=commune_code, now=ctx.now)
        await repos.chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
    if not created:
        await ctx.answer(ctx.t("log.already_saved"))
        return
    week = await _week_total(ctx, member.id)
    saved = ctx.t("log.saved", week=ctx.services.t.number(ctx.lang, week))
    if hits:  # said plainly, accusing nobody: the figure is unusual, someone will look
        saved += "\n\n" + ctx.t("review.will_be_reviewed")
    await ctx.answer(saved)
    if hits and team_id is not None and commune_code:  # the team the session counts in
        await tell_reviewers(ctx, member_id=member.id, team_id=team_id,
                             commune_code=commune_code)


# --- the flow's table ---------------------------------------------------------------------------

#: The whole guided flow: what typing does at each step, and what each button does.
LOG_STEPS: StepTable[LogFlow] = StepTable(
    LogFlow,
    states={
        LogStep.CATEGORY: typing(category_typed),
        LogStep.COUNT: typing(count_typed),
        LogStep.DAY: typing(day_typed, photo=True),
        LogStep.DATE: typing(day_typed, photo=True),
        LogStep.SUMMARY: typing(note_typed, photo=True),
    },
    buttons={
        CATEGORY: category_chosen, COUNT: count_chosen, DAY: day_chosen, SAVE: _save,
        CHANGE: change, BACK: back, CANCEL: cancel,
    },
)


def _key(member_id: int, flow_id: str) -> str:
    return f"log:{member_id}:{flow_id}"



async def _week_total(ctx: Ctx, member_id: int) -> int:
    week = this_week(ctx.today)
    tallies = await ctx.services.quick.tallies.member_by_category(member_id, week.start, week.end)
    return sum(t.citizens for t in tallies.values())


async def _already_saved(ctx: Ctx, flow_id: str) -> bool:
    member = ctx.caller.member
    if member is None:
        return False
    return await ctx.services.quick.sessions.has_key(_key(member.id, flow_id))




feature = Feature(
    commands=(
        Command("log", log_command, requires=Action.LOG_SESSION, members_only=True),
        Command("my", my, requires=Action.VIEW_OWN_ACTIVITY, members_only=True),
        Command("undo", undo, requires=Action.LOG_SESSION, members_only=True),
    ),
    buttons=(
        ButtonRoute("log", log_button, verbs=(START, CATEGORY, COUNT, DAY, SAVE, CHANGE, BACK,
                                              CANCEL),
                    requires=Action.LOG_SESSION, members_only=True),
        ButtonRoute("undo", undo_button, verbs=(UNDO_DELETE, UNDO_EDIT, UNDO_KEEP),
                    requires=Action.LOG_SESSION, members_only=True),
    ),
    flows=(LOG_STEPS.route,),
    text_hooks=(quick_text,),
)
