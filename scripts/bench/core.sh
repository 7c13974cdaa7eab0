#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark of the enforcement core in a lab kernel (default: Debian's stock
# 6.12 under qemu TCG: absolute ns are emulation ns, compare ratios).
#   scripts/bench/core.sh [KERNEL]     BENCH_REPS, BENCH_ITERS tune it
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
kernel=${1:-6.12}
SMTPRL_BUILD_ARGS=SMTPRL_BENCH=m SMTPRL_VM_MEM=${SMTPRL_VM_MEM:-2048} exec "$SMTPRL_TOP/scripts/lab/vm-run.sh" -t 1800 \
	-o "$SMTPRL_TOP/build/bench/core-$kernel" "$kernel" \
	"$SMTPRL_TOP/scripts/bench/core-guest.sh"
