"""/team: who is doing what this week, and keeping the list of teams right.

* A team leader: ``/team`` lists their members with this week's sessions and citizens (those
  who logged nothing are marked; those who paused their reminders show as paused, not silent),
  and the team's targets with their progress.
* A commune coordinator: ``/team`` lists their commune's teams with this week's figures; a
  province coordinator or admin picks a commune first. ``/team <name>`` finds a team (any
  diacritics) within the caller's scope.
* Whoever may manage people there: ``/team add <name>``, and rename or deactivate buttons on a
  team's page (each confirmed, each re-checked against the permission table, each audited).
"""

from __future__ import annotations

from bot.core import calendar as periods
from bot.core.callback_data import COMMUNE_CODE, ID, Field, OfCommune, OfTeam, Ref, Verb
from bot.core.chat import Button
from bot.core.flows import TeamAddFlow, TeamRenameFlow
from bot.core.models import Team
from bot.core.names import MAX_TEAM_NAME, team_name
from bot.core.permissions import Action, Scope
from bot.core.registry.cell_values import split_team_name
from bot.core.roles import Role
from bot.core.steering_text import behind_line, target_lines
from bot.core.text import fold
from handlers.kit.commune_picker import pick_commune
from handlers.kit.context import Ctx
from handlers.kit.flow_store import save_flow
from handlers.kit.rename import Rename, ask_new_name, confirmed, rename_steps
from handlers.kit.routing import ButtonRoute, Command, Feature, press_of
from handlers.kit.scope import (
    commune_scope,
    find_communes,
    grid,
    province_wide,
    refuse_place,
    scopes_for,
    team_scope,
)
from handlers.steering import behind, children_progress, target_progress
from storage.repos import Repos

_ADD_WORDS = {"add", "them", "moi", "new"}

_SHOWN = Field("team", ID, ref=Ref.TEAM, needs=Action.VIEW_TEAM)
_MANAGED = Field("team", ID, ref=Ref.TEAM, needs=Action.MANAGE_PEOPLE)
SHOW_COMMUNE = Verb("team", "c", (Field("commune", COMMUNE_CODE, ref=Ref.COMMUNE,
                                        needs=Action.VIEW_TEAM),), shape=OfCommune)
SHOW_TEAM = Verb("team", "v", (_SHOWN,), shape=OfTeam)
RENAME = Verb("team", "rn", (_MANAGED,), shape=OfTeam)
RENAME_OK = Verb("team", "rnok", (_MANAGED,), shape=OfTeam)
DEACTIVATE = Verb("team", "off", (_MANAGED,), shape=OfTeam)
DEACTIVATE_OK = Verb("team", "offok", (_MANAGED,), shape=OfTeam)
ADD_IN = Verb("team", "a", (Field("commune", COMMUNE_CODE, ref=Ref.COMMUNE,
                                  needs=Action.MANAGE_PEOPLE),), shape=OfCommune)
CANCEL = Verb("team", "x")
VERBS = (SHOW_COMMUNE, SHOW_TEAM, RENAME, RENAME_OK, DEACTIVATE, DEACTIVATE_OK, ADD_IN, CANCEL)


async def team(ctx: Ctx) -> None:
    words = ctx.args.split(maxsplit=1)
    if words and fold(words[0]) in _ADD_WORDS:
        await _add(ctx, words[1] if len(words) > 1 else "")
        return
    if ctx.args.strip():
        await _search(ctx, ctx.args.strip())
        return
    scopes = scopes_for(ctx, Action.VIEW_TEAM)
    if province_wide(ctx, Action.VIEW_TEAM):
        await _pick_commune(ctx, SHOW_COMMUNE, ctx.t("team.pick_commune"))
        return
    communes = [s for s in scopes if s.team is None and s.commune is not None]
    if communes:
        assert communes[0].commune is not None
        await _show_commune(ctx, communes[0].commune)
        return
    teams = [s.team for s in scopes if s.team is not None]
    if teams:
        await _show_team(ctx, teams[0])
        return
    await ctx.reply(ctx.t("team.usage"))


async def pressed(ctx: Ctx) -> None:
    press = press_of(ctx)
    verb = press.verb
    if verb is SHOW_COMMUNE:
        await _show_commune(ctx, OfCommune.of(press).commune)
    elif verb is ADD_IN:
        await _add_in(ctx, OfCommune.of(press).commune, TeamAddFlow.of(ctx.flow))
    elif verb is CANCEL:
        async with ctx.services.db.write() as conn:
            await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        await ctx.answer(ctx.t("team.cancelled"))
    else:
        await _ONE_TEAM[verb](ctx, OfTeam.of(press).team)


# ----------------------------------------------------------------------------- viewing

async def _pick_commune(ctx: Ctx, verb: Verb, text: str) -> None:
    await ctx.reply(text, buttons=await pick_commune(ctx, Action.VIEW_TEAM, f"{verb.key}:"))


async def _show_commune(ctx: Ctx, commune_code: str) -> None:
    read = ctx.services.read
    commune = await read.geo.commune(commune_code)
    if commune is None:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    scope = commune_scope(ctx, commune_code)
    if not ctx.caller.can(Action.VIEW_TEAM, scope):
        await refuse_place(ctx, "team", commune.name)
        return
    week = periods.this_week(ctx.today)
    teams = await read.tallies.by_team(scope, week.start, week.end)
    members = await read.tallies.by_member(scope, week.start, week.end)
    n = ctx.services.t.number
    lines = [ctx.t("team.commune_title", commune=commune.name, period=week.label(ctx.lang))]
    for place in teams:
        own = [m for m in members if m.team_name == place.name]
        active = sum(m.sessions > 0 for m in own)
        if place.sessions:
            lines.append(ctx.t("team.team_line", team=place.name, sessions=n(ctx.lang,
                         place.sessions), citizens=n(ctx.lang, place.citizens),
                         active=n(ctx.lang, active), members=n(ctx.lang, len(own))))
        else:
            lines.append(ctx.t("team.team_line_silent", team=place.name,
                               members=n(ctx.lang, len(own))))
    if not teams:
        lines.append(ctx.t("team.no_teams"))
    today = ctx.today
    t = ctx.services.t
    targets = target_lines(t, ctx.lang, await target_progress(ctx.services, scope, ctx.lang,
                                                              today, today))
    below = behind_line(t, ctx.lang, behind(await children_progress(ctx.services, scope,
                                                                    ctx.lang, today, today)))
    if targets or below:
        lines += ["", *targets, *below]
    lines.append("")
    lines.append(ctx.t("team.commune_hint"))
    buttons = [Button(t.name, SHOW_TEAM.pack(int(t.key))) for t in teams]
    await ctx.answer("\n".join(lines), buttons=grid(buttons, per_row=3))


async def _show_team(ctx: Ctx, team_id: int) -> None:
    read = ctx.services.read
    found = await read.teams.get(team_id)
    if found is None or not found.active:
        await ctx.answer(ctx.t("team.not_found_id"))
        return
    scope = team_scope(found)
    if not ctx.caller.can(Action.VIEW_TEAM, scope):
        await refuse_place(ctx, "team", f"{found.name}, {found.commune_name}",
                           who=Role.TEAM_LEADER)
        return
    week = periods.this_week(ctx.today)
    members = await read.tallies.by_member(scope, week.start, week.end)
    leaders = set(await read.access.holders(Role.TEAM_LEADER, "team", str(team_id)))
    n = ctx.services.t.number
    total_sessions = sum(m.sessions for m in members)
    total_citizens = sum(m.citizens for m in members)
    lines = [
        ctx.t("team.title", team=found.name, commune=found.commune_name),
        ctx.t("team.week_totals", period=week.label(ctx.lang),
              sessions=n(ctx.lang, total_sessions), citizens=n(ctx.lang, total_citizens)),
        "",
    ]
    today = ctx.today
    paused = await read.pauses.current(today, (int(m.key) for m in members))
    for m in members:
        star = " ⭐" if int(m.key) in leaders else ""
        if m.sessions:
            lines.append(ctx.t("team.member_line", name=m.name + star,
                               sessions=n(ctx.lang, m.sessions),
                               citizens=n(ctx.lang, m.citizens)))
        elif int(m.key) in paused:  # on leave: not silent
            lines.append(ctx.t("steering.member_paused", name=m.name + star,
                               until=ctx.services.t.date(ctx.lang, paused[int(m.key)])))
        else:
            lines.append(ctx.t("team.member_line_silent", name=m.name + star))
    if not members:
        lines.append(ctx.t("team.no_members"))
    silent = sum(1 for m in members if not m.sessions and int(m.key) not in paused)
    away = sum(1 for m in members if not m.sessions and int(m.key) in paused)
    if members and (silent or away):
        lines.append("")
    if members and silent:
        lines.append(ctx.t("team.silent_count", count=n(ctx.lang, silent)))
    if away:
        lines.append(ctx.t("steering.paused_count", count=n(ctx.lang, away)))
    targets = await target_progress(ctx.services, scope, ctx.lang, today, today)
    if targets:
        lines += ["", *target_lines(ctx.services.t, ctx.lang, targets)]
    buttons: tuple[tuple[Button, ...], ...] = ()
    if ctx.caller.can(Action.MANAGE_PEOPLE, scope):
        buttons = ((Button(ctx.t("team.rename_button"), RENAME.pack(team_id)),
                    Button(ctx.t("team.deactivate_button"), DEACTIVATE.pack(team_id))),)
    await ctx.answer("\n".join(lines), buttons=buttons)


async def _search(ctx: Ctx, text: str) -> None:
    read = ctx.services.read
    teams = await read.teams.search(scopes_for(ctx, Action.VIEW_TEAM), text)
    if len(teams) == 1:
        await _show_team(ctx, teams[0].id)
        return
    if teams:
        await ctx.reply(ctx.t("team.pick_team"), buttons=tuple(
            (Button(f"{t.name} – {t.commune_name}", SHOW_TEAM.pack(t.id)),) for t in teams))
        return
    communes = await find_communes(ctx, text)
    if len(communes) == 1:
        await _show_commune(ctx, communes[0].code)
        return
    elsewhere = await read.teams.search(
        [Scope(ctx.services.settings.province_code)], text, limit=1)
    if elsewhere:  # it exists, just not in this person's area: say whose it is
        await refuse_place(ctx, "team", elsewhere[0].commune_name)
        return
    await ctx.reply(ctx.t("team.not_found", text=text[:60]))


# ----------------------------------------------------------------------------- managing

async def _add(ctx: Ctx, raw: str) -> None:
    if not ctx.caller.can_somewhere(Action.MANAGE_PEOPLE):
        await refuse_place(ctx, "team add", ctx.t("admin.this_area"))
        return
    name = team_name(raw)
    if name is None:
        await ctx.reply(ctx.t("team.add_usage", limit=MAX_TEAM_NAME))
        return
    scopes = scopes_for(ctx, Action.MANAGE_PEOPLE)
    state = TeamAddFlow(team_name=name)
    await save_flow(ctx, state)
    if len(scopes) == 1 and scopes[0].commune is not None and scopes[0].team is None:
        await _add_in(ctx, scopes[0].commune, state)
        return
    await ctx.reply(ctx.t("team.add_pick_commune", team=name),
                    buttons=await pick_commune(ctx, Action.MANAGE_PEOPLE, f"{ADD_IN.key}:"))


async def _add_in(ctx: Ctx, commune_code: str, state: TeamAddFlow | None) -> None:
    """Add the team named in ``state`` (the chat's /team add in progress) to the commune."""
    commune = await ctx.services.read.geo.commune(commune_code)
    if state is None or commune is None:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    if not ctx.caller.can(Action.MANAGE_PEOPLE, commune_scope(ctx, commune_code)):
        await refuse_place(ctx, "team add", commune.name)
        return
    name = state.team_name
    kind = split_team_name(name)[0] or "hamlet"
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
        team_id = await repos.teams.add(commune_code, name, kind, ctx.now)
        if team_id is not None:
            await repos.audit.record(actor=_actor(ctx), action="team.add",
                                     target=f"team:{team_id}", now=ctx.now, name=name,
                                     commune=commune.name)
    if team_id is None:
        await ctx.answer(ctx.t("team.exists", team=name, commune=commune.name))
        return
    await ctx.answer(ctx.t("team.added", team=name, commune=commune.name))


async def _managed_team(ctx: Ctx, team_id: int) -> Team | None:
    """The team if the caller may manage it (refused politely and logged otherwise)."""
    found = await ctx.services.read.teams.get(team_id)
    if found is None or not found.active:
        await ctx.answer(ctx.t("team.not_found_id"))
        return None
    if not ctx.caller.can(Action.MANAGE_PEOPLE, team_scope(found)):
        await refuse_place(ctx, "team", f"{found.name}, {found.commune_name}")
        return None
    return found


class _RenameTeam(Rename[TeamRenameFlow, Team]):
    flow = TeamRenameFlow
    confirm = RENAME_OK
    cancel = CANCEL

    async def find(self, ctx: Ctx, target: int) -> Team | None:
        return await _managed_team(ctx, target)

    def parse(self, text: str) -> str | None:
        return team_name(text)

    def ask_text(self, ctx: Ctx, found: Team) -> str:
        return ctx.t("team.ask_new_name", team=found.name)

    def bad_name_text(self, ctx: Ctx) -> str:
        return ctx.t("team.bad_name", limit=MAX_TEAM_NAME)

    def confirm_text(self, ctx: Ctx, found: Team, new: str) -> str:
        return ctx.t("team.confirm_rename", old=found.name, new=new)

    async def write(self, ctx: Ctx, repos: Repos, found: Team, name: str) -> bool:
        done = await repos.teams.rename(found.id, name, ctx.now)
        if done:
            await repos.audit.record(actor=_actor(ctx), action="team.rename",
                                     target=f"team:{found.id}", now=ctx.now, old=found.name,
                                     new=name)
        return done

    async def done(self, ctx: Ctx, found: Team, name: str, written: bool) -> None:
        if not written:
            await ctx.answer(ctx.t("team.exists", team=name, commune=found.commune_name))
            return
        await ctx.answer(ctx.t("team.renamed", old=found.name, new=name))


RENAME_TEAM = _RenameTeam()


async def _ask_rename(ctx: Ctx, team_id: int) -> None:
    await ask_new_name(ctx, RENAME_TEAM, team_id)


async def _rename(ctx: Ctx, team_id: int) -> None:
    await confirmed(ctx, RENAME_TEAM, team_id)


async def _ask_deactivate(ctx: Ctx, team_id: int) -> None:
    found = await _managed_team(ctx, team_id)
    if found is None:
        return
    members = await ctx.services.read.members.active_in_team(team_id)
    if members:
        await ctx.answer(ctx.t("team.still_has_members", team=found.name,
                               count=ctx.services.t.number(ctx.lang, members)))
        return
    await ctx.answer(ctx.t("team.confirm_deactivate", team=found.name,
                           commune=found.commune_name),
                     buttons=_confirm(ctx, DEACTIVATE_OK.pack(team_id)))


async def _deactivate(ctx: Ctx, team_id: int) -> None:
    found = await _managed_team(ctx, team_id)
    if found is None:
        return
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        if await repos.members.active_in_team(team_id):
            done = False
        else:
            done = True
            await repos.teams.set_active(team_id, False, ctx.now)
            await repos.audit.record(actor=_actor(ctx), action="team.deactivate",
                                     target=f"team:{team_id}", now=ctx.now, name=found.name)
    if not done:
        await ctx.answer(ctx.t("team.still_has_members", team=found.name, count="1+"))
        return
    await ctx.answer(ctx.t("team.deactivated", team=found.name, commune=found.commune_name))


def _confirm(ctx: Ctx, data: str) -> tuple[tuple[Button, ...], ...]:
    return ((Button(ctx.t("admin.confirm"), data), Button(ctx.t("admin.cancel"), CANCEL.pack())),)


def _actor(ctx: Ctx) -> int | None:
    return ctx.caller.member.id if ctx.caller.member else None


#: The buttons that carry just the team.
_ONE_TEAM = {
    SHOW_TEAM: _show_team,
    RENAME: _ask_rename,
    RENAME_OK: _rename,
    DEACTIVATE: _ask_deactivate,
    DEACTIVATE_OK: _deactivate,
}

feature = Feature(
    commands=(Command("team", team, requires=Action.VIEW_TEAM, members_only=True),),
    buttons=(ButtonRoute("team", pressed, verbs=VERBS, requires=Action.VIEW_TEAM,
                         members_only=True),),
    flows=(rename_steps(RENAME_TEAM).route,),
)
