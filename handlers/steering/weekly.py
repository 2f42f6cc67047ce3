"""The weekly work: gather the figures, compose digests and reminders, write them to the outbox.

``run_due_work(services, now)`` is what the scheduled jobs and the start-up catch-up call: each
schedule whose latest time fell in the current week is acted on; dedup keys make a second run
(a restart, a job firing after a catch-up) a no-op. Sending is the sender's business.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.core.calendar import Period, end_of_week, iso_week_key, local_today, week_of
from bot.core.chat import Button, OutFile, OutMessage
from bot.core.digest import (
    TREND_WEEKS,
    CommuneDigest,
    Figure,
    ProvinceDigest,
    commune_text,
    province_text,
)
from bot.core.permissions import Scope
from bot.core.reminders import Person, Reminder, TeamInfo, plan_week
from bot.core.roles import Role
from bot.core.schedule import digest_week, due_this_week, reminder_week
from bot.core.steering_text import names
from handlers.kit.context import Services
from handlers.kit.outbox import OutboxMessage, default_quiet, enqueue
from handlers.steering.approval_reminders import enqueue_approval_reminders
from handlers.steering.figures import digest_steering, judged_on
from storage.repos.access import Recipient
from storage.repos.outbox import OutboxItem

log = logging.getLogger(__name__)

#: Telegram's caption limit: a longer digest goes as the chart, then the text.
CAPTION_LIMIT = 1024
NAMES_LIMIT = 15
#: Callback data of the reminder's one-tap button (handled by the logging flow).
LOG_NOW = "log:start"


@dataclass
class WorkReport:
    digests: int = 0
    reminders: int = 0
    approval_reminders: int = 0
    unreachable: int = 0
    batches: list[str] = field(default_factory=list)


# --- figures ------------------------------------------------------------------------------------

async def commune_digest(services: Services, commune_code: str, period: Period, lang: str,
                         today: date) -> CommuneDigest | None:
    read = services.read
    commune = await read.geo.commune(commune_code)
    if commune is None:
        return None
    scope = Scope(commune.province_code, commune.code)
    before = period.week_before()
    this = await read.tallies.by_category(scope, period.start, period.end)
    last = await read.tallies.by_category(scope, before.start, before.end)
    categories = tuple(
        Figure(name=c.label(lang), emoji=c.emoji, this=this[c.id].citizens if c.id in this else 0,
               last=last[c.id].citizens if c.id in last else 0)
        for c in await read.categories.active())
    # Silence is measured to the end of the period shown (a past week is told as it was).
    today = judged_on(period.end, today)
    activity = await read.activity.team_activity(scope, period.start, period.end,
                                                  services.settings.on_time_days)
    teams = tuple(Figure(name=t.team_name, this=t.citizens, last_date=t.last_date)
                  for t in activity)
    steering = await digest_steering(services, scope, commune.name, activity, period.end,
                                     today, lang)
    return CommuneDigest(place=commune.name, period=period, today=today, categories=categories,
                         teams=teams, sessions=sum(t.sessions for t in this.values()),
                         steering=steering)


async def province_digest(services: Services, province_code: str, period: Period,
                          lang: str, today: date | None = None) -> ProvinceDigest:
    read = services.read
    province = await read.geo.province(province_code)
    today = judged_on(period.end, today or period.end + timedelta(days=1))
    before = period.week_before()
    this = await read.tallies.by_commune(province_code, period.start, period.end)
    last = {c.key: c.citizens for c in await read.tallies.by_commune(
        province_code, before.start, before.end)}
    # Each commune's pace: its weekly average over the four weeks before, scaled to the period.
    history_start = period.start - timedelta(days=28)
    history = {c.key: c.citizens for c in await read.tallies.by_commune(
        province_code, history_start, period.start - timedelta(days=1))}
    scale = period.days / 7
    communes = tuple(
        Figure(name=c.name, this=c.citizens, last=last.get(c.key, 0),
               average=history.get(c.key, 0) / 4 * scale)
        for c in this)
    first = period.start - timedelta(days=7 * (TREND_WEEKS - 1))
    series = await read.tallies.weekly_citizens(Scope(province_code), first, TREND_WEEKS)
    if period.partial:  # the running week's bar counts the same days as the text
        series[-1] = sum(c.this for c in communes)
    trend = tuple((first + timedelta(days=7 * i), value) for i, value in enumerate(series))
    total = await read.tallies.by_category(Scope(province_code), period.start, period.end)
    name = province.name if province else province_code
    teams = await read.activity.team_activity(Scope(province_code), period.start, period.end,
                                               services.settings.on_time_days)
    steering = await digest_steering(services, Scope(province_code), name, teams, period.end,
                                     today, lang)
    return ProvinceDigest(place=name, period=period, communes=communes, trend=trend,
                          sessions=sum(t.sessions for t in total.values()), steering=steering)


def digest_messages(services: Services, lang: str,
                    digest: CommuneDigest | ProvinceDigest) -> list[OutMessage]:
    """The digest as the reader gets it: chart with the text as caption, or chart then text."""
    from handlers.render import charts  # matplotlib loads only when a digest is actually drawn

    t = services.t
    if isinstance(digest, CommuneDigest):
        text, png = commune_text(t, lang, digest), charts.commune_chart(t, lang, digest)
    else:
        text, png = province_text(t, lang, digest), charts.province_chart(t, lang, digest)
    photo = OutFile("digest.png", png, "image/png")
    if len(text) <= CAPTION_LIMIT:
        return [OutMessage(text=text, photo=photo, lang=lang)]
    return [OutMessage(text=text.split("\n", 1)[0], photo=photo, lang=lang),
            OutMessage(text=text, lang=lang)]


# --- digests ------------------------------------------------------------------------------------

def _lang(services: Services, recipient: Recipient) -> str:
    return recipient.language or services.settings.default_language


async def enqueue_digests(services: Services, due: datetime, now: datetime) -> WorkReport:
    """Every coordinator's digest of the week before ``due``, once per linked chat."""
    tz = services.settings.tz
    period = digest_week(due, tz)
    week = iso_week_key(period.start)
    today = local_today(now, tz)
    batch = f"digest:{week}"
    expires = end_of_week(due, tz)
    report = WorkReport(batches=[batch])
    read = services.read
    cache: dict[tuple[str, str, str], list[OutMessage]] = {}
    for role, level in ((Role.COMMUNE_COORDINATOR, "commune"),
                        (Role.PROVINCE_COORDINATOR, "province")):
        for person in await read.access.grant_holders(role):
            if person.channel is None or person.chat_id is None or person.scope_id is None:
                report.unreachable += 1
                continue
            key = f"digest:{level}:{person.scope_id}:{week}:m{person.member_id}:{person.channel}"
            if await read.outbox.has(key):
                continue
            lang = _lang(services, person)
            wanted = (level, person.scope_id, lang)
            if wanted not in cache:
                digest: CommuneDigest | ProvinceDigest | None
                if level == "commune":
                    digest = await commune_digest(services, person.scope_id, period, lang,
                                                  today)
                else:
                    digest = await province_digest(services, person.scope_id, period, lang,
                                                   today)
                cache[wanted] = digest_messages(services, lang, digest) if digest else []
            items = [OutboxMessage(dedup_key=key if i == 0 else f"{key}:{i + 1}",
                                   channel=person.channel, chat_id=person.chat_id, message=m,
                                   kind="digest", member_id=person.member_id, batch_id=batch,
                                   not_before=now, expires_at=expires)
                     for i, m in enumerate(cache[wanted])]
            if await enqueue(services, items, now):
                report.digests += 1
    log.info("digests for %s: %d enqueued, %d coordinators unreachable", week,
             report.digests, report.unreachable)
    return report


# --- reminders ----------------------------------------------------------------------------------

def given_name(full_name: str) -> str:
    """Vietnamese names end with the given name, the one people are called by."""
    return full_name.split()[-1] if full_name.split() else full_name


async def enqueue_reminders(services: Services, due: datetime, now: datetime) -> WorkReport:
    """This week's reminders (see :mod:`bot.core.reminders`): one message per person, at most once a
    week — a nudge to each silent member, the silent and paused members to their team leaders,
    the silent teams to their commune coordinators; nothing to anyone paused."""
    tz = services.settings.tz
    today = local_today(now, tz)
    monday = reminder_week(due, tz).start
    week = iso_week_key(monday)
    batch = f"reminder:{week}"
    expires = end_of_week(due, tz)
    report = WorkReport(batches=[batch])
    read = services.read
    province = services.settings.province_code
    rows = await read.access.team_members(province)
    leaders = await read.access.grant_holders(Role.TEAM_LEADER)
    coordinators = await read.access.grant_holders(Role.COMMUNE_COORDINATOR)
    chats: dict[int, Recipient] = {}
    for row in [*rows, *leaders, *coordinators]:  # one message per person: their first chat
        if row.channel is not None and row.member_id not in chats:
            chats[row.member_id] = row
    pauses = await read.pauses.current(today)
    people = {r.member_id: Person(r.member_id, r.name, r.team_id, pauses.get(r.member_id))
              for r in rows}
    for holder in [*leaders, *coordinators]:  # coordinators without a team may pause too
        people.setdefault(holder.member_id, Person(holder.member_id, holder.name, None,
                                                   pauses.get(holder.member_id)))
    teams = {t.team_id: TeamInfo(t.team_id, t.name, t.commune_code)
             for t in await read.teams.refs(province)}
    plan = plan_week(
        list(people.values()),
        await read.activity.members_with_sessions(
            [p.member_id for p in people.values() if p.team_id is not None], monday, today),
        leaders=[(h.member_id, int(h.scope_id)) for h in leaders if h.scope_id],
        coordinators=[(h.member_id, h.scope_id) for h in coordinators if h.scope_id],
        teams=teams, today=today, already=await read.outbox.members_in_batch(batch))
    items: list[OutboxMessage] = []
    for reminder in plan:
        person = chats.get(reminder.member_id)
        if person is None or person.chat_id is None or person.channel is None:
            report.unreachable += 1
            continue
        lang = _lang(services, person)
        kind = "" if reminder.only_nudge else "leader:"  # a plain nudge may be dropped later
        items.append(OutboxMessage(
            dedup_key=f"reminder:{kind}{week}:m{reminder.member_id}:{person.channel}",
            channel=person.channel, chat_id=person.chat_id, kind="reminder",
            member_id=reminder.member_id, batch_id=batch, not_before=now, expires_at=expires,
            message=await _reminder_message(services, lang, person.name, reminder)))
    report.reminders = await enqueue(services, items, now)
    log.info("reminders for %s: %d enqueued, %d people unreachable", week, report.reminders,
             report.unreachable)
    return report


async def _reminder_message(services: Services, lang: str, name: str,
                            reminder: Reminder) -> OutMessage:
    t = services.t
    parts: list[str] = []
    if reminder.nudge:
        parts.append(t(lang, "reminder.nudge", name=given_name(name)))
    for note in reminder.teams:
        shown = ", ".join(note.silent[:NAMES_LIMIT])
        if len(note.silent) > NAMES_LIMIT:
            shown += " " + t(lang, "digest.and_more", count=len(note.silent) - NAMES_LIMIT)
        text = t(lang, "reminder.leader", count=len(note.silent), team=note.team_name,
                 names=shown)
        if note.paused:
            text += "\n" + t(lang, "steering.reminder_paused", names=", ".join(
                f"{who} ({t.date(lang, until)})" for who, until in note.paused))
        parts.append(text)
    for commune_note in reminder.communes:
        commune = await services.read.geo.commune(commune_note.commune_code)
        parts.append(t(lang, "steering.reminder_commune",
                       commune=commune.name if commune else commune_note.commune_code,
                       count=len(commune_note.silent_teams), total=commune_note.teams,
                       teams=names(t, lang, commune_note.silent_teams, NAMES_LIMIT)))
    buttons = ((Button(t(lang, "reminder.log_now"), LOG_NOW),),) if reminder.nudge else ()
    return OutMessage(text="\n\n".join(parts), buttons=buttons, lang=lang)


async def still_wanted(services: Services, item: OutboxItem) -> bool:
    """Whether an item is still worth sending when its turn comes.

    A member's nudge may wait out quiet hours; if they logged something meanwhile, it would
    nag someone who did what it asks — so it is dropped. A reminder to someone who paused
    reminders meanwhile is dropped too. Everything else always goes.
    """
    if item.kind != "reminder" or item.member_id is None:
        return True
    today = local_today(services.clock(), services.settings.tz)
    if await services.read.pauses.current(today, [item.member_id]):
        return False
    if item.dedup_key.startswith("reminder:leader:"):
        return True
    week = week_of(local_today(item.created_at, services.settings.tz))
    logged = await services.read.activity.members_with_sessions(
        [item.member_id], week.start, week.end)
    return not logged


# --- what is due --------------------------------------------------------------------------------

async def run_due_work(services: Services, now: datetime | None = None) -> WorkReport:
    """Act on every schedule whose latest time fell in the current week (idempotent)."""
    now = now or services.clock()
    tz = services.settings.tz
    schedules = await services.read.schedules.current(default_quiet(services))
    report = WorkReport()
    digest_due = due_this_week(schedules.digest, now, tz)
    if digest_due is not None:
        done = await enqueue_digests(services, digest_due, now)
        report.digests, report.unreachable = done.digests, done.unreachable
        report.batches += done.batches
    reminder_due = due_this_week(schedules.reminder, now, tz)
    if reminder_due is not None:
        done = await enqueue_reminders(services, reminder_due, now)
        report.reminders = done.reminders
        # coordinators of communes with a past month not approved, with the same schedule
        report.approval_reminders = await enqueue_approval_reminders(services, reminder_due,
                                                                     now)
        report.unreachable += done.unreachable
        report.batches += done.batches
    return report
