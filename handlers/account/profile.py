"""/start (without a code), /me, /lang, /help and /cancel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from bot.core.callback_data import Field, OneOf, Values, Verb
from bot.core.chat import Button
from bot.core.i18n import Language
from handlers.account.joining import join_with_code
from handlers.kit.caller import load_caller
from handlers.kit.context import Caller, Ctx
from handlers.kit.main_menu import member_menu
from handlers.kit.menus import refresh_menu, visible_commands
from handlers.kit.routing import ButtonRoute, Command, Feature, press_of
from storage.repos import Repos


async def start(ctx: Ctx) -> None:
    if ctx.args:
        await join_with_code(ctx, ctx.args)
        return
    member = ctx.caller.member
    await refresh_menu(ctx)
    if member is None:
        await ctx.reply(ctx.t("start.visitor"))
    else:
        menu = member_menu(ctx) if ctx.caller.team is not None else None
        await ctx.reply(ctx.t("start.member", name=member.full_name) + "\n\n" + _help_text(ctx),
                        menu=menu)


async def me(ctx: Ctx) -> None:
    caller = ctx.caller
    member = caller.member
    assert member is not None
    identities = await ctx.services.read.access.identities_of(member.id)
    lines = [ctx.t("me.name", name=member.full_name)]
    if caller.team is not None:
        lines.append(ctx.t("me.team", team=caller.team.name, commune=caller.team.commune_name))
    role = caller.role
    if role is not None:
        lines.append(ctx.t("me.role", role=ctx.t(f"role.{role.value}")))
    if member.phone:
        lines.append(ctx.t("me.phone", phone="•" * (len(member.phone) - 3) + member.phone[-3:]))
    lines.append(ctx.t("me.language", language=ctx.t(f"language.{ctx.lang}")))
    channels = ", ".join(ctx.t(f"channel.{i.channel}") for i in identities)
    lines.append(ctx.t("me.channels", channels=channels))
    await ctx.reply("\n".join(lines))




@dataclass(frozen=True)
class Lang(Values):
    #: "vi" or "en" (the verb offers no other).
    lang: str


LANG = Verb("lang", "", (Field("lang", OneOf(("vi", "en"))),), shape=Lang)
LANGUAGE_BUTTONS = ((Button("Tiếng Việt", LANG.pack("vi")), Button("English", LANG.pack("en"))),)


async def lang(ctx: Ctx) -> None:
    choice = ctx.args.strip().lower()
    if choice in ("vi", "en"):
        await _set_language(ctx, cast(Language, choice))
        return
    await ctx.reply(ctx.t("lang.choose"), buttons=LANGUAGE_BUTTONS)


async def lang_pressed(ctx: Ctx) -> None:
    await _set_language(ctx, cast(Language, Lang.of(press_of(ctx)).lang))


async def _set_language(ctx: Ctx, language: Language) -> None:
    member = ctx.caller.member
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        if member is None:
            await repos.chats.set_visitor_language(ctx.inc.channel, ctx.inc.user_id, language)
        else:
            await repos.members.set_language(member.id, language, ctx.now)
    if member is None:
        ctx.caller = Caller(lang=language)
    else:
        fresh = await ctx.services.read.members.get(member.id)
        assert fresh is not None
        ctx.caller = await load_caller(ctx.services, fresh, language)
    await refresh_menu(ctx)
    await ctx.answer(ctx.t("lang.set"))


def _help_text(ctx: Ctx) -> str:
    lines = [ctx.t("help.title")]
    for command in visible_commands(ctx.services.routes.commands, ctx.caller):
        lines.append(f"/{command.name} — {ctx.t(f'cmd.{command.name}')}")
    if ctx.caller.member is None:
        lines.append("")
        lines.append(ctx.t("help.visitor_hint"))
    return "\n".join(lines)


async def help_(ctx: Ctx) -> None:
    await ctx.reply(_help_text(ctx))


async def cancel(ctx: Ctx) -> None:
    async with ctx.services.db.write() as conn:
        had_flow = await Repos(conn).chats.clear_flow(ctx.inc.channel, ctx.inc.chat_id)
    await ctx.reply(ctx.t("cancel.done" if had_flow else "cancel.nothing"))


feature = Feature(
    commands=(
        Command("start", start),
        Command("help", help_),
        Command("me", me, members_only=True),
        Command("lang", lang),
        Command("cancel", cancel),
    ),
    buttons=(ButtonRoute("lang", lang_pressed, verbs=(LANG,)),),
)
