#!/usr/bin/env bash
# The time guard (issue 10): the test layers that read time run again with the process wall clock a
# year ahead and a year back (before every fixture's instant). Tests take their time from a fixture
# clock, so they must pass on any date; a wall-clock read that slips past
# test/architecture/wall-clock.test.ts fails here the day it is written, not weeks later.
#
# libfaketime moves Node's clock. Not moved, on purpose:
# - the monotonic clock (FAKETIME_DONT_FAKE_MONOTONIC): durations and timeouts stay real;
# - Java (FAKETIME_SKIP_CMDS): DynamoDB Local under libfaketime starts in ~17 s instead of ~2 s, and
#   only our code decides expiry (the stores compare expiresAt with the injected Clock);
# - file times (libuv reads them with statx), so s3rver stamps real dates; tests compare its
#   Last-Modified with its own clock (test/support/s3rver.ts `now()`).
# test/infra is left out: CDK synthesis reads no time, and it is the slowest layer.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v faketime >/dev/null 2>&1; then
  echo "faketime not found: installing Debian's faketime for the moved-clock tests" >&2
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get install -y -qq faketime >/dev/null 2>&1 ||
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq faketime >/dev/null; }
fi

for offset in +400d -400d; do
  echo "== the suite with the wall clock moved ${offset} (now reads $(faketime -f "${offset}" date -u +%F))"
  FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_SKIP_CMDS=java faketime -f "${offset}" \
    npx vitest run test/unit test/contract test/e2e test/architecture
done
