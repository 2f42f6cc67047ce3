"""/digest: a coordinator's weekly digest on demand — this week so far, or last week.

``/digest last Vị Thủy`` gives one commune's digest to whoever may see that commune (a province
coordinator looking closer; a commune coordinator asking for another commune is refused).

The same figures, text and chart as the Monday digest (bot/weekly.py), sent straight back
instead of through the outbox: the person is waiting for it.
"""

from __future__ import annotations

from datetime import timedelta

from bot.chat import Button
from bot.digest import CommuneDigest, Period, ProvinceDigest
from bot.permissions import PERMISSIONS, Action, Scope
from bot.schedule import week_start
from bot.text import fold
from bot.weekly import commune_digest, digest_messages, full_week, province_digest
from handlers.admin_scope import find_communes, refuse_place
from handlers.context import Ctx
from handlers.places import example_commune
from handlers.routing import ButtonRoute, Command, Feature

_THIS = {"this", "nay", "tuannay", "thisweek"}
_LAST = {"last", "truoc", "tuantruoc", "lastweek"}


def _area(ctx: Ctx) -> tuple[str, str] | None:
    """("province", code) for a province-wide grant, else ("commune", code), else None."""
    communes = []
    for grant in ctx.caller.grants:
        if Action.VIEW_DIGEST not in PERMISSIONS[grant.role]:
            continue
        if grant.scope.commune is None:
            return "province", grant.scope.province or ctx.services.settings.province_code
        communes.append(grant.scope.commune)
    return ("commune", communes[0]) if communes else None


async def digest(ctx: Ctx) -> None:
    if _area(ctx) is None:
        await ctx.reply(ctx.t("digest.no_area"))
        return
    words = ctx.args.split()
    week = fold(words[0]) if words else ""
    if week in _THIS or week in _LAST:
        words = words[1:]
    elif len(words) > 1 and fold(" ".join(words[:2])).replace(" ", "") in _THIS | _LAST:
        week, words = fold(" ".join(words[:2])).replace(" ", ""), words[2:]
    place = " ".join(words)
    if place:  # "/digest last Vị Thủy": one commune, for whoever may see it
        await _commune_asked(ctx, place, last=week in _LAST)
        return
    if week in _THIS or week in _LAST:
        await _send(ctx, last=week in _LAST)
        return
    await ctx.reply(ctx.t("digest.choose"), buttons=(
        (Button(ctx.t("digest.this_week"), "dg:this"),),
        (Button(ctx.t("digest.last_week"), "dg:last"),),
    ))


async def _commune_asked(ctx: Ctx, place: str, *, last: bool) -> None:
    found = await find_communes(ctx, place)
    if len(found) != 1:
        await ctx.reply(ctx.t("digest.usage", example=await example_commune(ctx)))
        return
    commune = found[0]
    if not ctx.caller.can(Action.VIEW_DIGEST, Scope(commune.province_code, commune.code)):
        await refuse_place(ctx, "digest", commune.name)
        return
    await _send(ctx, last=last, area=("commune", commune.code))


async def pressed(ctx: Ctx) -> None:
    # Buttons are not checked by the dispatcher: the rights are checked again here.
    if not ctx.caller.can_somewhere(Action.VIEW_DIGEST) or _area(ctx) is None:
        await ctx.answer(ctx.t("digest.no_area"))
        return
    last = ctx.args == "last"
    await ctx.answer(ctx.t("digest.last_week" if last else "digest.this_week"))
    await _send(ctx, last=last)


async def _send(ctx: Ctx, *, last: bool, area: tuple[str, str] | None = None) -> None:
    area = area or _area(ctx)
    assert area is not None
    today = ctx.now.astimezone(ctx.services.settings.tz).date()
    monday = week_start(today)
    period = full_week(monday - timedelta(days=7)) if last else Period(monday, today)
    level, code = area
    found: CommuneDigest | ProvinceDigest | None
    if level == "province":
        found = await province_digest(ctx.services, code, period, ctx.lang)
    else:
        found = await commune_digest(ctx.services, code, period, ctx.lang, today)
        if found is None:
            await ctx.reply(ctx.t("digest.no_area"))
            return
    for message in digest_messages(ctx.services, ctx.lang, found):
        ctx.sent.append(await ctx.channel.send(ctx.inc.chat_id, message))


feature = Feature(
    commands=(Command("digest", digest, requires=Action.VIEW_DIGEST, members_only=True),),
    buttons=(ButtonRoute("dg", pressed),),
)
