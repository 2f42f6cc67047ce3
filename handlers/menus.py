"""Which commands a person sees, in /help and in the chat's command menu."""

from __future__ import annotations

from bot.chat import MenuCommand
from handlers.context import Caller, Ctx
from handlers.routing import Command


def visible_commands(commands: dict[str, Command], caller: Caller) -> list[Command]:
    return [
        command for command in commands.values()
        if command.in_menu
        and (caller.member is not None or not command.members_only)
        and (command.requires is None or caller.can_somewhere(command.requires))
    ]


async def refresh_menu(ctx: Ctx, caller: Caller | None = None) -> None:
    """Show the caller's own commands in their language (a cosmetic aid: handlers still check)."""
    from handlers import dispatcher  # the registry of every feature's commands

    caller = caller or ctx.caller
    commands = [
        MenuCommand(c.name, ctx.services.t(caller.lang, f"cmd.{c.name}"))
        for c in visible_commands(dispatcher().commands, caller)
    ]
    await ctx.channel.set_menu(ctx.inc.chat_id, commands)
