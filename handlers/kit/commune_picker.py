"""Choosing a commune/ward with buttons, in a province of any size.

Telegram refuses an inline keyboard of more than 100 buttons ("reply markup is too long"), and
Hồ Chí Minh City has 168 wards. Up to :data:`AT_ONCE` communes are offered as they are; more are
first grouped into alphabetical ranges ("An Đông – Bình Tây"), a range opens its communes, and
"other names" goes back to the ranges. Each commune button carries the caller's own callback
data (``target`` + the commune code), so the picking flow itself does not change.

Button data: ``cp:r:<action>:<start>:<target>`` (a range), ``cp:i:<action>:<target>`` (the
ranges again), ``<action>`` the action's place in :class:`Action` and ``<target>`` the data
prefix with ``.`` for ``:``. The communes are those with teams that the caller may ``<action>``
in, checked again at every press; a commune's own button is checked by the central press check
against the verbs of the route it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.callback_data import Field, Int, Pattern, Values, Verb
from bot.core.chat import Button
from bot.core.models import Commune
from bot.core.permissions import Action, Scope
from bot.core.registry.geo import split_prefix
from bot.core.text import fold
from handlers.kit.context import Ctx
from handlers.kit.routing import ButtonRoute, Feature, press_of
from handlers.kit.scope import grid

#: Most communes offered at once (two a row); a small province's list is shown whole.
AT_ONCE = 40
#: Communes in one alphabetical range of a large province.
RANGE_SIZE = 30

Rows = tuple[tuple[Button, ...], ...]

_ACTIONS = tuple(Action)
_ACTION = Field("action", Int(3))
_TARGET = Field("target", Pattern(r"[a-z0-9.\-]{1,40}"))


@dataclass(frozen=True)
class Ranges(Values):
    """The alphabetical ranges again, for ``action`` (its index in :class:`Action`)."""

    action: int
    target: str


@dataclass(frozen=True)
class Range(Values):
    """The communes of one range, from ``start`` in alphabetical order."""

    action: int
    start: int
    target: str


RANGE = Verb("cp", "r", (_ACTION, Field("start", Int(4)), _TARGET), shape=Range)
RANGES = Verb("cp", "i", (_ACTION, _TARGET), shape=Ranges)


def _action_index(action: Action) -> int:
    return _ACTIONS.index(action)


def _encode(target: str) -> str:
    return target.replace(":", ".")


async def allowed_communes(ctx: Ctx, action: Action) -> list[Commune]:
    """The province's communes with teams where the caller may do ``action``."""
    province = ctx.services.settings.province_code
    communes = await ctx.services.read.geo.communes_with_teams(province)
    return [c for c in communes if ctx.caller.can(action, Scope(province, c.code))]


def _bare(commune: Commune) -> str:
    return split_prefix(commune.name)[1]


def _alphabetical(communes: list[Commune]) -> list[Commune]:
    return sorted(communes, key=lambda c: (fold(_bare(c)), c.code))


def _range_label(chunk: list[Commune]) -> str:
    return f"{_bare(chunk[0])} – {_bare(chunk[-1])}"


def _buttons(communes: list[Commune], target: str) -> list[Button]:
    return [Button(c.name, f"{target}{c.code}") for c in communes]


def _ranges(communes: list[Commune], action: Action, target: str) -> Rows:
    ordered = _alphabetical(communes)
    return grid([Button(_range_label(ordered[i:i + RANGE_SIZE]),
                        RANGE.pack(_action_index(action), i, _encode(target)))
                 for i in range(0, len(ordered), RANGE_SIZE)])


def commune_rows(communes: list[Commune], action: Action, target: str) -> Rows:
    """Buttons choosing one of ``communes`` (the caller's ``allowed_communes``): pressing one
    sends ``target`` + its code; a long list comes as alphabetical ranges first."""
    if len(communes) <= AT_ONCE:
        return grid(_buttons(communes, target))
    return _ranges(communes, action, target)


async def pick_commune(ctx: Ctx, action: Action, target: str) -> Rows:
    """:func:`commune_rows` of the communes the caller may ``action`` in."""
    return commune_rows(await allowed_communes(ctx, action), action, target)


async def pressed(ctx: Ctx) -> None:
    press = press_of(ctx)
    values = Ranges.of(press) if press.verb is RANGES else Range.of(press)
    if values.action >= len(_ACTIONS):
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    action = _ACTIONS[values.action]
    target = values.target.replace(".", ":")
    communes = await allowed_communes(ctx, action)
    if not isinstance(values, Range):
        await ctx.answer(ctx.t("picker.pick_range"), buttons=_ranges(communes, action, target))
        return
    start = values.start
    chunk = _alphabetical(communes)[start:start + RANGE_SIZE]
    if not chunk:
        await ctx.answer(ctx.t("errors.stale_button"))
        return
    back = (Button(ctx.t("picker.other_ranges"),
                   RANGES.pack(_action_index(action), _encode(target))),)
    await ctx.answer(ctx.t("picker.pick_in_range", first=_bare(chunk[0]), last=_bare(chunk[-1])),
                     buttons=(*grid(_buttons(chunk, target)), back))


feature = Feature(buttons=(ButtonRoute("cp", pressed, verbs=(RANGE, RANGES)),))
