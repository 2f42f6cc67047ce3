"""Route types: each feature module declares its commands, buttons, flows and text hooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.permissions import Action
from handlers.context import Ctx

Handler = Callable[[Ctx], Awaitable[None]]
#: A text hook looks at free text outside any flow and says whether it handled it.
TextHook = Callable[[Ctx], Awaitable[bool]]


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    #: Needed somewhere in the caller's grants; None: anyone, even a visitor.
    requires: Action | None = None
    #: Registered members only (a visitor is told how to join first).
    members_only: bool = False
    in_menu: bool = True


@dataclass(frozen=True)
class ButtonRoute:
    """Handles callback data ``"<prefix>:<rest>"``; the handler finds ``rest`` in ``ctx.args``."""

    prefix: str
    handler: Handler


@dataclass(frozen=True)
class FlowRoute:
    """Handles text (and files) while a flow of this name is in progress in the chat."""

    flow: str
    handler: Handler


@dataclass(frozen=True)
class Feature:
    commands: tuple[Command, ...] = ()
    buttons: tuple[ButtonRoute, ...] = ()
    flows: tuple[FlowRoute, ...] = ()
    text_hooks: tuple[TextHook, ...] = ()
