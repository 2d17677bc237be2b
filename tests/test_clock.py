"""The one clock seam: nothing in the product reads the system time except ``clock.py``, and
"today", deadlines and measure periods are right across the UK's clock changes."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import cse_desktop
from cse_desktop.clock import SYSTEM_CLOCK, UK, Clock, FixedClock, SystemClock, uk_date
from cse_desktop.domain.periods import Period
from cse_desktop.forms import rhi_deadline, rhi_timeliness

PACKAGE = Path(cse_desktop.__file__).parent

# Calls that read the computer's clock.  Durations (time.monotonic, time.perf_counter) are
# allowed: they never decide a date.
FORBIDDEN_CALLS = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
    ("date", "today"), ("time", "time"), ("time", "time_ns"), ("time", "localtime"),
    ("time", "gmtime"), ("QDateTime", "currentDateTime"), ("QDateTime", "currentDateTimeUtc"),
    ("QDateTime", "currentMSecsSinceEpoch"), ("QDate", "currentDate"), ("QTime", "currentTime"),
}


def _clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
        if (name, node.attr) in FORBIDDEN_CALLS:
            found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {name}.{node.attr}")
    return found


def test_only_the_clock_module_reads_the_system_time() -> None:
    offenders = [hit for path in sorted(PACKAGE.rglob("*.py")) if path.name != "clock.py"
                 or path.parent != PACKAGE for hit in _clock_reads(path)]
    assert offenders == [], "read the time from cse_desktop.clock instead:\n" + "\n".join(
        offenders)


def test_the_scan_finds_a_clock_read(tmp_path: Path) -> None:
    sample = PACKAGE / "_scan_sample.py"
    sample.write_text("import datetime as dt\nfrom datetime import date\n"
                      "a = dt.datetime.now()\nb = date.today()\n", encoding="utf-8")
    try:
        assert len(_clock_reads(sample)) == 2
    finally:
        sample.unlink()


def test_system_clock_is_aware_utc_and_uk_today() -> None:
    clock: Clock = SYSTEM_CLOCK
    assert isinstance(clock, SystemClock) and isinstance(clock, Clock)
    now = clock.now()
    assert now.utcoffset() == timedelta(0)
    assert clock.today() in {uk_date(now), uk_date(clock.now())}
    assert clock.monotonic() <= clock.monotonic()


def test_fixed_clock_stands_still_and_moves_when_told() -> None:
    clock = FixedClock("2027-03-28T00:30:00+00:00")
    start_mono = clock.monotonic()
    assert clock.now() == clock.now() == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    clock.advance(hours=1)
    assert clock.now() == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert clock.monotonic() == start_mono + 3600
    clock.set(datetime(2020, 1, 1, tzinfo=UTC))  # the wall clock set back; monotonic stays
    assert clock.now().year == 2020 and clock.monotonic() == start_mono + 3600
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError):
        FixedClock(datetime(2027, 1, 1))  # naive


@pytest.mark.parametrize(("utc_moment", "uk_day"), [
    # 23:30 UTC in summer is already tomorrow in England...
    ("2027-07-14T23:30:00+00:00", date(2027, 7, 15)),
    # ...but not in winter.
    ("2029-02-10T23:30:00+00:00", date(2029, 2, 10)),
    # The night the clocks go forward (28 March 2027, 01:00 UTC) and back (31 October 2027).
    ("2027-03-28T00:59:00+00:00", date(2027, 3, 28)),
    ("2027-03-27T23:59:00+00:00", date(2027, 3, 27)),
    ("2027-10-30T23:30:00+00:00", date(2027, 10, 31)),
    ("2027-10-31T23:30:00+00:00", date(2027, 10, 31)),
])
def test_today_is_the_uk_date(utc_moment: str, uk_day: date) -> None:
    assert FixedClock(utc_moment).today() == uk_day


def test_72_hours_across_the_march_change_are_72_real_hours() -> None:
    # Returned 23:00 on Friday 26 March 2027 (GMT).  The clocks go forward on Sunday, so the
    # deadline is 00:00 BST on Tuesday (72 elapsed hours), not 23:00 on Monday.
    returned = datetime(2027, 3, 26, 23, 0, tzinfo=UK)
    deadline = rhi_deadline(returned)
    assert deadline.timestamp() - returned.timestamp() == 72 * 3600
    assert deadline.astimezone(UK).strftime("%a %d %H:%M %Z") == "Tue 30 00:00 BST"
    just_in = deadline.astimezone(UTC).isoformat()
    late = (deadline + timedelta(minutes=1)).astimezone(UTC).isoformat()
    answers = {"returned_at": returned.isoformat(), "outcome": "completed"}
    assert rhi_timeliness({**answers, "offered_at": just_in}).offered_in_time is True
    assert rhi_timeliness({**answers, "offered_at": late}).offered_in_time is False


def test_72_hours_across_the_october_change_are_72_real_hours() -> None:
    # Returned 23:00 BST on Friday 29 October 2027; clocks go back on Sunday 31st.
    returned = datetime(2027, 10, 29, 23, 0, tzinfo=UK)
    deadline = rhi_deadline(returned)
    assert deadline.timestamp() - returned.timestamp() == 72 * 3600
    assert deadline.astimezone(UK).strftime("%a %d %H:%M %Z") == "Mon 01 22:00 GMT"
    assert rhi_timeliness({"returned_at": returned.isoformat(), "outcome": "completed",
                           "offered_at": "2027-11-01T22:00:00+00:00",
                           "completed_at": "2027-11-01T22:01:00+00:00"}) == (
        type(rhi_timeliness({}))(deadline, True, False))


def test_measure_periods_follow_uk_midnight_across_both_changes() -> None:
    march = Period.month(2027, 3)
    assert march.start == datetime(2027, 3, 1, 0, 0, tzinfo=UTC)  # GMT
    assert march.end == datetime(2027, 3, 31, 23, 0, tzinfo=UTC)  # 1 April 00:00 BST
    assert march.end.timestamp() - march.start.timestamp() == (31 * 24 - 1) * 3600
    october = Period.month(2027, 10)
    assert october.start == datetime(2027, 9, 30, 23, 0, tzinfo=UTC)  # 1 Oct 00:00 BST
    assert october.end == datetime(2027, 11, 1, 0, 0, tzinfo=UTC)  # 1 Nov 00:00 GMT
    assert october.end.timestamp() - october.start.timestamp() == (31 * 24 + 1) * 3600
    # The repeated hour when the clocks go back (01:00-02:00 twice) is inside October.
    assert october.contains(datetime(2027, 10, 31, 1, 30, tzinfo=UK, fold=1))
    # A moment late on the last evening of March (BST) is in March, not April.
    assert march.contains(datetime(2027, 3, 31, 22, 59, tzinfo=UTC))
    assert not march.contains(datetime(2027, 3, 31, 23, 0, tzinfo=UTC))
