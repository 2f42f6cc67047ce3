"""Route types: each feature module declares its commands, buttons, flows and text hooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.callback_data import Verb
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
    """Handles callback data ``"<prefix>:<rest>"``; the handler finds ``rest`` in ``ctx.args``
    and the typed values in ``ctx.press``.

    The dispatcher lets a press through only if it is one of ``verbs`` with well-formed values,
    every id in it names something that exists and lies within the caller's scope, and the caller
    holds ``requires`` (and is a member, if ``members_only``): anything else gets one short
    answer that says nothing about the id (see ``handlers.press_check``).
    """

    prefix: str
    handler: Handler
    verbs: tuple[Verb, ...] = ()
    requires: Action | None = None
    members_only: bool = False


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
