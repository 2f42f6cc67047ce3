"""Every message a handler writes to the person's chat goes through ``Ctx.send``/``Ctx.edit``
(or ``reply``/``answer`` on top of them), which mark it with the reader's language — the
language Zalo's own added lines ("reply with a number…") are then written in."""

from __future__ import annotations

import ast
from pathlib import Path

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"


def _direct_channel_calls(source: str) -> list[int]:
    """Lines calling ``<something>.channel.send(...)`` or ``.channel.edit(...)``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("send", "edit")
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "channel"):
            found.append(node.lineno)
    return found


def test_the_check_sees_a_direct_send() -> None:
    assert _direct_channel_calls("async def f(ctx):\n    await ctx.channel.send('1', m)\n") == [2]
    assert _direct_channel_calls("async def f(ctx):\n    await ctx.send(m)\n") == []


def test_handlers_write_to_the_chat_only_through_ctx() -> None:
    offenders = {
        str(path.relative_to(HANDLERS)): lines
        for path in sorted(HANDLERS.rglob("*.py"))
        if path.name != "context.py"
        and (lines := _direct_channel_calls(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
