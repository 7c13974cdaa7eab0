#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the KUnit tier (run by vm-run.sh in the UML debug kernel):
# load the KUnit module, which runs its suites at load, and copy each smtprl
# suite's KTAP results out of debugfs.
set -eu
[ -n "${SMTPRL_TEST_KO:-}" ] || { echo "no smtprl_test.ko was built (is CONFIG_KUNIT set?)"; exit 1; }
insmod "$SMTPRL_TEST_KO"
mkdir -p "$SMTPRL_OUT/kunit"
n=0
for d in /sys/kernel/debug/kunit/smtprl_*; do
	[ -e "$d/results" ] || continue
	cp "$d/results" "$SMTPRL_OUT/kunit/$(basename "$d")"
	n=$((n + 1))
done
rmmod smtprl_test
echo "kunit: $n suites"
[ "$n" -gt 0 ]
