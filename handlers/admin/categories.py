"""/category (admin): the activity categories members pick from, changed from a phone.

``/category`` lists them; ``add``, ``rename``, ``aliases``, ``off``, ``on``, ``move`` change one
(see ``category.usage``). The rules live in :mod:`bot.core.categories`; the change is checked
against the categories read inside the same write transaction, audited there, and the logging
flow and the quick form read the table on every update, so it shows at once.
"""

from __future__ import annotations

from typing import Any

from bot.core.categories import CategoryInputError, Edit, parse_edit, plan, reorder
from bot.core.models import Category
from bot.core.permissions import Action
from bot.core.text import fold
from handlers.kit.context import Ctx
from handlers.kit.routing import Command, Feature
from storage.repos import Repos
from storage.repos.evidence import PHOTO_OPTIONAL, PHOTO_REQUIRED

MAX_TEXT = 3500  # one message stays well under Telegram's 4096 (Zalo splits on its own)


async def category(ctx: Ctx) -> None:
    if not ctx.args.strip():
        await _send(ctx, [*await _list(ctx), "", ctx.t("category.usage")])
        return
    if fold(ctx.args.split()[0]) in {"photo", "anh"}:
        await _photo(ctx, ctx.args.split()[1:])
        return
    try:
        edit = parse_edit(ctx.args)
        async with ctx.services.db.write() as conn:
            await _apply(ctx, Repos(conn), edit)
    except CategoryInputError as problem:
        await ctx.reply(_error(ctx, problem))
        return
    done = ctx.t(f"category.done_{edit.verb}", code=edit.code)
    if edit.verb == "move":
        await _send(ctx, [done, "", *await _list(ctx)])
    else:
        category = await ctx.services.read.categories.by_code(edit.code)
        assert category is not None
        await _send(ctx, [done, *_lines(ctx, category)])


async def _apply(ctx: Ctx, repos: Repos, edit: Edit) -> None:
    """Check the change against the categories as they are now, write it and audit it."""
    categories = await repos.categories.all()
    after = plan(edit, categories)
    details: dict[str, Any] = {}
    if edit.verb == "add":
        await repos.categories.add(code=after.code, label_vi=after.label_vi,
                                   label_en=after.label_en, emoji=after.emoji,
                                   aliases=after.aliases, now=ctx.now)
        details = {"vi": after.label_vi, "en": after.label_en, "emoji": after.emoji,
                   "aliases": ", ".join(after.aliases)}
    elif edit.verb == "move":
        current = next(c for c in categories if c.code == edit.code)
        await repos.categories.set_positions(reorder(categories, edit.code, edit.position),
                                             ctx.now)
        details = {"from": current.position, "to": edit.position}
    else:
        current = next(c for c in categories if c.code == edit.code)
        await repos.categories.update(current.id, label_vi=after.label_vi,
                                      label_en=after.label_en, emoji=after.emoji,
                                      aliases=after.aliases, active=after.active, now=ctx.now)
        if edit.verb == "rename":
            details = {"lang": edit.lang, "from": current.label(edit.lang), "to": edit.label}
        elif edit.verb == "aliases":
            details = {"from": ", ".join(current.aliases), "to": ", ".join(after.aliases)}
    actor = ctx.caller.member.id if ctx.caller.member else None
    await repos.audit.record(actor=actor, action=f"category.{edit.verb}", target=edit.code,
                             now=ctx.now, **details)


_PHOTO_WORDS = {"required": PHOTO_REQUIRED, "batbuoc": PHOTO_REQUIRED, "bat buoc": PHOTO_REQUIRED,
                "optional": PHOTO_OPTIONAL, "tuychon": PHOTO_OPTIONAL,
                "tuy chon": PHOTO_OPTIONAL}


async def _photo(ctx: Ctx, words: list[str]) -> None:
    """``/category photo CODE required|optional``: whether its sessions must carry a photo."""
    setting = _PHOTO_WORDS.get(fold(" ".join(words[1:]))) if len(words) >= 2 else None
    category = await ctx.services.read.categories.by_code(words[0].lower()) if words else None
    if category is None or setting is None:
        await ctx.reply(ctx.t("evidence.category_usage"))
        return
    actor = ctx.caller.member.id if ctx.caller.member else None
    async with ctx.services.db.write() as conn:
        repos = Repos(conn)
        await repos.evidence.set_category_photo(category.id, setting, ctx.now)
        await repos.audit.record(actor=actor, action="category.photo", target=category.code,
                                 now=ctx.now, photo=setting)
    await ctx.reply(ctx.t(f"evidence.category_{setting}", code=category.code,
                          category=category.label(ctx.lang)))


def _error(ctx: Ctx, problem: CategoryInputError) -> str:
    text = ctx.t(f"category.error_{problem.code}", **problem.params)
    if problem.code == "usage":
        text += "\n\n" + ctx.t("category.usage")
    return text


async def _list(ctx: Ctx) -> list[str]:
    categories = await ctx.services.read.categories.all()
    lines = [ctx.t("category.title", count=len(categories))]
    for category in categories:
        lines += _lines(ctx, category)
    return lines


def _lines(ctx: Ctx, category: Category) -> list[str]:
    line = ctx.t("category.line", position=category.position,
                 emoji=category.emoji or "▫️", code=category.code, vi=category.label_vi,
                 en=category.label_en)
    if not category.active:
        line += " " + ctx.t("category.inactive")
    aliases = ", ".join(category.aliases) or ctx.t("category.no_aliases")
    return [line, ctx.t("category.aliases_line", aliases=aliases)]


async def _send(ctx: Ctx, lines: list[str]) -> None:
    """As few messages as fit: twenty categories with twenty long aliases each do not fit one."""
    chunk: list[str] = []
    for line in lines:
        if chunk and sum(len(x) + 1 for x in chunk) + len(line) > MAX_TEXT:
            await ctx.reply("\n".join(chunk))
            chunk = []
        chunk.append(line)
    if chunk:
        await ctx.reply("\n".join(chunk))


feature = Feature(commands=(
    Command("category", category, requires=Action.MANAGE_CATEGORIES, members_only=True),
))
