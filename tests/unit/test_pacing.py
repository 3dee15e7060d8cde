"""ChannelPacer keeps chat.postMessage inside Slack's one-a-second-per-channel limit."""

from __future__ import annotations

import threading

from hiring_bot.slack.pacing import ChannelPacer
from tests.fakes.clock import FakeTime


def test_posts_to_one_channel_are_a_second_apart() -> None:
    time = FakeTime()
    pacer = ChannelPacer(1.0, monotonic=time.monotonic, sleep=time.sleep)
    waits = [pacer.wait("C1") for _ in range(4)]
    assert waits == [0.0, 1.0, 2.0, 3.0]
    assert time.slept == [1.0, 2.0, 3.0]


def test_channels_do_not_wait_for_each_other() -> None:
    time = FakeTime()
    pacer = ChannelPacer(1.0, monotonic=time.monotonic, sleep=time.sleep)
    assert [pacer.wait(c) for c in ("C1", "C2", "D3")] == [0.0, 0.0, 0.0]
    assert time.slept == []


def test_a_quiet_channel_posts_at_once_again() -> None:
    time = FakeTime()
    pacer = ChannelPacer(1.0, monotonic=time.monotonic, sleep=time.sleep)
    pacer.wait("C1")
    time.now += 5
    assert pacer.wait("C1") == 0.0


def test_threads_reserve_distinct_slots() -> None:
    time = FakeTime()
    pacer = ChannelPacer(1.0, monotonic=time.monotonic, sleep=time.sleep)
    threads = [threading.Thread(target=pacer.wait, args=("C1",)) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(time.slept) == [1.0, 2.0, 3.0, 4.0]


def test_zero_interval_never_waits() -> None:
    time = FakeTime()
    pacer = ChannelPacer(0, monotonic=time.monotonic, sleep=time.sleep)
    assert [pacer.wait("C1") for _ in range(3)] == [0.0, 0.0, 0.0]
