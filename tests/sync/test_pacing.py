"""The adaptive request size: smaller after drops, sized to the measured speed, bounded."""

from __future__ import annotations

from cse_desktop.sync.pacing import Pacer


def test_a_dropped_connection_halves_the_size_down_to_the_floor() -> None:
    pacer = Pacer(256 * 1024, floor=16 * 1024)
    sizes = []
    for _ in range(6):
        pacer.failed()
        sizes.append(pacer.size)
    assert sizes == [128 * 1024, 64 * 1024, 32 * 1024, 16 * 1024, 16 * 1024, 16 * 1024]


def test_size_follows_the_measured_speed_within_bounds() -> None:
    pacer = Pacer(256 * 1024, target_seconds=8)
    pacer.done(50_000, 10.0)  # 5 KB/s: about 40 KB per request
    assert 30_000 < pacer.size < 50_000
    for _ in range(20):  # a fast link: grows, at most doubling each time, up to the ceiling
        before = pacer.size
        pacer.done(pacer.size, 0.01)
        assert pacer.size <= 2 * before
    assert pacer.size == pacer.ceiling == 1024 * 1024


def test_an_empty_answer_teaches_nothing() -> None:
    pacer = Pacer(64 * 1024)
    pacer.done(0, 3.0)
    assert pacer.size == 64 * 1024 and pacer.rate is None
