"""/approve and /reopen: signing off a month so a province can pay on it, and lifting the lock.

``/approve`` (commune coordinator) shows what their commune's last month comes to — sessions,
citizens, teams reporting, sessions on time, open plausibility flags, the allowance total — and
asks to confirm; ``/approve 2026-10`` for an earlier month. The approval locks the commune's
month: nothing dated in it can be logged, undone or edited any more. A province coordinator's
``/approve`` shows which communes have approved and, once all have, approves the province;
``/approve 2026-11 Vị Thủy`` approves one commune for its coordinator. ``/reopen 2026-11 Vị Thủy
<reason>`` (province coordinator, admin) lifts a commune's lock, audited with the reason; the
next approval is a new record.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.approval import MonthSummary, default_month, is_over
from bot.core.calendar import Period, month, split_leading, split_period
from bot.core.callback_data import COMMUNE_CODE, Field, OfCommune, Pattern, Ref, Values, Verb
from bot.core.chat import Button
from bot.core.completeness import summarise
from bot.core.models import Commune
from bot.core.permissions import Action, Scope
from bot.core.steering_text import names
from bot.core.text import fold
from handlers.kit.context import Ctx
from handlers.kit.routing import ButtonRoute, Command, Feature, press_of
from handlers.kit.scope import province_wide, scopes_for
from handlers.render.steering_sheets import team_blocks
from handlers.steering.allowance import money
from storage.repos import Repos
from storage.repos.flags_count import count_open_flags

MONTH = Pattern(r"\d{4}-\d{2}")


@dataclass(frozen=True)
class CommuneMonth(OfCommune):
    #: ``YYYY-MM``.
    month: str


@dataclass(frozen=True)
class ProvinceMonth(Values):
    province: str
    #: ``YYYY-MM``.
    month: str


APPROVE_COMMUNE = Verb("apv", "c", (
    Field("commune", COMMUNE_CODE, ref=Ref.COMMUNE, needs=Action.APPROVE_MONTH),
    Field("month", MONTH)), shape=CommuneMonth)
APPROVE_PROVINCE = Verb("apv", "p", (
    Field("province", COMMUNE_CODE, ref=Ref.PROVINCE, needs=Action.APPROVE_MONTH),
    Field("month", MONTH)), shape=ProvinceMonth)
CANCEL = Verb("apv", "x")


def _month_of(key: str) -> Period:
    year, number = (int(part) for part in key.split("-"))
    return month(year, number)


def _label(ctx: Ctx, period: Period) -> str:
    return period.label(ctx.lang)


def _n(ctx: Ctx, value: int) -> str:
    return ctx.services.t.number(ctx.lang, value)


async def month_summary(ctx: Ctx, read: Repos, commune: str, period: Period) -> MonthSummary:
    """The figures an approval is given on (and stored with)."""
    scope = Scope(ctx.services.settings.province_code, commune)
    total = await read.tallies.total(scope, period.start, period.end)
    teams = await read.activity.team_activity(scope, period.start, period.end,
                                              ctx.services.settings.on_time_days)
    found = summarise("", teams, period.end)
    rule = await read.allowance.for_month(period.start)
    allowance = None
    if rule is not None:
        rows = await read.activity.duty_month(scope, period.start, period.end)
        allowance = sum(b.amount.total for b in team_blocks(rows, rule.rule) if b.amount)
    return MonthSummary(
        sessions=total.sessions, citizens=total.citizens,
        teams_expected=found.teams_expected, teams_reported=found.teams_reported,
        open_flags=await count_open_flags(read.conn, commune, period.start),
        allowance=allowance, on_time=found.on_time)


def _summary_lines(ctx: Ctx, summary: MonthSummary) -> list[str]:
    def n(value: int) -> str:
        return _n(ctx, value)

    lines = [
        ctx.t("approve.sessions", sessions=n(summary.sessions), citizens=n(summary.citizens)),
        ctx.t("approve.teams", reported=n(summary.teams_reported),
              expected=n(summary.teams_expected)),
        ctx.t("approve.on_time", on_time=n(summary.on_time), sessions=n(summary.sessions),
              days=ctx.services.settings.on_time_days),
        ctx.t("approve.flags", count=n(summary.open_flags)) if summary.open_flags
        else ctx.t("approve.no_flags"),
        ctx.t("approve.allowance", total=money(ctx, summary.allowance))
        if summary.allowance is not None else ctx.t("approve.no_rule"),
    ]
    return lines


# --- /approve --------------------------------------------------------------------------------


async def approve(ctx: Ctx) -> None:
    today = ctx.today
    period, rest = split_period(ctx.args, today)
    if period is not None and period.kind != "month":
        await ctx.reply(ctx.t("approve.usage"))
        return
    period = period or default_month(today)
    if not is_over(period, today):
        await ctx.reply(ctx.t("approve.not_over", month=_label(ctx, period)))
        return
    communes = await ctx.services.read.geo.communes_with_teams(
        ctx.services.settings.province_code)
    if rest.strip():
        found = _commune_named(communes, rest)
        if found is None or found[1].strip():
            await ctx.reply(ctx.t("approve.unknown_commune", text=rest.strip()[:40]))
            return
        commune = found[0]
        if not ctx.caller.can(Action.APPROVE_MONTH,
                              Scope(ctx.services.settings.province_code, commune.code)):
            await ctx.reply(ctx.t("approve.not_yours", commune=commune.name))
            return
        await _show_commune(ctx, commune, period)
        return
    if province_wide(ctx, Action.APPROVE_MONTH):
        await _show_province(ctx, communes, period)
        return
    mine = [s.commune for s in scopes_for(ctx, Action.APPROVE_MONTH) if s.commune is not None]
    own = next((c for c in communes if c.code in mine), None)
    if own is None:
        await ctx.reply(ctx.t("approve.no_commune"))
        return
    await _show_commune(ctx, own, period)


async def _show_commune(ctx: Ctx, commune: Commune, period: Period) -> None:
    read = ctx.services.read
    summary = await month_summary(ctx, read, commune.code, period)
    head = ctx.t("approve.title", commune=commune.name, month=_label(ctx, period))
    lines = [head, *_summary_lines(ctx, summary)]
    standing = await read.approvals.standing("commune", commune.code, period.start)
    if standing is not None:
        lines += ["", ctx.t("approve.already", who=standing.by_name or ctx.t("audit.system"),
                            when=ctx.services.t.date(ctx.lang, standing.approved_at.date()))]
        await ctx.reply("\n".join(lines))
        return
    lines += ["", ctx.t("approve.confirm_question")]
    key = f"{period.start:%Y-%m}"
    await ctx.reply("\n".join(lines), buttons=(
        (Button(ctx.t("approve.confirm"), APPROVE_COMMUNE.pack(commune.code, key)),
         Button(ctx.t("approve.cancel"), CANCEL.pack())),))


async def _show_province(ctx: Ctx, communes: list[Commune], period: Period) -> None:
    read = ctx.services.read
    province = ctx.services.settings.province_code
    approved = await read.approvals.communes_of_month(period.start)
    waiting = [c.name for c in communes if c.code not in approved]
    def n(value: int) -> str:
        return _n(ctx, value)

    lines = [ctx.t("approve.province_title", month=_label(ctx, period)),
             ctx.t("approve.communes_approved", approved=n(len(communes) - len(waiting)),
                   total=n(len(communes)))]
    if waiting:
        lines.append(ctx.t("approve.communes_waiting",
                           communes=names(ctx.services.t, ctx.lang, waiting, shown=20)))
    standing = await read.approvals.standing("province", province, period.start)
    if standing is not None:
        lines += ["", ctx.t("approve.province_already",
                            who=standing.by_name or ctx.t("audit.system"),
                            when=ctx.services.t.date(ctx.lang, standing.approved_at.date()))]
        await ctx.reply("\n".join(lines))
        return
    if waiting or not communes:
        lines += ["", ctx.t("approve.province_wait", example=f"/approve {period.start:%Y-%m} "
                            + (communes[0].name if communes else ""))]
        await ctx.reply("\n".join(lines))
        return
    lines += ["", ctx.t("approve.province_question")]
    await ctx.reply("\n".join(lines), buttons=(
        (Button(ctx.t("approve.confirm"), APPROVE_PROVINCE.pack(province,
                                                                  f"{period.start:%Y-%m}")),
         Button(ctx.t("approve.cancel"), CANCEL.pack())),))


async def approve_button(ctx: Ctx) -> None:
    press = press_of(ctx)
    if press.verb is CANCEL:
        await ctx.answer(ctx.t("approve.cancelled"))
        return
    values = (ProvinceMonth.of(press) if press.verb is APPROVE_PROVINCE
              else CommuneMonth.of(press))
    period = _month_of(values.month)
    if not is_over(period, ctx.today):
        await ctx.answer(ctx.t("approve.not_over", month=_label(ctx, period)))
        return
    member = ctx.caller.member
    by = member.id if member else None
    if isinstance(values, ProvinceMonth):
        await _approve_province(ctx, values.province, period, by)
        return
    code = values.commune
    commune = await ctx.services.read.geo.commune(code)
    name = commune.name if commune else code
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        summary = await month_summary(ctx, repos, code, period)
        done = await repos.approvals.approve("commune", code, period.start, by=by, now=ctx.now,
                                             summary=summary.as_dict())
        if done:
            await repos.audit.record(actor=by, action="month.approve",
                                     target=f"{code} {period.start:%Y-%m}", now=ctx.now,
                                     **summary.as_dict())
    if not done:
        await ctx.answer(ctx.t("approve.already_short", commune=name,
                               month=_label(ctx, period)))
        return
    await ctx.answer("\n".join([
        ctx.t("approve.done", commune=name, month=_label(ctx, period)),
        *_summary_lines(ctx, summary), "", ctx.t("approve.locked_now")]))


async def _approve_province(ctx: Ctx, province: str, period: Period, by: int | None) -> None:
    communes = await ctx.services.read.geo.communes_with_teams(province)
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        approved = await repos.approvals.communes_of_month(period.start)
        if any(c.code not in approved for c in communes):
            done = None
        else:
            done = await repos.approvals.approve(
                "province", province, period.start, by=by, now=ctx.now,
                summary={"communes": len(communes)})
            if done:
                await repos.audit.record(actor=by, action="month.approve",
                                         target=f"{province} {period.start:%Y-%m}",
                                         now=ctx.now, communes=len(communes))
    if done is None:
        await ctx.answer(ctx.t("approve.province_not_ready", month=_label(ctx, period)))
    elif not done:
        await ctx.answer(ctx.t("approve.province_already_short", month=_label(ctx, period)))
    else:
        await ctx.answer(ctx.t("approve.province_done", month=_label(ctx, period)))


# --- /reopen ---------------------------------------------------------------------------------


def _commune_named(communes: list[Commune], text: str) -> tuple[Commune, str] | None:
    """The commune named by the leading words of ``text`` (with or without "Xã"), and the
    words after it."""
    by_name: dict[str, Commune] = {}
    for commune in communes:
        folded = fold(commune.name)
        by_name[folded] = commune
        for prefix in ("xa ", "phuong ", "dac khu ", "thi tran "):
            if folded.startswith(prefix):
                by_name.setdefault(folded[len(prefix):], commune)
    found, rest = split_leading(text, lambda words: by_name.get(fold(words)))
    return (found, rest) if found is not None else None


async def reopen(ctx: Ctx) -> None:
    today = ctx.today
    period, rest = split_period(ctx.args, today)
    if period is None or period.kind != "month":
        await ctx.reply(ctx.t("reopen.usage"))
        return
    communes = await ctx.services.read.geo.communes_with_teams(
        ctx.services.settings.province_code)
    found = _commune_named(communes, rest)
    if found is None:
        await ctx.reply(ctx.t("approve.unknown_commune", text=rest.strip()[:40] or "—")
                        + "\n\n" + ctx.t("reopen.usage"))
        return
    commune, reason = found[0], found[1].strip()
    if not reason:
        await ctx.reply(ctx.t("reopen.need_reason") + "\n\n" + ctx.t("reopen.usage"))
        return
    member = ctx.caller.member
    by = member.id if member else None
    province = ctx.services.settings.province_code
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        done = await repos.approvals.reopen("commune", commune.code, period.start, by=by,
                                            now=ctx.now, reason=reason[:500])
        if done:
            # the province's sign-off covered this commune's figures: it no longer stands
            await repos.approvals.reopen("province", province, period.start, by=by,
                                         now=ctx.now, reason=f"{commune.name}: {reason[:450]}")
            await repos.audit.record(actor=by, action="month.reopen",
                                     target=f"{commune.code} {period.start:%Y-%m}",
                                     now=ctx.now, reason=reason[:500])
    if not done:
        await ctx.reply(ctx.t("reopen.not_approved", commune=commune.name,
                              month=_label(ctx, period)))
        return
    await ctx.reply(ctx.t("reopen.done", commune=commune.name, month=_label(ctx, period)))


feature = Feature(
    commands=(
        Command("approve", approve, requires=Action.APPROVE_MONTH, members_only=True),
        Command("reopen", reopen, requires=Action.REOPEN_MONTH, members_only=True),
    ),
    buttons=(ButtonRoute("apv", approve_button, verbs=(APPROVE_COMMUNE, APPROVE_PROVINCE,
                                                       CANCEL),
                         requires=Action.APPROVE_MONTH, members_only=True),),
)
