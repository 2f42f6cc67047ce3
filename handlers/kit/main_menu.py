"""The member's persistent buttons above the keyboard: big, always there, one tap to log.

A tapped label arrives as plain text; a hook maps it (in either language) to its command, even
in the middle of a flow: tapping 📝 while a step waits for a number starts a new entry rather
than being told the label is not a number.
"""

from __future__ import annotations

from handlers.kit.context import Ctx
from handlers.kit.routing import Feature

#: (message key of the label, command it stands for)
MENU = (("menu.log", "log"), ("menu.my", "my"), ("menu.help", "help"))


def member_menu(ctx: Ctx) -> tuple[tuple[str, ...], ...]:
    log, my, help_ = (ctx.t(key) for key, _ in MENU)
    return ((log,), (my, help_))


async def label_tapped(ctx: Ctx) -> bool:
    text = (ctx.inc.text or "").strip()
    t = ctx.services.t
    for key, command in MENU:
        if text in {t(lang, key) for lang in ("vi", "en")}:
            await ctx.services.routes.run_command(ctx, command, "")
            return True
    return False


feature = Feature(menu_hooks=(label_tapped,))
