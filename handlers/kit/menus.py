"""Which commands a person sees, in /help and in the chat's command menu."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.core.chat import MenuCommand
from handlers.kit.caller import load_caller
from handlers.kit.context import Caller, CommandInfo, Ctx, Services

log = logging.getLogger(__name__)


def visible_commands(commands: Mapping[str, CommandInfo], caller: Caller) -> list[CommandInfo]:
    return [
        command for command in commands.values()
        if command.in_menu
        and (caller.member is not None or not command.members_only)
        and (command.requires is None or caller.can_somewhere(command.requires))
    ]


async def refresh_menu(ctx: Ctx, caller: Caller | None = None) -> None:
    """Show the caller's own commands in their language (a cosmetic aid: handlers still check)."""
    caller = caller or ctx.caller
    commands = [
        MenuCommand(c.name, ctx.services.t(caller.lang, f"cmd.{c.name}"))
        for c in visible_commands(ctx.services.routes.commands, caller)
    ]
    await ctx.channel.set_menu(ctx.inc.chat_id, commands)


async def refresh_member_menus(services: Services, member_id: int) -> None:
    """After someone else changed this member's role or status: their command menu in each of
    their chats (a deactivated member is shown a visitor's menu)."""
    member = await services.read.members.get(member_id)
    if member is None:
        return
    default = services.settings.default_language
    caller = (await load_caller(services, member, default) if member.active
              else Caller(lang=member.language or default))
    commands = [
        MenuCommand(c.name, services.t(caller.lang, f"cmd.{c.name}"))
        for c in visible_commands(services.routes.commands, caller)
    ]
    for identity in await services.read.access.identities_of(member_id):
        channel = services.channels.get(identity.channel)
        if channel is None:
            continue
        try:
            await channel.set_menu(identity.chat_id, commands)
        except Exception:  # cosmetic: the change itself is already saved and enforced
            log.warning("could not refresh the menu of member %d on %s", member_id,
                        identity.channel, exc_info=True)
