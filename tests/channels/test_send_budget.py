"""One send budget per platform: never more than its sends in any one-second window, and an
answer to a person goes before the outbox's bulk sends waiting for the same slots."""

from __future__ import annotations

import asyncio

from bot.channels.send_budget import SendBudget, bulk_sends, rank_answers


class _Clock:
    """Time that passes only when the budget waits for it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        for _ in range(3):  # whoever was just let through goes first, at the time it was
            await asyncio.sleep(0)
        self.now += seconds


def _budget(per_second: int) -> tuple[SendBudget, _Clock]:
    clock = _Clock()
    return SendBudget(per_second, monotonic=clock.monotonic, sleep=clock.sleep), clock


async def _send(budget: SendBudget, took: float = 0.0) -> None:
    async with budget.slot():
        if took:
            await asyncio.sleep(took)


async def test_no_one_second_window_holds_more_than_the_budget() -> None:
    budget, clock = _budget(30)
    sent: list[float] = []

    async def send(bulk: bool) -> None:
        if bulk:
            with bulk_sends():
                await _send(budget)
        else:
            await _send(budget)
        sent.append(clock.now)

    await asyncio.gather(*(send(n % 3 == 0) for n in range(300)))
    assert len(sent) == 300
    sent.sort()
    busiest = max(sum(1 for t in sent if start <= t < start + 1.0) for start in sent)
    assert busiest == 30
    assert sent[-1] - sent[0] >= 9.0  # 300 sends at 30 a second


async def test_answers_go_before_bulk_sends_already_waiting() -> None:
    budget, _ = _budget(10)
    order: list[str] = []

    async def send(label: str, bulk: bool) -> None:
        if bulk:
            with bulk_sends():
                await _send(budget)
        else:
            await _send(budget)
        order.append(label)

    fan_out = [asyncio.create_task(send(f"bulk{n}", True)) for n in range(40)]
    await asyncio.sleep(0)  # the first ten take this second's slots, thirty wait
    answer = asyncio.create_task(send("answer", False))
    await asyncio.gather(*fan_out, answer)
    assert order.index("answer") == 10  # the first slot after those already taken
    assert budget.granted == {0: 1, 1: 40}


async def test_a_pause_holds_everything_until_it_ends() -> None:
    budget, clock = _budget(30)
    budget.pause(5.0)
    started = clock.now
    await _send(budget)
    assert clock.now - started >= 5.0


async def test_a_sender_that_gives_up_does_not_take_a_slot() -> None:
    budget, _ = _budget(1)
    await _send(budget)
    gave_up = asyncio.create_task(_send(budget))
    await asyncio.sleep(0)
    gave_up.cancel()
    await _send(budget)
    assert budget.granted == {0: 2, 1: 0}


async def test_a_newcomer_answer_goes_before_answers_of_chats_served_already() -> None:
    budget, _ = _budget(1)
    order: list[str] = []

    async def answer(label: str, served: int, arrival: int) -> None:
        rank_answers(served, arrival)  # each in a task of its own, as the intake's are
        await _send(budget)
        order.append(label)

    await _send(budget)  # this second's slot is taken: the rest queue
    waiting = [asyncio.create_task(answer(f"backlog{n}", 3, n)) for n in range(5)]
    await asyncio.sleep(0)
    newcomer = asyncio.create_task(answer("newcomer", 0, 99))
    await asyncio.gather(*waiting, newcomer)
    assert order[0] == "newcomer"


async def test_a_slow_send_holds_its_slot_until_a_second_after_its_answer() -> None:
    budget, clock = _budget(2)
    slow = asyncio.create_task(_send(budget, took=0))
    async with budget.slot():
        clock.now += 3.0  # this one took three seconds on the way
    await slow
    started = clock.now
    await _send(budget)  # one slot free again only a second after that answer
    await _send(budget)
    assert clock.now - started >= 1.0
