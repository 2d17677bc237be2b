#!/usr/bin/env bash
# Run the test suite (all but the slow tests and those that time real timeouts, which
# libfaketime cannot shift) as if today were another date, with libfaketime:
# a summer date over a year ahead and a winter date over three years ahead (UK daylight saving
# on and off).  The product takes its time from cse_desktop.clock, and tests that need a date
# set it through that seam, so every test must pass on any date.
#   scripts/test_on_dates.sh [PYTEST ARGS...]
#   TEST_DATES="2029-02-10 09:00:00" scripts/test_on_dates.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v faketime >/dev/null || {
  echo "Needs libfaketime: sudo apt-get install faketime"; exit 1; }
PYTHON="${PYTHON:-.venv/bin/python}"
DATES="${TEST_DATES:-2028-07-14 09:00:00;2030-01-15 09:00:00}"
IFS=';' read -r -a dates <<<"$DATES"
# The purge scan has no date logic, and it finds a fragment of a purged word in a database page in
# about 1 run in 15 (an open defect, see the issue 12 note): it runs once, in `make test`, not in
# every date run as well.
PURGE_SCAN="tests/store/test_purge_scrub.py::test_a_withdrawn_child_leaves_no_word_in_the_index_or_the_file"
for date in "${dates[@]}"; do
  echo "== the suite on ${date} (libfaketime) =="
  # An offset from the real clock, not "start at": every process the tests start (the
  # service, the app) then agrees on the time, which "@date" would restart in each of them.
  # Monotonic time is shifted too (with FAKETIME_DONT_FAKE_MONOTONIC every time.sleep()
  # fails with EINVAL).  PostgreSQL runs outside the fake time, so these runs use SQLite.
  offset=$(( $(date -u -d "${date} UTC" +%s) - $(date -u +%s) ))
  env -u CSE_TEST_POSTGRES_URL -u FAKETIME_DONT_FAKE_MONOTONIC \
    faketime -f "+${offset}s" "$PYTHON" -m pytest -m "not slow and not realtime" -q -p no:cacheprovider \
    --deselect "$PURGE_SCAN" "$@"
done
