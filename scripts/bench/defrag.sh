#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The cost of the alternative to smtprl's fragment rule: nf_defrag enabled
# in the namespace, for packets that are not fragments. Instructions per
# packet under qemu -icount shift=0 (deterministic), stock Debian 6.12.
#   scripts/bench/defrag.sh [ITERATIONS]      (20000)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
SMTPRL_BUILD_ARGS=SMTPRL_BENCH=m SMTPRL_QEMU_ARGS="-icount shift=0,sleep=off" \
	SMTPRL_VM_MEM=${SMTPRL_VM_MEM:-1024} exec "$SMTPRL_TOP/scripts/lab/vm-run.sh" -t 3600 \
	-o "$SMTPRL_TOP/build/bench/defrag-6.12" 6.12 \
	"$SMTPRL_TOP/scripts/bench/defrag-guest.sh" "${1:-20000}"
