#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The perf tier of `make check`: instructions per packet through smtprl
# under qemu -icount (see perf-guest.sh), each against its budget in
# scripts/bench/budget, with 5% headroom. A benchmark with a committed
# budget, not a timed test: the counts are the same on every run.
#   scripts/bench/perf.sh [SOURCES [ITERATIONS]]     (1000, 20000)
# Prints "figure N budget B PASS|FAIL" lines; exit status 1 if any is over
# or missing. SMTPRL_BUDGET names another budget file.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
n=${1:-1000} iters=${2:-20000}
budget=${SMTPRL_BUDGET:-$SMTPRL_TOP/scripts/bench/budget}
out=$SMTPRL_TOP/build/bench/vm-perf
make -C "$SMTPRL_TOP/userspace" >/dev/null
mkdir -p "$SMTPRL_TOP/build/bench"
SMTPRL_BUILD_ARGS=SMTPRL_BENCH=m SMTPRL_QEMU_ARGS="-icount shift=0,sleep=off" \
	"$SMTPRL_TOP/scripts/lab/vm-run.sh" -t 1800 -o "$out" 6.12 \
	"$SMTPRL_TOP/scripts/bench/perf-guest.sh" "$n" "$iters" >"$out.log" 2>&1 ||
	{ cat "$out.log"; die "perf: the guest failed"; }
status=0
while read -r fig max; do
	[[ $fig =~ ^# ]] || [ -z "$fig" ] && continue
	got=$(sed -n "s/^perf $fig \([0-9-]*\)$/\1/p" "$out/output.log")
	if [ -z "$got" ]; then
		echo "$fig missing budget $max FAIL"
		status=1
	elif [ $((got * 100)) -gt $((max * 105)) ]; then
		echo "$fig $got budget $max FAIL (over by more than 5%)"
		status=1
	else
		echo "$fig $got budget $max PASS"
	fi
done <"$budget"
exit $status
