"""One entry point for every update from every channel.

Order: find who is asking (the inbox has already dropped re-deliveries), then route:
a button press by its data prefix, a command by name (checking the permission table), free text
to the menu's labels, the flow in progress or else the text hooks. Any exception is logged
once here and the person gets a polite message — never a stack trace.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, TypeVar

from bot.core.chat import ChannelPort, Incoming, OutMessage
from bot.core.flood import Bucket, Decision, FloodRule
from bot.core.models import ChatFlow
from bot.core.permissions import lowest_role_for
from handlers.kit import press_check
from handlers.kit.caller import resolve_caller
from handlers.kit.context import Ctx, Services
from handlers.kit.metrics import MeteredPort
from handlers.kit.refusals import audit_refusal
from handlers.kit.routing import ButtonRoute, Command, Feature, FlowRoute, TextHook
from storage.repos import Repos
from storage.repos.inbox import mark_handled

log = logging.getLogger(__name__)
_T = TypeVar("_T")

#: Longer input is cut before any handler sees it (Telegram's own message limit).
MAX_TEXT = 4096
#: Flood buckets kept in memory before idle ones are forgotten.
MAX_BUCKETS = 10_000

#: Turns an update into what it stands for, in the chat's turn (Zalo: a typed "2" → a press).


class Router:
    """What the features offer, by command, button prefix and flow: built once from the feature
    list, before the services (which hand it to the handlers as ``services.routes``)."""

    def __init__(self, features: Iterable[Feature]) -> None:
        self.commands: dict[str, Command] = {}
        self.buttons: dict[str, ButtonRoute] = {}
        self.flows: dict[str, FlowRoute[Any]] = {}
        self.text_hooks: list[TextHook] = []
        self.menu_hooks: list[TextHook] = []
        for feature in features:
            for command in feature.commands:
                _add_unique(self.commands, command.name, command)
            for button in feature.buttons:
                _add_unique(self.buttons, button.prefix, button)
            for flow in feature.flows:
                _add_unique(self.flows, flow.flow, flow)
            self.text_hooks.extend(feature.text_hooks)
            self.menu_hooks.extend(feature.menu_hooks)

    async def route(self, ctx: Ctx) -> None:
        """A press by its data prefix, a command by name, free text to the flow in progress or
        else to the text hooks."""
        inc = ctx.inc
        ctx.flow = await self._live_flow(ctx)
        if inc.callback_data is not None:
            await self._press(ctx)
            return
        if inc.text is not None and len(inc.text) > MAX_TEXT:
            await ctx.reply(ctx.t("errors.too_long", **ctx.numbers({"limit": MAX_TEXT})))
            return
        if not inc.private:
            # Flows run in a private chat, where a member's answers are not everyone's business.
            if inc.command is not None:
                await ctx.reply(ctx.t("errors.private_only",
                                      link=f"https://t.me/{ctx.services.bot_username}"))
            return
        command = inc.command
        if command is not None:
            await self._command(ctx, *command)
            return
        for hook in self.menu_hooks:
            if await hook(ctx):
                return
        state = ctx.flow.state if ctx.flow is not None else None
        if state is not None:
            route = self.flows.get(state.name)
            if route is not None and await route.handle(ctx, state):
                return
        for hook in self.text_hooks:
            if await hook(ctx):
                return
        key = "errors.not_understood" if ctx.caller.member else "errors.not_understood_visitor"
        await ctx.reply(ctx.t(key))

    async def _live_flow(self, ctx: Ctx) -> ChatFlow | None:
        """The flow in progress in this chat; one left alone too long is closed (a timeout), and
        so is one that is no flow of this bot (unknown or damaged data: it cannot go on)."""
        inc = ctx.inc
        flow = await ctx.services.quick.chats.flow(inc.channel, inc.chat_id)
        if flow is None:
            return None
        timeout = timedelta(minutes=ctx.services.settings.flow_timeout_minutes)
        if flow.state is not None and ctx.now - flow.updated_at <= timeout:
            return flow
        async with ctx.services.db.write() as conn:
            await Repos(conn).chats.clear_flow(inc.channel, inc.chat_id)
        if inc.callback_data is None and inc.command is None:
            await ctx.reply(ctx.t("flow.expired"))
        return None

    async def run_command(self, ctx: Ctx, name: str, args: str) -> None:
        """Run a command as if typed (a menu button, a reminder's "log now")."""
        await self._command(ctx, name, args)

    async def _command(self, ctx: Ctx, name: str, args: str) -> None:
        command = self.commands.get(name)
        if command is None:
            await ctx.reply(ctx.t("errors.unknown_command", command=name[:32]))
            return
        ctx.args = args
        if command.members_only and ctx.caller.member is None:
            await ctx.reply(ctx.t("errors.join_first"))
            return
        if command.requires is not None and not ctx.caller.can_somewhere(command.requires):
            await self.refuse(ctx, command)
            return
        await command.handler(ctx)

    async def refuse(self, ctx: Ctx, command: Command) -> None:
        assert command.requires is not None
        role = lowest_role_for(command.requires)
        await audit_refusal(ctx, f"/{command.name}")
        await ctx.reply(ctx.t("errors.not_allowed", command=command.name,
                              role=ctx.t(f"role.{role.value}")))

    async def _press(self, ctx: Ctx) -> None:
        inc = ctx.inc
        assert inc.callback_data is not None
        prefix = inc.callback_data.partition(":")[0]
        route = self.buttons.get(prefix)
        # The acknowledgement goes out beside the handling rather than before it: a press
        # otherwise waits two round trips to the platform (acknowledge, then the answer).
        # It is awaited before the update counts as handled.
        acknowledged = asyncio.create_task(_acknowledge(ctx))
        try:
            if route is None:
                await press_check.refuse(ctx, press_check.Verdict.STALE)
                return
            checked = await press_check.check(ctx, route, inc.callback_data)
            if isinstance(checked, press_check.Verdict):
                await press_check.refuse(ctx, checked)
                return
            ctx.press = checked
            await route.handler(ctx)
        finally:
            await acknowledged


class Dispatcher:
    """One running bot's entry point for updates: made with its services, owned by a channel's
    intake. It keeps what is per running bot: each chat's turn and each chat's flood bucket."""

    def __init__(self, services: Services, router: Router) -> None:
        self.services = services
        self.router = router
        self._chat_locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._waiting: dict[tuple[str, str], int] = {}
        self._buckets: dict[tuple[str, str], Bucket] = {}

    async def dispatch(self, channel: ChannelPort, inc: Incoming) -> None:
        """Handle one update; updates of one chat run one at a time, in order of arrival.

        Channels hand updates over concurrently so that one slow request (an import, an export)
        never makes everyone else wait; the per-chat lock keeps each conversation sequential.
        What the person meant is read (``channel.interpret``) inside the chat's turn, so it
        sees what the previous update left (Zalo's numbered choices).
        """
        services = self.services
        services.metrics.received(inc.channel, services.clock())
        key = (inc.channel, inc.chat_id)
        lock = self._chat_locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:  # asyncio locks are FIFO: arrival order is kept
                await self._dispatch(MeteredPort(channel, services.metrics), inc)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key], self._chat_locks[key]

    async def _dispatch(self, channel: ChannelPort, inc: Incoming) -> None:
        # The update comes from the inbox, re-deliveries already dropped. It is marked handled
        # once handled *and answered*: a crash in between handles it again at start-up, which
        # the flows are made for (a repeated Save finds the session already saved), whereas
        # marking it with the handler's first write would leave that person with no answer.
        services = self.services
        started = time.perf_counter()
        await self._handle(channel, inc)
        # Not reached when cancelled (shutdown): the update stays pending and is handled again.
        await mark_handled(services.db, inc.channel, inc.update_key, services.clock())
        services.metrics.handled(inc, time.perf_counter() - started)

    async def _handle(self, channel: ChannelPort, inc: Incoming) -> None:
        services = self.services
        decision = self._flood(inc)
        if decision is Decision.DROP:
            return
        ctx: Ctx | None = None
        try:
            inc = await channel.interpret(inc)
            caller = await resolve_caller(services, inc)
            ctx = Ctx(services=services, channel=channel, inc=inc, caller=caller)
            if decision is Decision.NOTICE:
                log.warning("chat flooding on %s: slowed down", inc.channel)
                if inc.private:
                    await ctx.reply(ctx.t("flood.notice"))
                return
            await self.router.route(ctx)
        except Exception:
            log.exception("error handling update %s", inc.update_key)
            services.metrics.error("handler")
            await _apologise(services, channel, inc, ctx)

    def _flood(self, inc: Incoming) -> Decision:
        """One token of this chat's bucket (see :mod:`bot.core.flood`); anyone else is untouched."""
        settings = self.services.settings
        rule = FloodRule(per_minute=settings.flood_per_minute, burst=settings.flood_burst)
        now = self.services.clock()
        key = (inc.channel, inc.chat_id)
        bucket, decision = rule.take(self._buckets.get(key), now)
        self._buckets[key] = bucket
        if len(self._buckets) > MAX_BUCKETS:
            self._buckets = {k: b for k, b in self._buckets.items() if not rule.idle(b, now)}
        return decision


async def _acknowledge(ctx: Ctx) -> None:
    """Stop the button's spinner. Cosmetic: if it fails, the press is still handled."""
    if not ctx.inc.callback_id:
        return
    try:
        await ctx.channel.answer_button(ctx.inc.callback_id)
    except Exception:
        log.warning("could not acknowledge a press on %s; handling it anyway", ctx.inc.channel,
                    exc_info=True)


async def _apologise(services: Services, channel: ChannelPort, inc: Incoming,
                     ctx: Ctx | None) -> None:
    lang = ctx.lang if ctx else services.settings.default_language
    try:
        await channel.send(inc.chat_id, OutMessage(text=services.t(lang, "errors.generic"),
                                                   lang=lang))
    except Exception:
        log.exception("could not send the apology for %s", inc.update_key)


def _add_unique(table: dict[str, _T], key: str, value: _T) -> None:
    if key in table:
        raise ValueError(f"{key!r} is routed twice")
    table[key] = value
