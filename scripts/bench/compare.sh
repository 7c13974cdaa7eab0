#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# smtprl, iptables hashlimit and an nftables set with per-element limits,
# side by side in one boot of Debian's stock 6.12 under qemu, or of a UML
# kernel without debug options (see compare-guest.sh for what is measured).
#   scripts/bench/compare.sh icount|tcg|uml|smp [REPS [ITERATIONS [SOURCES...]]]
#     icount  qemu -icount shift=0: one guest ns is one instruction, so
#             ns/packet reads as instructions/packet (deterministic)
#     tcg     plain emulation: wall-clock ns, for the ratios only
#     uml     the UML kernel without debug options (uml-bench): real
#             time of native code, one CPU
#     smp     qemu -smp 2 (TCG, one host thread per vCPU): the SYN path
#             from one CPU and from two at once, 100,000 sources
#             (smp-guest.sh); the ratio is the result
# Output: build/bench/compare-MODE.txt
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
mode=${1:-icount}
reps=${2:-3} iters=${3:-200000}
shift $(($# > 3 ? 3 : $#))
[ $# -gt 0 ] || set -- 1000 100000 1000000
script=compare-guest.sh kernel=6.12
case $mode in
icount) export SMTPRL_QEMU_ARGS="-icount shift=0,sleep=off" ;;
tcg) ;;
uml) kernel=uml-bench ;;
smp) export SMTPRL_VM_SMP=2 SMTPRL_QEMU_ACCEL=tcg,thread=multi
     script=smp-guest.sh
     [ $# -eq 1 ] || set -- 100000 ;;
*) die "usage: compare.sh icount|tcg|uml|smp [REPS [ITERATIONS [SOURCES...]]]" ;;
esac
make -C "$SMTPRL_TOP/userspace" >/dev/null
mkdir -p "$SMTPRL_TOP/build/bench"
out=$SMTPRL_TOP/build/bench/compare-$mode.txt
# A copy: the run takes long, and bash reads a script as it goes.
mkdir -p "$SMTPRL_TOP/build/bench/run-$mode"
cp "$SMTPRL_TOP"/scripts/bench/{compare-guest,smp-guest,lib-guest}.sh "$SMTPRL_TOP/build/bench/run-$mode/"
guest=$SMTPRL_TOP/build/bench/run-$mode/$script
SMTPRL_BUILD_ARGS=SMTPRL_BENCH=m SMTPRL_VM_MEM=${SMTPRL_VM_MEM:-3072} "$SMTPRL_TOP/scripts/lab/vm-run.sh" -t 5400 \
	-o "$SMTPRL_TOP/build/bench/vm-compare-$mode" "$kernel" \
	"$guest" "$mode" "$reps" "$iters" "$@" | tee "$out"
