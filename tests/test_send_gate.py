"""Units of the send budget: the priority gate (order, shares, the window) and status edits."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.broadcast.gate import Priority, PriorityGate
from bot.broadcast.progress import Progress, StatusEdits

pytestmark = pytest.mark.asyncio


class VirtualTime:
    """A clock that moves only when the gate waits: deterministic and instant."""

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    async def wait(self, seconds: float) -> None:
        self.t += seconds
        await asyncio.sleep(0)


async def _run(gate: PriorityGate, order: list[tuple[Priority, int]], p: Priority, i: int) -> None:
    admitted = await gate.acquire(p)
    order.append((p, i))
    gate.release(admitted)


async def test_a_reply_overtakes_a_queue_of_announcements() -> None:
    vt = VirtualTime()
    gate = PriorityGate(10, vt.now, vt.wait)
    order: list[tuple[Priority, int]] = []
    tasks = [asyncio.create_task(_run(gate, order, Priority.ANNOUNCE, i)) for i in range(30)]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(_run(gate, order, Priority.REPLY, 0)))
    await asyncio.gather(*tasks)
    assert order.index((Priority.REPLY, 0)) <= 2  # the next slot but one, at worst
    assert vt.t == pytest.approx(30 / (10 * 0.985), rel=0.1)  # the pace held


async def test_shares_while_every_class_waits() -> None:
    vt = VirtualTime()
    gate = PriorityGate(30, vt.now, vt.wait)
    order: list[tuple[Priority, int]] = []
    tasks = [
        asyncio.create_task(_run(gate, order, p, i)) for i in range(60) for p in reversed(Priority)
    ]
    await asyncio.gather(*tasks)
    first = Counter(p for p, _ in order[:50])
    assert first[Priority.REPLY] == pytest.approx(30, abs=1)
    assert first[Priority.REMINDER] == pytest.approx(15, abs=1)
    assert first[Priority.ANNOUNCE] == pytest.approx(5, abs=1)
    # Alone, a class takes every slot: the last 60 - 5 - ... are all announcements.
    assert {p for p, _ in order[-30:]} == {Priority.ANNOUNCE}


async def test_a_send_counts_until_a_second_after_its_answer_or_its_slot_plus_jitter() -> None:
    vt = VirtualTime()
    gate = PriorityGate(5, vt.now, vt.wait, jitter=0.5)
    slots = [await gate.acquire(Priority.ANNOUNCE) for _ in range(5)]  # five in flight
    sixth = asyncio.create_task(gate.acquire(Priority.REPLY))
    for _ in range(20):
        await asyncio.sleep(0)
    assert not sixth.done()  # however long the answers take
    vt.t = slots[0] + 0.2
    gate.release(slots[0])  # answered 0.2 s after its slot: it counts until then + 1 s
    await sixth
    assert vt.t == pytest.approx(slots[0] + 1.2)
    vt.t = 40.0
    gate.release(slots[1])  # answered very late: it counts until its slot + jitter + 1 s
    seventh = await gate.acquire(Priority.REPLY)
    assert seventh == 40.0


def _progress(sent: int, *, final: bool = False) -> Progress:
    return Progress(1, "announce", 9, sent, 0, 0, 0, None, 1000, 5, 1000, final, False)


async def test_status_edits_coalesce_and_the_latest_wins() -> None:
    now = [0.0]
    seen: list[int] = []
    go = asyncio.Event()

    async def reporter(p: Progress) -> None:
        await go.wait()
        seen.append(-p.sent if p.final else p.sent)

    edits = StatusEdits(reporter, 3.0, lambda: now[0])
    edits.offer(_progress(1))
    await asyncio.sleep(0)  # the first edit is in flight (held by the reporter)
    for sent, at in ((2, 1.0), (3, 4.0), (4, 8.0), (5, 9.0)):
        now[0] = at
        edits.offer(_progress(sent))
    go.set()
    for _ in range(10):  # let the edit in flight and the waiting one go
        await asyncio.sleep(0)
    # 2 and 5 came too soon after an accepted one; 3 was replaced by 4 while 1 was in flight.
    assert seen == [1, 4]
    now[0] = 9.5
    edits.offer(_progress(6))  # too soon: dropped
    await edits.finish(_progress(9, final=True))  # the final report always goes
    assert seen == [1, 4, -9]
    assert edits.edits == 3
