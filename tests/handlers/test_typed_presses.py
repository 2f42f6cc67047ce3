"""Every kind of button that carries values declares their typed shape.

A handler then reads ``OfMember.of(press).member`` (checked by mypy) rather than
``press.number("member")`` (a string nobody checks): a verb added without a shape fails here.
"""

from __future__ import annotations

from bot.app.routes import build_router


def test_every_button_with_values_has_a_typed_shape() -> None:
    unshaped = sorted(verb.key for route in build_router().buttons.values()
                      for verb in route.verbs if verb.fields and verb.shape is None)
    assert unshaped == []


def test_every_button_route_declares_its_verbs() -> None:
    assert [prefix for prefix, route in build_router().buttons.items() if not route.verbs] == []
