#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# GC after a flood: a million spoofed sources fill the table, the flood
# stops; prints how long until the table has room again and until it is
# empty, with daily off and with the default policy (design.md, "The GC
# rule").
# Stock Debian 6.12 under qemu TCG; wall-clock seconds in the guest.
#   scripts/bench/gc.sh [KERNEL]       GC_SOURCES (1000000), GC_IDLE (10)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
kernel=${1:-6.12}
SMTPRL_BUILD_ARGS=SMTPRL_BENCH=m SMTPRL_VM_MEM=${SMTPRL_VM_MEM:-2048} exec "$SMTPRL_TOP/scripts/lab/vm-run.sh" -t 1800 \
	-o "$SMTPRL_TOP/build/bench/gc-$kernel" "$kernel" \
	"$SMTPRL_TOP/scripts/bench/gc-guest.sh" "${GC_SOURCES:-1000000}" "${GC_IDLE:-10}"
